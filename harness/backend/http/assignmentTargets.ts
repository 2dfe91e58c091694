import { z } from 'zod';
import type { Assignment, AssignmentTargetType, BackendStore } from '../store/repository';
import { filterAssignmentProblem } from '../targeting/assignmentFit';
import type { FilterPlatform } from '../targeting/platforms';
import { badRequest } from './graphError';
import { ID_PATTERN } from './routeDeps';

/**
 * Graph's assignment targets (deviceAndAppManagementAssignmentTarget and the four subtypes Android
 * Enterprise assignments use), shared by every assign action:
 *   allDevicesAssignmentTarget, allLicensedUsersAssignmentTarget,
 *   groupAssignmentTarget {groupId}, exclusionGroupAssignmentTarget {groupId}
 * each with deviceAndAppManagementAssignmentFilterId and deviceAndAppManagementAssignmentFilterType
 * (none, include, exclude). Graph's own examples write the type with and without the leading '#'
 * ("microsoft.graph.allLicensedUsersAssignmentTarget"); both are taken, and answered with the '#'.
 */

const TARGET_TYPES = {
  allDevicesAssignmentTarget: 'allDevices',
  allLicensedUsersAssignmentTarget: 'allLicensedUsers',
  groupAssignmentTarget: 'group',
  exclusionGroupAssignmentTarget: 'exclusionGroup',
} as const satisfies Record<string, AssignmentTargetType>;
type TargetTypeName = keyof typeof TARGET_TYPES;
const TYPE_NAME_OF = Object.fromEntries(
  Object.entries(TARGET_TYPES).map(([name, type]) => [type, name]),
) as Record<AssignmentTargetType, TargetTypeName>;

/** A Graph type literal that accepts '#microsoft.graph.x' and 'microsoft.graph.x'. */
export function graphTypeSchema<T extends string>(names: readonly T[]) {
  const forms = names.flatMap((name) => [`#microsoft.graph.${name}`, `microsoft.graph.${name}`]);
  return z
    .string()
    .refine((value) => forms.includes(value), {
      message: `expected one of ${names.map((name) => `#microsoft.graph.${name}`).join(', ')}`,
    })
    .transform((value) => value.replace(/^#?microsoft\.graph\./, '') as T);
}

export const targetSchema = z.strictObject({
  '@odata.type': graphTypeSchema(Object.keys(TARGET_TYPES) as TargetTypeName[]),
  groupId: z.string().min(1).nullable().optional(),
  deviceAndAppManagementAssignmentFilterId: z.string().nullable().optional(),
  deviceAndAppManagementAssignmentFilterType: z.enum(['none', 'include', 'exclude']).optional(),
});
export type TargetInput = z.infer<typeof targetSchema>;

export type CheckedTarget = Pick<Assignment, 'targetType' | 'groupId' | 'filterId' | 'filterType'>;

/**
 * A target as the store keeps it, after the checks Intune makes: the group and filter exist, group
 * targets name a group and the "all" targets none, an exclusion carries no filter (the admin center
 * offers filters on included groups only), a filter type goes with a filter id, and the filter is for
 * the platform of what is assigned (`platform`).
 */
export function checkTarget(
  target: TargetInput,
  at: string,
  store: BackendStore,
  platform: FilterPlatform,
): CheckedTarget {
  const targetType = TARGET_TYPES[target['@odata.type']];
  const isGroup = targetType === 'group' || targetType === 'exclusionGroup';
  const groupId = target.groupId ?? null;
  if (isGroup && groupId === null)
    throw badRequest(`${at}.groupId: a ${target['@odata.type']} needs a groupId`);
  if (!isGroup && groupId !== null)
    throw badRequest(`${at}.groupId: a ${target['@odata.type']} has no groupId`);
  if (groupId !== null && !(ID_PATTERN.test(groupId) && store.getGroup(groupId)))
    throw badRequest(`${at}.groupId: no group with id ${groupId}`);

  const filterId = target.deviceAndAppManagementAssignmentFilterId ?? null;
  const filterType =
    target.deviceAndAppManagementAssignmentFilterType ?? (filterId === null ? 'none' : 'include');
  if (filterId !== null) {
    if (targetType === 'exclusionGroup')
      throw badRequest(`${at}: an exclusion group cannot have an assignment filter`);
    const filter = ID_PATTERN.test(filterId) ? store.getFilter(filterId) : undefined;
    if (!filter)
      throw badRequest(
        `${at}.deviceAndAppManagementAssignmentFilterId: no assignment filter with id ${filterId}`,
      );
    const problem = filterAssignmentProblem(filter, platform);
    if (problem) throw badRequest(`${at}.deviceAndAppManagementAssignmentFilterId: ${problem}`);
    if (filterType === 'none')
      throw badRequest(
        `${at}.deviceAndAppManagementAssignmentFilterType: include or exclude, since a filter is set`,
      );
  } else if (filterType !== 'none') {
    throw badRequest(
      `${at}.deviceAndAppManagementAssignmentFilterType: ${filterType} needs a deviceAndAppManagementAssignmentFilterId`,
    );
  }
  return { targetType, groupId, filterId, filterType };
}

/**
 * Intune keeps one assignment per target: the admin center does not offer a group twice (for apps, "a
 * single group is prevented from being targeted for multiple app assignment intents"), nor "all
 * devices" or "all users" twice.
 */
export function refuseRepeatedTargets(targets: CheckedTarget[], bodyKey: string): void {
  const seen = new Map<string, number>();
  targets.forEach((target, index) => {
    const key = target.groupId ?? target.targetType;
    const first = seen.get(key);
    if (first !== undefined)
      throw badRequest(
        `${bodyKey}.${index}.target: targets the same ${target.groupId === null ? 'audience' : 'group'} as ${bodyKey}.${first}`,
      );
    seen.set(key, index);
  });
}

export function targetView(assignment: CheckedTarget) {
  return {
    '@odata.type': `#microsoft.graph.${TYPE_NAME_OF[assignment.targetType]}`,
    ...(assignment.groupId === null ? {} : { groupId: assignment.groupId }),
    deviceAndAppManagementAssignmentFilterId: assignment.filterId,
    deviceAndAppManagementAssignmentFilterType: assignment.filterType,
  };
}
