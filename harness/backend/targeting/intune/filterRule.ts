import { ruleError, type RuleToken } from '../lexer';
import { managementTypeOf, PLATFORM_LABELS, type FilterPlatform } from '../platforms';
import { describeToken, TokenStream } from '../tokenStream';
import { parseVersion, type Version } from '../version';
import {
  FILTER_PROPERTIES,
  LIST_OPERATORS,
  OPERATOR_SPELLING,
  OPERATOR_WORDS,
  propertiesFor,
  type FilterOperator,
  type FilterProperty,
} from './filterProperties';

/**
 * Intune's filter rule language (filters-device-properties.md, "Advanced rule editing"):
 *
 *   rule       := and (("or" | "-or") and)*
 *   and        := primary (("and" | "-and") primary)*
 *   primary    := "(" rule ")" | comparison
 *   comparison := entity.property operator value
 *   value      := "text" | ["a", "b"] | Null | $Null | version
 *
 * Operators with or without their dash; properties, operators and values without regard to case;
 * nested parentheses; Null and $Null with -eq and -ne only; version values (10.0.22000.1000, quoted or
 * not) for operatingSystemVersion. There is no "not": the language has -ne, -notIn, -notContains and
 * exclude filters instead. Each property is checked against the filter's platform, each operator against
 * the property, and refusals name the property or operator and its position.
 */

export type FilterValue =
  | { kind: 'text'; value: string }
  | { kind: 'list'; values: string[] }
  | { kind: 'null' }
  | { kind: 'version'; version: Version };

export type FilterNode =
  | { kind: 'and' | 'or'; operands: FilterNode[] }
  | {
      kind: 'compare';
      property: FilterProperty;
      operator: FilterOperator;
      value: FilterValue;
      position: number;
    };

export interface FilterRule {
  platform: FilterPlatform;
  root: FilterNode;
}

const EXAMPLE = '(device.manufacturer -eq "Samsung")';

/** Operators of Entra's membership rules that Intune's filters do not have, so the refusal can say so. */
const ENTRA_ONLY_OPERATORS = new Set([
  'notstartswith',
  'endswith',
  'notendswith',
  'match',
  'notmatch',
  'any',
  'all',
]);

/** Parses and checks a filter rule for `platform`; throws StagesimError RULE_SYNTAX naming the position. */
export function parseFilterRule(text: string, platform: FilterPlatform): FilterRule {
  const parser = new FilterParser(new TokenStream(text, EXAMPLE), platform);
  return { platform, root: parser.parse() };
}

class FilterParser {
  private readonly offered: FilterProperty[];

  constructor(
    private readonly tokens: TokenStream,
    private readonly platform: FilterPlatform,
  ) {
    this.offered = propertiesFor(platform);
  }

  parse(): FilterNode {
    const root = this.or();
    this.tokens.expectEnd();
    return root;
  }

  private or(): FilterNode {
    return this.tokens.junctions<FilterNode>(() => this.primary());
  }

  private primary(): FilterNode {
    return this.tokens.nested(() => {
      const token = this.tokens.peek();
      if (this.tokens.isWord('not'))
        throw ruleError(
          token.position,
          `${describeToken(token)} is not an operator of Intune filter rules; use -ne, -notIn or -notContains, or assign the filter in exclude mode`,
        );
      if (token.kind === 'lparen') {
        this.tokens.take();
        const inner = this.or();
        this.tokens.closeParen(token);
        return inner;
      }
      return this.comparison();
    });
  }

  private comparison(): FilterNode {
    const subject = this.tokens.take();
    const property = this.property(subject);
    const operatorToken = this.tokens.take();
    const operator = this.operator(operatorToken, property);
    const value = this.value(property, operator);
    return { kind: 'compare', property, operator, value, position: subject.position };
  }

  private property(token: RuleToken): FilterProperty {
    const entity = managementTypeOf(this.platform) === 'apps' ? 'app' : 'device';
    if (token.kind !== 'word' || !token.value.includes('.'))
      throw ruleError(
        token.position,
        `expected a property such as ${entity}.${this.offered[0]?.name ?? 'model'}, found ${describeToken(token)}`,
      );
    const [prefix, ...rest] = token.value.split('.');
    const name = rest.join('.').toLowerCase();
    const where = `${PLATFORM_LABELS[this.platform]} (${this.platform}) filters`;
    if (prefix!.toLowerCase() !== entity) {
      const hint =
        entity === 'device'
          ? 'app.* properties are for filters on managed apps (the *MobileApplicationManagement platforms)'
          : 'device.* properties are for filters on managed devices';
      throw ruleError(
        token.position,
        `${where} take ${entity}.* properties, found "${token.value}"; ${hint}`,
      );
    }
    if (this.offered.length === 0)
      throw ruleError(
        token.position,
        `${where} have no properties; give the filter the platform of the devices it is for, e.g. androidForWork (Android Enterprise)`,
      );
    const property = FILTER_PROPERTIES.find(
      (candidate) => candidate.entity === entity && candidate.name.toLowerCase() === name,
    );
    const offered = this.offered.map((p) => `${entity}.${p.name}`).join(', ');
    if (!property)
      throw ruleError(
        token.position,
        `unknown property "${token.value}"; ${where} offer ${offered || 'no properties'}`,
      );
    if (!property.platforms.includes(this.platform))
      throw ruleError(
        token.position,
        `${entity}.${property.name} is not offered for ${where}; it applies to ${property.platforms.map((p) => PLATFORM_LABELS[p]).join(', ')}`,
      );
    return property;
  }

