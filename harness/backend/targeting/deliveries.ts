import type { Deliveries } from '../../../agent/protocol/enrollment';
import type { Assignment, BackendStore, PayloadKind } from '../store/repository';
import { compileGroupRule, compileFilter } from './compile';
import { isMember } from './entra/evaluateMembership';
import type { MembershipNode } from './entra/membershipRule';
import { assignmentFilterPasses } from './intune/evaluateFilter';
import type { FilterRule } from './intune/filterRule';
import type { TargetDevice } from './targetDevice';

/**
 * What targets a device: the policies and apps whose assignments reach it in its stage.
 *
 * Stage 2 (staged or adminProvisioned, userless): an assignment reaches the device only through an
 * assignment filter, i.e. an "all devices" assignment with an include filter that matches the device
 * (or an exclude filter that does not). Groups are not evaluated: the device has no user and Intune
 * does not offer dynamic device groups for the staged device (device staging overview).
 * Stage 3 (enrolled): "all devices" and "all licensed users" assignments, dynamic device groups
 * (membershipRule) and user groups (members by UPN) all apply, each with its filter if it has one, and
 * exclusion groups remove what they cover.
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
  rule: MembershipNode | null;
  members: Set<string>;
}

interface CompiledPayload {
  kind: PayloadKind;
  displayName: string;
  assignments: Assignment[];
}

interface Compiled {
  revision: number;
  filters: Map<string, FilterRule | null>;
  groups: Map<string, CompiledGroup>;
  payloads: CompiledPayload[];
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
    for (const kind of ['policy', 'app'] as const) {
      for (const payload of this.store.listPayloads(kind)) {
        const assignments = byPayload.get(payload.id);
        if (assignments) payloads.push({ kind, displayName: payload.displayName, assignments });
      }
    }
    payloads.sort((a, b) => a.displayName.localeCompare(b.displayName));
    this.compiled = { revision, filters, groups, payloads };
    return this.compiled;
  }

  deliveriesFor(subject: TargetingSubject): Deliveries {
    const compiled = this.current();
    const device = subject.device;
    const userStage = subject.stage === 'enrolled';
    const upn = subject.upn?.toLowerCase() ?? null;

    const inGroup = (groupId: string | null): boolean => {
      const group = groupId === null ? undefined : compiled.groups.get(groupId);
      if (!group) return false;
      if (group.rule) return isMember(group.rule, device);
      return upn !== null && group.members.has(upn);
    };
    const filterPasses = (assignment: Assignment): boolean => {
      if (assignment.filterId === null || assignment.filterType === 'none') return true;
      const rule = compiled.filters.get(assignment.filterId) ?? null;
      return assignmentFilterPasses(rule, assignment.filterType, device);
    };
    const reaches = (assignment: Assignment): boolean => {
      switch (assignment.targetType) {
        case 'allDevices':
          return (
            (userStage || (assignment.filterId !== null && assignment.filterType !== 'none')) &&
            filterPasses(assignment)
          );
        case 'allLicensedUsers':
          return userStage && upn !== null && filterPasses(assignment);
        case 'group':
          return userStage && inGroup(assignment.groupId) && filterPasses(assignment);
        case 'exclusionGroup':
          return false;
      }
    };

    const deliveries: Deliveries = { policies: [], apps: [] };
    for (const payload of compiled.payloads) {
      const excluded =
        userStage && payload.assignments.some((a) => a.targetType === 'exclusionGroup' && inGroup(a.groupId));
      if (excluded || !payload.assignments.some(reaches)) continue;
      (payload.kind === 'policy' ? deliveries.policies : deliveries.apps).push(payload.displayName);
    }
    return deliveries;
  }
}
