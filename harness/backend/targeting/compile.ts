import type { AssignmentFilter } from '../store/repository';
import { parseMembershipRule, type MembershipNode } from './entra/membershipRule';
import { parseFilterRule, type FilterRule } from './intune/filterRule';
import { platformSchema } from './platforms';

/**
 * Stored rules compiled for evaluation. Rules are checked when written; one that no longer compiles (a
 * database from an older simulator) matches nothing rather than everything.
 */
export function compileFilter(filter: Pick<AssignmentFilter, 'rule' | 'platform'>): FilterRule | null {
  const platform = platformSchema.safeParse(filter.platform);
  if (!platform.success) return null;
  try {
    return parseFilterRule(filter.rule, platform.data);
  } catch {
    return null;
  }
}

export function compileGroupRule(membershipRule: string | null): MembershipNode | null {
  if (membershipRule === null) return null;
  try {
    return parseMembershipRule(membershipRule);
  } catch {
    return null;
  }
}
