import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Assignment, Payload, PayloadKind } from '../../store/repository';
import { filterAssignmentProblem } from '../../targeting/assignmentFit';
import type { FilterPlatform } from '../../targeting/platforms';
import { badRequest, conflict, notFound, parseWith } from '../graphError';
import { readBody } from '../odata/body';
import type { EntitySet } from '../odata/entitySet';
import { NO_QUERY } from '../odata/query';
import { answerCollection, answerEntity, entityResponse } from '../odata/respond';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';

/**
 * Policies and apps, reduced to what targeting needs: a name and assignments. Graph spreads these over
 * many resource types (deviceConfigurations, deviceCompliancePolicies, mobileApps, ...); the simulator
 * has one of each, clearly its own:
 *   /beta/deviceManagement/simulatorPolicies and /beta/deviceManagement/simulatorApps
 * with Graph's assignment shape: POST /{id}/assign {"assignments":[{"target":{...}}]} replaces all of a
 * payload's assignments. Targets: allDevicesAssignmentTarget, allLicensedUsersAssignmentTarget,
 * groupAssignmentTarget and exclusionGroupAssignmentTarget (groupId), each but the exclusion with an
 * optional assignment filter (deviceAndAppManagementAssignmentFilterId / ...FilterType include|exclude).
 */
/** Everything the simulator enrolls is Android Enterprise, so its policies and apps are Android Enterprise ones. */
const SIMULATOR_PAYLOAD_PLATFORM: FilterPlatform = 'androidForWork';

export const POLICIES_PATH = '/beta/deviceManagement/simulatorPolicies';
export const APPS_PATH = '/beta/deviceManagement/simulatorApps';

const TARGET_TYPES = {
  '#microsoft.graph.allDevicesAssignmentTarget': 'allDevices',
  '#microsoft.graph.allLicensedUsersAssignmentTarget': 'allLicensedUsers',
  '#microsoft.graph.groupAssignmentTarget': 'group',
  '#microsoft.graph.exclusionGroupAssignmentTarget': 'exclusionGroup',
} as const;
const ODATA_TYPE_OF = Object.fromEntries(
  Object.entries(TARGET_TYPES).map(([odata, type]) => [type, odata]),
) as Record<Assignment['targetType'], string>;

const filterFields = {
  deviceAndAppManagementAssignmentFilterId: z.string().nullable().optional(),
  deviceAndAppManagementAssignmentFilterType: z.enum(['none', 'include', 'exclude']).optional(),
};
const targetSchema = z.discriminatedUnion('@odata.type', [
  z.strictObject({
    '@odata.type': z.literal('#microsoft.graph.allDevicesAssignmentTarget'),
    ...filterFields,
  }),
  z.strictObject({
    '@odata.type': z.literal('#microsoft.graph.allLicensedUsersAssignmentTarget'),
    ...filterFields,
  }),
  z.strictObject({
    '@odata.type': z.literal('#microsoft.graph.groupAssignmentTarget'),
    groupId: z.string().min(1),
    ...filterFields,
  }),
  z.strictObject({
    '@odata.type': z.literal('#microsoft.graph.exclusionGroupAssignmentTarget'),
    groupId: z.string().min(1),
    ...filterFields,
  }),
]);
const assignSchema = z.strictObject({
  assignments: z
    .array(
      z.strictObject({
        '@odata.type': z.string().optional(),
        id: z.string().optional(),
        target: targetSchema,
      }),
    )
    .max(100),
});

const createSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(256),
  description: z.string().max(1024).nullable().optional(),
});
const patchSchema = createSchema.partial();

const PAYLOAD_PROPERTIES = ['id', 'displayName', 'description', 'createdDateTime', 'lastModifiedDateTime'];
const PAYLOAD_READ_ONLY = ['id', 'createdDateTime', 'lastModifiedDateTime'];

function payloadView(payload: Payload) {
  return {
    id: payload.id,
    displayName: payload.displayName,
    description: payload.description,
    createdDateTime: iso(payload.createdAt),
    lastModifiedDateTime: iso(payload.modifiedAt),
  };
}

function assignmentView(assignment: Assignment) {
  return {
    id: assignment.id,
    target: {
      '@odata.type': ODATA_TYPE_OF[assignment.targetType],
      ...(assignment.groupId === null ? {} : { groupId: assignment.groupId }),
      deviceAndAppManagementAssignmentFilterId: assignment.filterId,
      deviceAndAppManagementAssignmentFilterType: assignment.filterType,
    },
  };
}

export function registerAssignableRoutes(app: FastifyInstance, deps: RouteDeps): void {
  register(app, deps, 'policy', POLICIES_PATH);
  register(app, deps, 'app', APPS_PATH);
}

