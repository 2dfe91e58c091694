import type { TargetDevice } from '../targetDevice';
import type { MembershipCondition, MembershipNode } from './membershipRule';

/**
 * Whether a device is a member by an Entra membership rule. Strings and regular expressions ignore case
 * ("Regex and string operations aren't case sensitive"); null equals only a missing value. On a
 * multi-valued property a plain condition asks whether any value satisfies it (negated operators: none
 * does the positive form); -any and -all ask it of at least one or of every value.
 */
export function isMember(rule: MembershipNode, device: TargetDevice): boolean {
  switch (rule.kind) {
    case 'and':
      return rule.operands.every((operand) => isMember(operand, device));
    case 'or':
      return rule.operands.some((operand) => isMember(operand, device));
    case 'not':
      return !isMember(rule.operand, device);
    case 'quantified': {
      const values = asList(rule.property.read(device));
      return rule.quantifier === 'any'
        ? values.some((value) => satisfies(value, rule))
        : values.every((value) => satisfies(value, rule));
    }
    case 'compare': {
      const fact = rule.property.read(device);
      if (Array.isArray(fact)) {
        const positive = positiveOf(rule);
        const any = fact.some((value) => satisfies(value, positive));
        return positive === rule ? any : !any;
      }
      return satisfies(fact as string | boolean | null, rule);
    }
  }
}

function asList(fact: string | boolean | readonly string[] | null): readonly string[] {
  return Array.isArray(fact) ? fact : [];
}

const POSITIVE = {
  ne: 'eq',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notContains: 'contains',
  notMatch: 'match',
  notIn: 'in',
} as const;

function positiveOf(condition: MembershipCondition): MembershipCondition {
  const operator = POSITIVE[condition.operator as keyof typeof POSITIVE];
  return operator ? { operator, value: condition.value } : condition;
}

function satisfies(fact: string | boolean | null, { operator, value }: MembershipCondition): boolean {
  const missing = fact === null || fact === '';
  const positive = positiveOf({ operator, value });
  const negated = positive.operator !== operator;
  if (value.kind === 'null') return missing !== negated;
  if (value.kind === 'boolean') return (fact === value.value) !== negated;
  if (missing || typeof fact === 'boolean') return negated;
  const text = fact.toLowerCase();
  let holds: boolean;
  switch (value.kind) {
    case 'list':
      holds = value.values.includes(text);
      break;
    case 'regex':
      holds = value.regex.test(fact);
      break;
    case 'text':
      holds =
        positive.operator === 'eq'
          ? text === value.value
          : positive.operator === 'startsWith'
            ? text.startsWith(value.value)
            : positive.operator === 'endsWith'
              ? text.endsWith(value.value)
              : text.includes(value.value);
      break;
  }
  return holds !== negated;
}
