import { ruleError, tokenize, type RuleToken } from './lexer';

/**
 * A recursive-descent parser for Intune's assignment-filter rules and Entra's membershipRule, e.g.
 *   (device.enrollmentProfileName -eq "Frontline staging") and (device.osVersion -startsWith "13")
 *
 *   rule       := or
 *   or         := and (("or" | "-or") and)*
 *   and        := unary (("and" | "-and") unary)*
 *   unary      := ("not" | "-not") unary | "(" rule ")" | comparison
 *   comparison := property operator (string | "[" string ("," string)* "]")
 *
 * Property and operator names are case-insensitive, as Intune treats them. Values are compared without
 * regard to case at evaluation (evaluate.ts), so the parser stores them lower-cased.
 */

export const DEVICE_PROPERTIES = [
  'enrollmentProfileName',
  'osVersion',
  'manufacturer',
  'model',
  'deviceName',
  'serialNumber',
] as const;
export type DeviceProperty = (typeof DEVICE_PROPERTIES)[number];

/** Entra's device attribute names for the same facts, accepted in membership rules. */
const PROPERTY_ALIASES: Record<string, DeviceProperty> = {
  deviceosversion: 'osVersion',
  devicemanufacturer: 'manufacturer',
  devicemodel: 'model',
  displayname: 'deviceName',
};

export const OPERATORS = [
  'eq',
  'ne',
  'startsWith',
  'notStartsWith',
  'contains',
  'notContains',
  'in',
  'notIn',
] as const;
export type RuleOperator = (typeof OPERATORS)[number];
const LIST_OPERATORS: ReadonlySet<RuleOperator> = new Set(['in', 'notIn']);

export type RuleNode =
  | {
      kind: 'compare';
      property: DeviceProperty;
      operator: 'in' | 'notIn';
      values: string[];
      position: number;
    }
  | {
      kind: 'compare';
      property: DeviceProperty;
      operator: Exclude<RuleOperator, 'in' | 'notIn'>;
      value: string;
      position: number;
    }
  | { kind: 'and' | 'or'; operands: RuleNode[] }
  | { kind: 'not'; operand: RuleNode };

/** Intune's own limit on a filter rule's length. */
export const MAX_RULE_LENGTH = 3072;
const MAX_DEPTH = 50;

const propertyByLowerName = new Map<string, DeviceProperty>(
  DEVICE_PROPERTIES.map((name) => [name.toLowerCase(), name]),
);
const operatorByLowerName = new Map<string, RuleOperator>(
  OPERATORS.map((name) => [name.toLowerCase(), name]),
);

