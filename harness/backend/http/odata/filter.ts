import { GraphError } from '../graphError';
import type { EntitySet, FilterKind } from './entitySet';

/**
 * OData $filter as Graph clients write it for Intune's lists:
 *   operatingSystem eq 'Android' and enrolledDateTime ge 2024-06-01T00:00:00Z
 *   startswith(deviceName, 'Staging_') or not (complianceState eq 'compliant')
 * eq and ne on every filterable property (also with null), gt ge lt le on dates and numbers,
 * startswith / endswith / contains on strings, and / or / not, parentheses. Strings are single-quoted
 * ('' is a quote) and compare without regard to case, as Intune compares them; dates are OData
 * DateTimeOffset literals, unquoted. Errors are one line naming the position.
 */
export type ODataPredicate = (record: Record<string, unknown>) => boolean;

type Token =
  | { kind: 'word' | 'string' | 'literal'; value: string; position: number }
  | { kind: '(' | ')' | ',' | 'end'; position: number };

const syntax = (text: string, position: number, message: string): never => {
  throw new GraphError(400, 'BadRequest', `Syntax error at position ${position} in '${text}': ${message}`);
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const position = i + 1;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char, position });
      i += 1;
    } else if (char === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) syntax(text, position, 'this string has no closing quote');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          break;
        }
        value += text[i];
        i += 1;
      }
      i += 1;
      tokens.push({ kind: 'string', value, position });
    } else if (/[A-Za-z_]/.test(char)) {
      let end = i;
      while (end < text.length && /[A-Za-z0-9_]/.test(text[end]!)) end += 1;
      tokens.push({ kind: 'word', value: text.slice(i, end), position });
      i = end;
    } else if (/[0-9-]/.test(char)) {
      // Numbers and DateTimeOffset literals (2024-06-22T04:20:00.000Z, with an offset +02:00).
      let end = i + 1;
      while (end < text.length && /[0-9TZ:.+-]/.test(text[end]!)) end += 1;
      tokens.push({ kind: 'literal', value: text.slice(i, end), position });
      i = end;
    } else {
      syntax(text, position, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', position: text.length + 1 });
  return tokens;
}

const EDM: Record<FilterKind, string> = {
  string: 'Edm.String',
  enum: 'Edm.String',
  dateTime: 'Edm.DateTimeOffset',
  number: 'Edm.Int64',
  boolean: 'Edm.Boolean',
};
const OPERATOR_KINDS: Record<string, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const FUNCTIONS: Record<string, (actual: string, value: string) => boolean> = {
  startswith: (actual, value) => actual.startsWith(value),
  endswith: (actual, value) => actual.endsWith(value),
  contains: (actual, value) => actual.includes(value),
};
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A value as the predicate compares it: strings in lower case, dates as epoch ms. */
type Comparable = string | number | boolean | null;

function comparable(value: unknown, kind: FilterKind): Comparable {
  if (value === null || value === undefined) return null;
  if (kind === 'dateTime') return Date.parse(String(value));
  if (kind === 'string' || kind === 'enum') return String(value).toLowerCase();
  return value as number | boolean;
}

/** Parses `text` for `set`; throws a Graph 400 naming what is wrong and where. */
export function parseODataFilter(text: string, set: EntitySet): ODataPredicate {
  const filterable = set.filterable ?? {};
  const known = new Map(set.properties.map((name) => [name.toLowerCase(), name]));
  const tokens = tokenize(text);
  let index = 0;
  const peek = () => tokens[index]!;
  const take = () => tokens[Math.min(index++, tokens.length - 1)]!;
  const isWord = (word: string) => {
    const token = peek();
    return token.kind === 'word' && token.value.toLowerCase() === word;
  };
  const property = (token: Token): [string, FilterKind] => {
    if (token.kind !== 'word') syntax(text, token.position, 'expected a property name');
    const value = (token as { value: string }).value;
    const name = known.get(value.toLowerCase());
    if (!name)
      throw new GraphError(
        400,
        'BadRequest',
        `Could not find a property named '${value}' on type '${set.type}'.`,
      );
    const kind = filterable[name];
    if (!kind)
      throw new GraphError(
        400,
        'BadRequest',
        `The query specified in the URI is not valid. The property '${name}' cannot be used in the $filter query option.`,
      );
    return [name, kind];
  };
  const literal = (kind: FilterKind, operator: string): Comparable => {
    const token = take();
    if (token.kind === 'word' && token.value.toLowerCase() === 'null') {
      if (operator !== 'eq' && operator !== 'ne')
        syntax(text, token.position, 'null compares with eq and ne only');
      return null;
    }
    const found =
      token.kind === 'string'
        ? 'Edm.String'
        : token.kind === 'literal'
          ? DATE_LITERAL.test(token.value)
            ? 'Edm.DateTimeOffset'
            : /^-?\d+(\.\d+)?$/.test(token.value)
              ? 'Edm.Int64'
              : syntax(
                  text,
                  token.position,
                  `"${token.value}" is not a number or a date such as 2024-06-22T04:20:00Z`,
                )
          : token.kind === 'word' && /^(true|false)$/i.test(token.value)
            ? 'Edm.Boolean'
            : syntax(text, token.position, "expected a value: 'text', a number, a date, true, false or null");
    if (found !== EDM[kind])
      throw new GraphError(
        400,
        'BadRequest',
        `A binary operator with incompatible types was detected. Found operand types '${EDM[kind]}' and '${found}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
      );
    const value = (token as { value: string }).value;
    if (found === 'Edm.Boolean') return value.toLowerCase() === 'true';
    if (found === 'Edm.Int64') return Number(value);
    if (found === 'Edm.DateTimeOffset') return Date.parse(value);
    return value.toLowerCase();
  };
  const expect = (kind: '(' | ')' | ',') => {
    const token = take();
    if (token.kind !== kind) syntax(text, token.position, `expected "${kind}"`);
  };

  const or = (): ODataPredicate => {
    const parts = [and()];
    while (isWord('or')) {
      take();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (record) => parts.some((part) => part(record));
  };
  const and = (): ODataPredicate => {
    const parts = [unary()];
    while (isWord('and')) {
      take();
      parts.push(unary());
    }
    return parts.length === 1 ? parts[0]! : (record) => parts.every((part) => part(record));
  };
  const unary = (): ODataPredicate => {
    if (isWord('not')) {
      take();
      const inner = unary();
      return (record) => !inner(record);
    }
    if (peek().kind === '(') {
      take();
      const inner = or();
      expect(')');
      return inner;
    }
    const first = take();
    if (first.kind === 'word' && FUNCTIONS[first.value.toLowerCase()] && peek().kind === '(') {
      const fn = FUNCTIONS[first.value.toLowerCase()]!;
      expect('(');
      const [name, kind] = property(take());
      if (kind !== 'string' && kind !== 'enum')
        syntax(
          text,
          first.position,
          `${first.value.toLowerCase()} takes a string property, and ${name} is not one`,
        );
      expect(',');
      const valueToken = take();
      if (valueToken.kind !== 'string')
        syntax(text, valueToken.position, "expected a value in single quotes, such as 'XX1234'");
      const value = (valueToken as { value: string }).value.toLowerCase();
      expect(')');
      return (record) => fn(String(record[name] ?? '').toLowerCase(), value);
    }
    const [name, kind] = property(first);
    const operatorToken = take();
    const operator = operatorToken.kind === 'word' ? operatorToken.value.toLowerCase() : '';
    const ordered = kind === 'dateTime' || kind === 'number';
    if (!OPERATOR_KINDS[operator] || (!ordered && !['eq', 'ne'].includes(operator)))
      syntax(
        text,
        operatorToken.position,
        ordered ? 'expected eq, ne, gt, ge, lt or le' : 'expected eq or ne',
      );
    const value = literal(kind, operator);
    return (record) => {
      const actual = comparable(record[name], kind);
      switch (operator) {
        case 'eq':
          return actual === value;
        case 'ne':
          return actual !== value;
      }
      if (actual === null || value === null) return false;
      switch (operator) {
        case 'gt':
          return actual > value;
        case 'ge':
          return actual >= value;
        case 'lt':
          return actual < value;
        default:
          return actual <= value;
      }
    };
  };

  if (text.trim() === '') syntax(text, 1, 'the filter is empty');
  const predicate = or();
  const rest = peek();
  if (rest.kind !== 'end') syntax(text, rest.position, 'expected and, or, or the end of the filter');
  return predicate;
}
