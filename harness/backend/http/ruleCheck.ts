import { isStagesimError } from '../../../agent/errors';
import { parseMembershipRule, type MembershipNode } from '../targeting/entra/membershipRule';
import { parseFilterRule, type FilterRule } from '../targeting/intune/filterRule';
import type { FilterPlatform } from '../targeting/platforms';
import { badRequest } from './graphError';

/** A rule error as Graph's 400, its message naming the field, the position and what is wrong there. */
function asBadRequest<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isStagesimError(error, 'RULE_SYNTAX')) throw badRequest(`${field}: ${error.message}`);
    throw error;
  }
}

/** An assignment filter's rule, in Intune's filter language, for the filter's platform. */
export function checkFilterRule(field: string, rule: string, platform: FilterPlatform): FilterRule {
  return asBadRequest(field, () => parseFilterRule(rule, platform));
}

/** A dynamic device group's membershipRule, in Entra's membership-rule language. */
export function checkMembershipRule(field: string, rule: string): MembershipNode {
  return asBadRequest(field, () => parseMembershipRule(rule));
}
