import type { Deliveries } from '../../../agent/protocol/enrollment';
import type {
  Assignment,
  BackendStore,
  DeliveredResource,
  InstallIntent,
  Payload,
} from '../store/repository';
import { RESOURCE_KINDS } from '../resources/catalogue';
import { compileGroupRule, compileFilter } from './compile';
import { isMember } from './entra/evaluateMembership';
import type { MembershipNode } from './entra/membershipRule';
import { assignmentFilterPasses } from './intune/evaluateFilter';
import type { FilterRule } from './intune/filterRule';
import type { TargetDevice } from './targetDevice';

/**
 * What targets a device: the configuration profiles, compliance policies and apps whose assignments
 * reach it in its stage.
 *
 * Stage 2 (staged or adminProvisioned, userless): an assignment reaches the device only through an
 * assignment filter, i.e. an "all devices" assignment with an include filter that matches the device
 * (or an exclude filter that does not). Groups are not evaluated: the device has no user and Intune
 * does not offer dynamic device groups for the staged device (device staging overview).
 * Stage 3 (enrolled): "all devices" and "all licensed users" assignments, dynamic device groups
 * (membershipRule) and user groups (members by UPN) all apply, each with its filter if it has one.
 *
 * Exclusions follow Intune's documented rule (memdocs: "Assign user and device profiles", "Include and
 * exclude app assignments"): exclusion wins over inclusion only between groups of the same type. An
 * excluded device group removes what reached the device as a device (all devices, device groups); an
 * excluded user group removes what reached it through its user (all licensed users, user groups). A
 * user group excluded from an "all devices" assignment, or a device group from a user one, has no
 * effect ("Intune doesn't evaluate user-to-device group relationships").
 *
 * Apps carry an intent per assignment. When several reach a device, the result is Intune's ("How
 * conflicts between app intents are resolved", memdocs apps-deploy.md): required wins over available
 * and uninstall; between available and uninstall, the user's uninstall wins over the user's available,
 * and a user's available wins over a device's uninstall. Only a required app is installed, so only
 * those are in what the device is told; the record names every app that reached it with its intent.
 *
 * Filters are Intune filter rules (intune/) and can target only devices of their platform; dynamic device
 * groups are Entra membership rules (entra/). Rules are compiled once per change of the targeting data
 * (the store's targetingRevision), not per device.
 */

export type TargetingStage = 'staged' | 'adminProvisioned' | 'enrolled';

export interface TargetingSubject {
  device: TargetDevice;
  stage: TargetingStage;
  upn: string | null;
}

interface CompiledGroup {
  /** Dynamic device groups have a rule; user groups have members. */
  rule: MembershipNode | null;
  dynamic: boolean;
  members: Set<string>;
}

interface CompiledPayload {
  payload: Payload;
  assignments: Assignment[];
}

interface Compiled {
  revision: number;
  filters: Map<string, FilterRule | null>;
  groups: Map<string, CompiledGroup>;
  payloads: CompiledPayload[];
}

/** Whether an assignment reaches a device as a device or through its user. */
type Audience = 'device' | 'user';

const INTENT_RANK: Record<InstallIntent, number> = {
  required: 3,
  available: 2,
  availableWithoutEnrollment: 2,
  uninstall: 1,
};

/** Intune's resolution of the intents that reached one device for one app. */
export function resolveIntent(reached: Array<{ intent: InstallIntent; audience: Audience }>): InstallIntent {
  const has = (intent: InstallIntent, audience?: Audience) =>
    reached.some((r) => r.intent === intent && (audience === undefined || r.audience === audience));
  if (has('required')) return 'required';
  const available = has('available') || has('availableWithoutEnrollment');
  if (available && has('uninstall', 'user')) return 'uninstall';
  if (available) return has('available') ? 'available' : 'availableWithoutEnrollment';
  return [...reached].sort((a, b) => INTENT_RANK[b.intent] - INTENT_RANK[a.intent])[0]!.intent;
}

/** What the device itself is told: policy names, and the names of the apps it installs. */
export function deviceDeliveries(resources: readonly DeliveredResource[] | null): Deliveries {
  const deliveries: Deliveries = { policies: [], apps: [] };
  for (const resource of resources ?? []) {
    if (resource.kind !== 'mobileApp') deliveries.policies.push(resource.displayName);
    else if (resource.intent === 'required') deliveries.apps.push(resource.displayName);
  }
  return deliveries;
}

export class Targeting {
  private compiled: Compiled | null = null;

  constructor(private readonly store: BackendStore) {}

