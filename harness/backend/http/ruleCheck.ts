import { isStagesimError } from '../../../agent/errors';
import { parseRule } from '../targeting/parser';
import { badRequest } from './graphError';

/** Parses a filter rule or membershipRule; a syntax error is a 400 whose message names the position. */
export function checkRule(field: string, rule: string): void {
  try {
    parseRule(rule);
  } catch (error) {
    if (isStagesimError(error, 'RULE_SYNTAX')) throw badRequest(`${field}: ${error.message}`);
    throw error;
  }
}
