import safeRegex from 'safe-regex2';
import { ruleError, type RuleToken } from '../lexer';
import { describeToken, TokenStream } from '../tokenStream';
import { MEMBERSHIP_PROPERTIES, type MembershipProperty } from './membershipProperties';

/**
 * Entra's dynamic membership rules for device groups (groups-dynamic-membership.md):
 *
 *   rule       := and (("-or" | "or") and)*
 *   and        := unary (("-and" | "and") unary)*
 *   unary      := ("-not" | "not") unary | "(" rule ")" | expression
 *   expression := device.property operator value
 *               | device.collection ("-any" | "-all") ( "(" _ operator value ")" | _ operator value )
 *   value      := "text" | ["a", "b"] | true | false | null | $null
 *
 * Precedence as the reference lists it: comparisons, then -not, then -and, then -or. Operators with or
 * without the hyphen; -match and -notMatch take a regular expression; string and regex operations ignore
 * case. These are Entra's own properties and operators, not Intune's filter language.
 */

export type MembershipOperator =
  | 'eq'
  | 'ne'
  | 'startsWith'
  | 'notStartsWith'
  | 'endsWith'
  | 'notEndsWith'
  | 'contains'
  | 'notContains'
  | 'match'
  | 'notMatch'
  | 'in'
  | 'notIn';

const OPERATORS: readonly MembershipOperator[] = [
  'eq',
  'ne',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'contains',
  'notContains',
  'match',
  'notMatch',
  'in',
  'notIn',
];
const operatorByWord = new Map(OPERATORS.map((operator) => [operator.toLowerCase(), operator] as const));
const SPELLED = OPERATORS.map((operator) => `-${operator}`).join(', ');
/** Intune filter operators Entra's rules lack for devices, so the refusal can say where they belong. */
const NOT_ENTRA = new Set(['gt', 'ge', 'lt', 'le']);

export type MembershipValue =
  | { kind: 'text'; value: string }
  | { kind: 'list'; values: string[] }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'regex'; regex: RegExp };

export interface MembershipCondition {
  operator: MembershipOperator;
  value: MembershipValue;
}

export type MembershipNode =
  | { kind: 'and' | 'or'; operands: MembershipNode[] }
  | { kind: 'not'; operand: MembershipNode }
  | ({ kind: 'compare'; property: MembershipProperty; position: number } & MembershipCondition)
  | ({
      kind: 'quantified';
      quantifier: 'any' | 'all';
      property: MembershipProperty;
      position: number;
    } & MembershipCondition);

const EXAMPLE = '(device.enrollmentProfileName -eq "Frontline staging")';

/** Parses an Entra device membership rule; throws StagesimError RULE_SYNTAX naming the position. */
export function parseMembershipRule(text: string): MembershipNode {
  const tokens = new TokenStream(text, EXAMPLE);
  const root = new MembershipParser(tokens).or();
  tokens.expectEnd();
  return root;
}

class MembershipParser {
  constructor(private readonly tokens: TokenStream) {}

  or(): MembershipNode {
    return this.tokens.junctions<MembershipNode>(() => this.unary());
  }

  private unary(): MembershipNode {
    return this.tokens.nested(() => {
      const token = this.tokens.peek();
      if (this.tokens.isWord('not')) {
        this.tokens.take();
        return { kind: 'not', operand: this.unary() };
      }
      if (token.kind === 'lparen') {
        this.tokens.take();
        const inner = this.or();
        this.tokens.closeParen(token);
        return inner;
      }
      return this.expression();
    });
  }

  private expression(): MembershipNode {
    const subject = this.tokens.take();
    const property = this.property(subject);
    const next = this.tokens.peek();
    if (this.tokens.isWord('any') || this.tokens.isWord('all')) {
      const quantifier = this.tokens.isWord('any') ? 'any' : 'all';
      this.tokens.take();
      if (property.type !== 'stringCollection')
        throw ruleError(
          next.position,
          `${describeToken(next)} applies to multi-valued properties (device.devicePhysicalIds, device.systemLabels), not device.${property.name}`,
        );
      const open = this.tokens.peek().kind === 'lparen' ? this.tokens.take() : null;
      const placeholder = this.tokens.take();
      if (!(placeholder.kind === 'word' && placeholder.value === '_'))
        throw ruleError(
          placeholder.position,
          `expected _ (each value of device.${property.name}) after ${describeToken(next)}, found ${describeToken(placeholder)}`,
        );
      const condition = this.condition(property);
      if (open) this.tokens.closeParen(open);
      return {
        kind: 'quantified',
        quantifier,
        property,
        position: subject.position,
        ...condition,
      };
    }
    return { kind: 'compare', property, position: subject.position, ...this.condition(property) };
  }