  private current(): Compiled {
    if (this.compiled && this.compiled.revision === this.store.targetingRevision) return this.compiled;
    const revision = this.store.targetingRevision;
    const filters = new Map(
      this.store.listFilters().map((filter) => [filter.id, compileFilter(filter)] as const),
    );
    const groups = new Map<string, CompiledGroup>();
    for (const group of this.store.listGroups()) {
      groups.set(group.id, {
        rule: group.dynamic ? compileGroupRule(group.membershipRule) : null,
        dynamic: group.dynamic,
        members: new Set(
          group.dynamic ? [] : this.store.listMembers(group.id).map((upn) => upn.toLowerCase()),
        ),
      });
    }
    const byPayload = new Map<string, Assignment[]>();
    for (const assignment of this.store.listAssignments()) {
      const list = byPayload.get(assignment.payloadId) ?? [];
      list.push(assignment);
      byPayload.set(assignment.payloadId, list);
    }
    const payloads: CompiledPayload[] = [];
    for (const kind of RESOURCE_KINDS) {
      for (const payload of this.store.listPayloads(kind)) {
        const assignments = byPayload.get(payload.id);
        if (assignments) payloads.push({ payload, assignments });
      }
    }
    payloads.sort(
      (a, b) =>
        a.payload.displayName.localeCompare(b.payload.displayName) ||
        a.payload.id.localeCompare(b.payload.id),
    );
    this.compiled = { revision, filters, groups, payloads };
    return this.compiled;
  }

  /** The resources that reach the device, in name order. */
  deliveriesFor(subject: TargetingSubject): DeliveredResource[] {
    const compiled = this.current();
    const device = subject.device;
    const userStage = subject.stage === 'enrolled';
    const upn = subject.upn?.toLowerCase() ?? null;

    const groupOf = (groupId: string | null) => (groupId === null ? undefined : compiled.groups.get(groupId));
    const inGroup = (group: CompiledGroup): boolean => {
      if (group.rule) return isMember(group.rule, device);
      return upn !== null && group.members.has(upn);
    };
    // The one place an assignment filter is evaluated against a device.
    const filterPasses = (assignment: Assignment): boolean => {
      if (assignment.filterId === null || assignment.filterType === 'none') return true;
      const rule = compiled.filters.get(assignment.filterId) ?? null;
      return assignmentFilterPasses(rule, assignment.filterType, device);
    };
    /** How an inclusion reaches the device (as a device or through its user), or null when it does not. */
    const reaches = (assignment: Assignment): Audience | null => {
      switch (assignment.targetType) {
        case 'allDevices': {
          const viaFilter = assignment.filterId !== null && assignment.filterType !== 'none';
          return (userStage || viaFilter) && filterPasses(assignment) ? 'device' : null;
        }
        case 'allLicensedUsers':
          return userStage && upn !== null && filterPasses(assignment) ? 'user' : null;
        case 'group': {
          const group = groupOf(assignment.groupId);
          if (!userStage || !group || !inGroup(group) || !filterPasses(assignment)) return null;
          return group.dynamic ? 'device' : 'user';
        }
        case 'exclusionGroup':
          return null;
      }
    };

    const delivered: DeliveredResource[] = [];
    for (const { payload, assignments } of compiled.payloads) {
      const excludedFor = new Set<Audience>();
      if (userStage) {
        for (const assignment of assignments) {
          const group = assignment.targetType === 'exclusionGroup' ? groupOf(assignment.groupId) : undefined;
          if (group && inGroup(group)) excludedFor.add(group.dynamic ? 'device' : 'user');
        }
      }
      const reached: Array<{ intent: InstallIntent; audience: Audience; assignmentId: string }> = [];
      for (const assignment of assignments) {
        // A configuration assigned with intent "remove" is taken off devices, not delivered.
        if (assignment.intent === 'remove') continue;
        const audience = reaches(assignment);
        if (audience === null || excludedFor.has(audience)) continue;
        const intent =
          assignment.intent === null || assignment.intent === 'apply' ? 'required' : assignment.intent;
        reached.push({ intent, audience, assignmentId: assignment.id });
      }
      if (reached.length === 0) continue;
      delivered.push({
        id: payload.id,
        kind: payload.kind,
        odataType: payload.odataType,
        displayName: payload.displayName,
        intent: payload.kind === 'mobileApp' ? resolveIntent(reached) : null,
        assignmentIds: reached.map((entry) => entry.assignmentId),
      });
    }
    return delivered;
  }
}