/** Parses a rule or throws StagesimError RULE_SYNTAX with the 1-based position of the fault. */
export function parseRule(text: string): RuleNode {
  if (text.length > MAX_RULE_LENGTH)
    throw ruleError(
      MAX_RULE_LENGTH + 1,
      `a rule has at most ${MAX_RULE_LENGTH} characters (this one has ${text.length})`,
    );
  if (text.trim() === '')
    throw ruleError(1, 'the rule is empty; expected a condition such as device.osVersion -startsWith "13"');
  return new Parser(tokenize(text)).parse();
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: RuleToken[]) {}

  parse(): RuleNode {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end')
      throw ruleError(next.position, `expected "and", "or" or the end of the rule, found ${describe(next)}`);
    return node;
  }

  private peek(): RuleToken {
    return this.tokens[this.index]!;
  }

  private take(): RuleToken {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isLogical(word: 'and' | 'or' | 'not'): boolean {
    const token = this.peek();
    return (token.kind === 'word' || token.kind === 'dashWord') && token.value.toLowerCase() === word;
  }

  private or(): RuleNode {
    const operands = [this.and()];
    while (this.isLogical('or')) {
      this.take();
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private and(): RuleNode {
    const operands = [this.unary()];
    while (this.isLogical('and')) {
      this.take();
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private unary(): RuleNode {
    const token = this.peek();
    if (this.depth >= MAX_DEPTH)
      throw ruleError(token.position, `conditions nest more than ${MAX_DEPTH} deep`);
    this.depth += 1;
    try {
      if (this.isLogical('not')) {
        this.take();
        return { kind: 'not', operand: this.unary() };
      }
      if (token.kind === 'lparen') {
        this.take();
        const inner = this.or();
        const close = this.take();
        if (close.kind !== 'rparen')
          throw ruleError(
            close.position,
            `expected ")" to close the "(" at position ${token.position}, found ${describe(close)}`,
          );
        return inner;
      }
      return this.comparison();
    } finally {
      this.depth -= 1;
    }
  }

  private comparison(): RuleNode {
    const subject = this.take();
    if (subject.kind !== 'word')
      throw ruleError(
        subject.position,
        `expected a device property such as device.osVersion, found ${describe(subject)}`,
      );
    const property = resolveProperty(subject);

    const operatorToken = this.take();
    if (operatorToken.kind !== 'dashWord') {
      throw ruleError(
        operatorToken.position,
        `expected an operator (${OPERATORS.map((o) => `-${o}`).join(', ')}) after ${subject.value}, found ${describe(operatorToken)}`,
      );
    }
    const operator = operatorByLowerName.get(operatorToken.value.toLowerCase());
    if (!operator) {
      throw ruleError(
        operatorToken.position,
        `unknown operator -${operatorToken.value}; supported: ${OPERATORS.map((o) => `-${o}`).join(', ')}`,
      );
    }

    if (LIST_OPERATORS.has(operator)) {
      const values = this.list(operator);
      return {
        kind: 'compare',
        property,
        operator: operator as 'in' | 'notIn',
        values,
        position: subject.position,
      };
    }
    const value = this.take();
    if (value.kind !== 'string') {
      const hint = value.kind === 'lbracket' ? ` (a list needs -in or -notIn)` : '';
      throw ruleError(
        value.position,
        `expected a value in double quotes after -${operator}, found ${describe(value)}${hint}`,
      );
    }
    return {
      kind: 'compare',
      property,
      operator: operator as Exclude<RuleOperator, 'in' | 'notIn'>,
      value: value.value.toLowerCase(),
      position: subject.position,
    };
  }

  private list(operator: RuleOperator): string[] {
    const open = this.take();
    if (open.kind !== 'lbracket')
      throw ruleError(
        open.position,
        `expected a list such as ["a", "b"] after -${operator}, found ${describe(open)}`,
      );
    const values: string[] = [];
    for (;;) {
      const item = this.take();
      if (item.kind !== 'string')
        throw ruleError(
          item.position,
          `expected a value in double quotes in the list, found ${describe(item)}`,
        );
      values.push(item.value.toLowerCase());
      const separator = this.take();
      if (separator.kind === 'rbracket') return values;
      if (separator.kind !== 'comma')
        throw ruleError(separator.position, `expected "," or "]" in the list, found ${describe(separator)}`);
    }
  }
}

function resolveProperty(token: { value: string; position: number }): DeviceProperty {
  const lower = token.value.toLowerCase();
  if (!lower.startsWith('device.')) {
    throw ruleError(
      token.position,
      `expected a device property such as device.osVersion, found "${token.value}"`,
    );
  }
  const name = lower.slice('device.'.length);
  const property = propertyByLowerName.get(name) ?? PROPERTY_ALIASES[name];
  if (!property) {
    throw ruleError(
      token.position,
      `unknown property "${token.value}"; supported: ${DEVICE_PROPERTIES.map((p) => `device.${p}`).join(', ')}`,
    );
  }
  return property;
}

function describe(token: RuleToken): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the rule';
    case 'string':
      return `"${token.value}"`;
    case 'dashWord':
      return `-${token.value}`;
    case 'word':
      return `"${token.value}"`;
    default:
      return `"${{ lparen: '(', rparen: ')', lbracket: '[', rbracket: ']', comma: ',' }[token.kind]}"`;
  }
}