  private operator(token: RuleToken, property: FilterProperty): FilterOperator {
    const subject = `${property.entity}.${property.name}`;
    const supported = property.operators.map((o) => OPERATOR_SPELLING[o]).join(', ');
    if (token.kind !== 'word' && token.kind !== 'dashWord')
      throw ruleError(
        token.position,
        `expected an operator (${supported}) after ${subject}, found ${describeToken(token)}`,
      );
    const word = token.value.toLowerCase();
    const operator = OPERATOR_WORDS[word];
    if (!operator) {
      const why = ENTRA_ONLY_OPERATORS.has(word)
        ? ' (Entra membership rules have it; Intune filter rules do not)'
        : '';
      throw ruleError(
        token.position,
        `${describeToken(token)} is not an operator of Intune filter rules${why}; ${subject} takes ${supported}`,
      );
    }
    if (!property.operators.includes(operator))
      throw ruleError(
        token.position,
        `${describeToken(token)} is not supported on ${subject}; it takes ${supported}`,
      );
    return operator;
  }

  private value(property: FilterProperty, operator: FilterOperator): FilterValue {
    const spelled = OPERATOR_SPELLING[operator];
    if (LIST_OPERATORS.has(operator)) {
      const values = this.list(spelled);
      values.forEach(({ value, position }) => this.checkAllowed(property, value, position));
      return { kind: 'list', values: values.map(({ value }) => value.toLowerCase()) };
    }
    const token = this.tokens.take();
    if (token.kind === 'word' && /^\$?null$/i.test(token.value)) {
      if (operator !== 'equals' && operator !== 'notEquals')
        throw ruleError(token.position, `${token.value} goes with -eq and -ne only, not ${spelled}`);
      return { kind: 'null' };
    }
    if (property.valueType === 'version') {
      const version = token.kind === 'word' || token.kind === 'string' ? parseVersion(token.value) : null;
      if (!version)
        throw ruleError(
          token.position,
          `expected a version such as 10.0.22000.1000 after ${spelled}, found ${describeToken(token)}`,
        );
      return { kind: 'version', version };
    }
    if (token.kind !== 'string') {
      const hint = token.kind === 'lbracket' ? ' (a list needs -in or -notIn)' : '';
      throw ruleError(
        token.position,
        `expected a value in double quotes after ${spelled}, found ${describeToken(token)}${hint}`,
      );
    }
    if (operator === 'equals' || operator === 'notEquals')
      this.checkAllowed(property, token.value, token.position);
    return { kind: 'text', value: token.value.toLowerCase() };
  }

  // The reference lists values for some properties, per platform (cpuArchitecture: x64 on macOS, amd64
  // on Windows); a value it lists for none of the property's platforms cannot match anything.
  private checkAllowed(property: FilterProperty, value: string, position: number): void {
    if (!property.values) return;
    const allowed = [...new Set(property.platforms.flatMap((platform) => property.values!(platform)))];
    if (allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase())) return;
    const hint =
      property.name === 'deviceOwnership' && value.toLowerCase() === 'company'
        ? ' (Company is how Entra membership rules write it; Intune filters write Corporate)'
        : '';
    throw ruleError(
      position,
      `"${value}" is not a value of ${property.entity}.${property.name}${hint}; expected one of ${allowed.map((v) => `"${v}"`).join(', ')}`,
    );
  }

  private list(spelled: string): { value: string; position: number }[] {
    const open = this.tokens.take();
    if (open.kind !== 'lbracket')
      throw ruleError(
        open.position,
        `expected a list such as ["a", "b"] after ${spelled}, found ${describeToken(open)}`,
      );
    const values: { value: string; position: number }[] = [];
    for (;;) {
      const item = this.tokens.take();
      if (item.kind !== 'string')
        throw ruleError(
          item.position,
          `expected a value in double quotes in the list, found ${describeToken(item)}`,
        );
      values.push({ value: item.value, position: item.position });
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
