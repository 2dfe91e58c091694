import { badRequest } from './graphError';

/**
 * The part of OData $filter that Graph clients use on managedDevices:
 *   serialNumber eq 'XX1234' and startswith(deviceName, 'Staging_')
 * Operators eq and ne; functions startswith, endswith, contains; and, or, not, parentheses. String
 * literals are single-quoted ('' is a quote). Property names and values compare case-insensitively,
 * as Graph does for these string properties.
 */
export type ODataPredicate = (record: Record<string, string>) => boolean;

type Token =
  | { kind: 'word' | 'string'; value: string; position: number }
  | { kind: '(' | ')' | ',' | 'end'; position: number };

function fail(position: number, message: string): never {
  throw badRequest(`Invalid $filter at position ${position}: ${message}`);
}

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
        if (i >= text.length) fail(position, 'this string has no closing quote');
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
    } else {
      fail(position, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', position: text.length + 1 });
  return tokens;
}

const FUNCTIONS: Record<string, (actual: string, value: string) => boolean> = {
  startswith: (actual, value) => actual.startsWith(value),
  endswith: (actual, value) => actual.endsWith(value),
  contains: (actual, value) => actual.includes(value),
};

/** Parses `text` against the properties a record has; throws a Graph 400 naming the position. */
export function parseODataFilter(text: string, properties: readonly string[]): ODataPredicate {
  const byLower = new Map(properties.map((name) => [name.toLowerCase(), name]));
  const tokens = tokenize(text);
  let index = 0;
  const peek = () => tokens[index]!;
  const take = () => tokens[Math.min(index++, tokens.length - 1)]!;
  const isWord = (word: string) => {
    const token = peek();
    return token.kind === 'word' && token.value.toLowerCase() === word;
  };
  const property = (token: Token): string => {
    if (token.kind !== 'word') fail(token.position, 'expected a property name');
    const name = byLower.get(token.value.toLowerCase());
    if (!name)
      fail(token.position, `unknown property "${token.value}"; filterable: ${properties.join(', ')}`);
    return name;
  };
  const literal = (): string => {
    const token = take();
    if (token.kind !== 'string') fail(token.position, "expected a value in single quotes, such as 'XX1234'");
    return token.value.toLowerCase();
  };
  const expect = (kind: '(' | ')' | ',') => {
    const token = take();
    if (token.kind !== kind) fail(token.position, `expected "${kind}"`);
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
      const name = property(take());
      expect(',');
      const value = literal();
      expect(')');
      return (record) => fn((record[name] ?? '').toLowerCase(), value);
    }
    const name = property(first);
    const operator = take();
    if (operator.kind !== 'word' || !['eq', 'ne'].includes(operator.value.toLowerCase())) {
      fail(operator.position, 'expected eq or ne');
    }
    const value = literal();
    const negate = operator.value.toLowerCase() === 'ne';
    return (record) => ((record[name] ?? '').toLowerCase() === value) !== negate;
  };

  if (text.trim() === '') fail(1, 'the filter is empty');
  const predicate = or();
  const rest = peek();
  if (rest.kind !== 'end') fail(rest.position, 'expected and, or, or the end of the filter');
  return predicate;
}