function register(app: FastifyInstance, deps: RouteDeps, kind: PayloadKind, path: string): void {
  const { store, clock } = deps;
  // The simulator's own sets: their type names say so (Graph has no simulatorPolicy).
  const set: EntitySet = {
    path: path.replace('/beta/', ''),
    type: `microsoft.graph.${kind === 'policy' ? 'simulatorPolicy' : 'simulatorApp'}`,
    properties: PAYLOAD_PROPERTIES,
    readOnly: PAYLOAD_READ_ONLY,
  };
  const assignmentsOf = (id: string): EntitySet => ({
    path: `${set.path}('${id}')/assignments`,
    type: 'microsoft.graph.simulatorAssignment',
    properties: ['id', 'target'],
  });
  const noun = kind === 'policy' ? 'policy' : 'app';
  const load = (id: string): Payload => {
    const payload = ID_PATTERN.test(id) ? store.getPayload(id) : undefined;
    if (!payload || payload.kind !== kind) throw notFound(`no ${noun} with id ${id}`);
    return payload;
  };
  // Deliveries name policies and apps by displayName, so a name is unique within its kind.
  const checkName = (displayName: string, id?: string) => {
    const existing = store
      .listPayloads(kind)
      .find((p) => p.displayName.toLowerCase() === displayName.toLowerCase() && p.id !== id);
    if (existing) throw conflict(`a ${noun} named "${displayName}" exists already (${existing.id})`);
  };

  app.get(path, async (request) => answerCollection(request, set, store.listPayloads(kind).map(payloadView)));

  app.post(path, async (request, reply) => {
    const body = readBody(set, createSchema, request.body);
    checkName(body.displayName);
    const now = clock.now();
    const payload: Payload = {
      id: randomUUID(),
      kind,
      displayName: body.displayName,
      description: body.description ?? null,
      createdAt: now,
      modifiedAt: now,
    };
    store.createPayload(payload);
    return reply.code(201).send(entityResponse(request, set, payloadView(payload)));
  });

  app.get<{ Params: { id: string } }>(`${path}/:id`, async (request) => {
    const payload = load(request.params.id);
    return answerEntity(request, set, () => payloadView(payload));
  });

  app.patch<{ Params: { id: string } }>(`${path}/:id`, async (request) => {
    const payload = load(request.params.id);
    const body = readBody(set, patchSchema, request.body);
    if (body.displayName !== undefined) checkName(body.displayName, payload.id);
    const updated: Payload = {
      ...payload,
      displayName: body.displayName ?? payload.displayName,
      description: body.description === undefined ? payload.description : body.description,
      modifiedAt: clock.now(),
    };
    store.updatePayload(updated);
    return entityResponse(request, set, payloadView(updated));
  });

  app.delete<{ Params: { id: string } }>(`${path}/:id`, async (request, reply) => {
    const payload = load(request.params.id);
    store.deletePayload(payload.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>(`${path}/:id/assignments`, async (request) => {
    const payload = load(request.params.id);
    return answerCollection(
      request,
      assignmentsOf(payload.id),
      store.listAssignments(payload.id).map(assignmentView),
    );
  });

  app.post<{ Params: { id: string } }>(`${path}/:id/assign`, async (request) => {
    const payload = load(request.params.id);
    const body = parseWith(assignSchema, request.body);
    const assignments = body.assignments.map(({ target }, index): Assignment => {
      const targetType = TARGET_TYPES[target['@odata.type']];
      const groupId = 'groupId' in target ? target.groupId : null;
      if (groupId !== null && !(ID_PATTERN.test(groupId) && store.getGroup(groupId))) {
        throw badRequest(`assignments.${index}.target.groupId: no group with id ${groupId}`);
      }
      const filterId = target.deviceAndAppManagementAssignmentFilterId ?? null;
      const filterType =
        target.deviceAndAppManagementAssignmentFilterType ?? (filterId === null ? 'none' : 'include');
      if (filterId !== null) {
        if (targetType === 'exclusionGroup')
          throw badRequest(
            `assignments.${index}.target: an exclusion group cannot have an assignment filter`,
          );
        const filter = ID_PATTERN.test(filterId) ? store.getFilter(filterId) : undefined;
        if (!filter)
          throw badRequest(
            `assignments.${index}.target.deviceAndAppManagementAssignmentFilterId: no assignment filter with id ${filterId}`,
          );
        const problem = filterAssignmentProblem(filter, SIMULATOR_PAYLOAD_PLATFORM);
        if (problem)
          throw badRequest(
            `assignments.${index}.target.deviceAndAppManagementAssignmentFilterId: ${problem}`,
          );
        if (filterType === 'none')
          throw badRequest(
            `assignments.${index}.target.deviceAndAppManagementAssignmentFilterType: include or exclude, since a filter is set`,
          );
      } else if (filterType !== 'none') {
        throw badRequest(
          `assignments.${index}.target.deviceAndAppManagementAssignmentFilterType: ${filterType} needs a deviceAndAppManagementAssignmentFilterId`,
        );
      }
      return { id: randomUUID(), payloadId: payload.id, targetType, groupId, filterId, filterType };
    });
    store.setAssignments(payload.id, assignments);
    return answerCollection(request, assignmentsOf(payload.id), assignments.map(assignmentView), {
      ...NO_QUERY,
    });
  });
}