  private property(token: RuleToken): MembershipProperty {
    if (token.kind !== 'word' || !token.value.includes('.'))
      throw ruleError(
        token.position,
        `expected a device attribute such as device.deviceOSVersion, found ${describeToken(token)}`,
      );
    const [entity, ...rest] = token.value.split('.');
    const name = rest.join('.').toLowerCase();
    if (entity!.toLowerCase() === 'user')
      throw ruleError(
        token.position,
        `"${token.value}" is a user attribute; a dynamic device group's rule can reference only device attributes (and dynamic user groups are not simulated)`,
      );
    if (entity!.toLowerCase() !== 'device')
      throw ruleError(
        token.position,
        `expected a device attribute such as device.deviceOSVersion, found "${token.value}"`,
      );
    if (name === 'memberof')
      throw ruleError(token.position, 'device.memberOf (a preview feature) is not simulated');
    const property = MEMBERSHIP_PROPERTIES.find((candidate) => candidate.name.toLowerCase() === name);
    if (!property) {
      const intune: Record<string, string> = {
        osversion: 'deviceOSVersion',
        operatingsystemversion: 'deviceOSVersion',
        manufacturer: 'deviceManufacturer',
        model: 'deviceModel',
        devicename: 'displayName',
      };
      const hint = intune[name]
        ? ` (that is Intune's filter name; Entra calls it device.${intune[name]})`
        : '';
      throw ruleError(
        token.position,
        `unknown device attribute "${token.value}"${hint}; Entra's device attributes: ${MEMBERSHIP_PROPERTIES.map((p) => p.name).join(', ')}`,
      );
    }
    return property;
  }

  private condition(property: MembershipProperty): MembershipCondition {
    const token = this.tokens.take();
    if (token.kind !== 'word' && token.kind !== 'dashWord')
      throw ruleError(token.position, `expected an operator (${SPELLED}), found ${describeToken(token)}`);
    const word = token.value.toLowerCase();
    const operator = operatorByWord.get(word);
    if (!operator) {
      const why = NOT_ENTRA.has(word) ? ' (Intune filters have it for operatingSystemVersion)' : '';
      throw ruleError(
        token.position,
        `${describeToken(token)} is not an operator of Entra membership rules for devices${why}; supported: ${SPELLED}`,
      );
    }
    return { operator, value: this.value(property, operator) };
  }

  private value(property: MembershipProperty, operator: MembershipOperator): MembershipValue {
    if (operator === 'in' || operator === 'notIn') return { kind: 'list', values: this.list(operator) };
    const token = this.tokens.take();
    if (token.kind === 'word' && /^\$?null$/i.test(token.value)) {
      if (operator !== 'eq' && operator !== 'ne')
        throw ruleError(token.position, `null goes with -eq and -ne only, not -${operator}`);
      return { kind: 'null' };
    }
    if (property.type === 'boolean') {
      const text = token.kind === 'word' || token.kind === 'string' ? token.value.toLowerCase() : '';
      if ((text !== 'true' && text !== 'false') || (operator !== 'eq' && operator !== 'ne'))
        throw ruleError(
          token.position,
          `device.${property.name} is true or false, compared with -eq or -ne; found -${operator} ${describeToken(token)}`,
        );
      return { kind: 'boolean', value: text === 'true' };
    }
    if (token.kind !== 'string')
      throw ruleError(
        token.position,
        `expected a value in double quotes after -${operator}, found ${describeToken(token)}`,
      );
    if (operator === 'match' || operator === 'notMatch') {
      let regex: RegExp;
      try {
        regex = new RegExp(token.value, 'i');
      } catch (error) {
        throw ruleError(token.position, `not a regular expression: ${(error as Error).message}`);
      }
      // The backend evaluates rules in its one thread: a pattern that can backtrack exponentially (nested
      // quantifiers) would stall every device, so it is refused where Entra would time it out.
      if (!safeRegex(regex))
        throw ruleError(
          token.position,
          'this regular expression can take exponential time (a repeated group that itself repeats); simplify it',
        );
      return { kind: 'regex', regex };
    }
    return { kind: 'text', value: token.value.toLowerCase() };
  }

  private list(operator: MembershipOperator): string[] {
    const open = this.tokens.take();
    if (open.kind !== 'lbracket')
      throw ruleError(
        open.position,
        `expected a list such as ["a", "b"] after -${operator}, found ${describeToken(open)}`,
      );
    const values: string[] = [];
    for (;;) {
      const item = this.tokens.take();
      if (item.kind !== 'string')
        throw ruleError(
          item.position,
          `expected a value in double quotes in the list, found ${describeToken(item)}`,
        );
      values.push(item.value.toLowerCase());
      const separator = this.tokens.take();
      if (separator.kind === 'rbracket') return values;
      if (separator.kind !== 'comma')
        throw ruleError(
          separator.position,
          `expected "," or "]" in the list, found ${describeToken(separator)}`,
        );
    }
  }
}
