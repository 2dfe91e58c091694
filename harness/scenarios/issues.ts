import type { z } from 'zod';

/**
 * Turns zod's issues into what a person fixing a scenario file needs: the field (as a path such as
 * steps[3].vendor[1].scanQrCode.token) and one sentence saying what was expected.
 *
 * Unions are where schemas produce useless errors ("Invalid input"): every command has a short form and
 * a map form, so a mistake in either fails both. A branch that failed only because the value has another
 * type (a map where text was allowed) says nothing about the mistake; the branch that got furthest does.
 */

type Issue = z.core.$ZodIssue;
export type IssuePath = Array<string | number>;

export interface ResolvedIssue {
  path: IssuePath;
  /** For an unknown key: the key (reported at the key, not at its map). */
  key?: string;
  message: string;
}

const DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized key)/;

function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  if (issue.code === 'invalid_union')
    return issue.errors.every((branch) => branch.length > 0 && branch.every(isTypeMismatch));
  return false;
}

function pathDepth(issues: readonly Issue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length + (issue.code === 'invalid_union' ? 1 : 0)));
}

function kindOf(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'boolean') return String(value);
  return `the number ${String(value)}`;
}

function valueAt(data: unknown, path: IssuePath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function sizeNoun(origin: string, count: number | bigint): string {
  switch (origin) {
    case 'array':
    case 'set':
      return `${count} item${count === 1 ? '' : 's'}`;
    case 'string':
      return `${count} character${count === 1 ? '' : 's'}`;
    default:
      return String(count);
  }
}

/** One sentence for one issue that is not a union. */
function sentence(issue: Issue, input: unknown): string {
  if (!DEFAULT_MESSAGE.test(issue.message)) {
    return input === undefined && issue.code === 'invalid_type' ? `missing; ${issue.message}` : issue.message;
  }
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? `missing; expected ${kindOf(issue.expected)}`
        : `expected ${kindOf(issue.expected)}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of: ${issue.values.map(String).join(', ')}`}${input === undefined ? ' (missing)' : `, got ${describeValue(input)}`}`;
    case 'too_small':
      return `expected at least ${sizeNoun(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `expected at most ${sizeNoun(issue.origin, issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `expected text matching ${String(issue.pattern)}`
        : `expected ${issue.format}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return issue.message;
  }
}

function resolve(issue: Issue, base: IssuePath, data: unknown, out: ResolvedIssue[]): void {
  const path = [
    ...base,
    ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
  ] as IssuePath;
  if (issue.code === 'invalid_union' && DEFAULT_MESSAGE.test(issue.message)) {
    const branches = issue.errors.filter((branch) => branch.length > 0);
    const informative = branches.filter((branch) => !branch.every(isTypeMismatch));
    if (informative.length === 0) {
      // Every form was the wrong kind of value: list the kinds that would do.
      const expected = new Set<string>();
      for (const branch of branches) {
        for (const inner of branch)
          expected.add(
            inner.code === 'invalid_type'
              ? kindOf(inner.expected)
              : inner.message.replace(/^(missing; )?expected /, ''),
          );
      }
      const input = valueAt(data, path);
      out.push({
        path,
        message: `${input === undefined ? 'missing; ' : ''}expected ${[...expected].join(', or ')}${input === undefined ? '' : `; got ${describeValue(input)}`}`,
      });
      return;
    }
    // The branch that got furthest into the value knows what is wrong with it.
    const best = informative.reduce((a, b) => (pathDepth(b) > pathDepth(a) ? b : a));
    for (const inner of best) resolve(inner, path, data, out);
    return;
  }
  if (issue.code === 'unrecognized_keys') {
    // A schema's own message already names every unknown key and what is allowed instead.
    if (!DEFAULT_MESSAGE.test(issue.message)) {
      out.push({ path: [...path, issue.keys[0]!], key: issue.keys[0]!, message: issue.message });
      return;
    }
    for (const key of issue.keys)
      out.push({
        path: [...path, key],
        key,
        message: sentence({ ...issue, keys: [key] }, valueAt(data, path)),
      });
    return;
  }
  out.push({ path, message: sentence(issue, valueAt(data, path)) });
}

/** Every problem zod found, one per field, in file order as far as paths tell. */
export function resolveIssues(issues: readonly Issue[], data: unknown): ResolvedIssue[] {
  const out: ResolvedIssue[] = [];
  for (const issue of issues) resolve(issue, [], data, out);
  // An unknown key is the cause of any complaint about the map that holds it ("expected one command").
  const mapsWithUnknownKeys = new Set(
    out.filter((item) => item.key !== undefined).map((item) => formatField(item.path.slice(0, -1))),
  );
  const seen = new Set<string>();
  return out.filter((item) => {
    if (item.key === undefined && mapsWithUnknownKeys.has(formatField(item.path))) return false;
    const id = `${formatField(item.path)}\u0000${item.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** steps[3].vendor[1].scanQrCode.token */
export function formatField(path: IssuePath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text === '' ? '(the file)' : text;
}
