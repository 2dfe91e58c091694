import { StagesimError } from '../errors';

/**
 * The `-android uiautomator` locator strategy: a chain such as
 * `new UiSelector().resourceId("com.example:id/next").text("Next")`, parsed into criteria that every
 * matching node meets. The subset is what page objects and selector files use: the attribute criteria of
 * UiSelector (exact, contains, starts-with and regex forms), boolean states, and `instance(n)`.
 *
 * Error code: UI_SELECTOR_INVALID (the message says where parsing stopped and what was expected).
 */

/** The attributes of a node as UiAutomator2 reports them in the page source. */
export interface NodeAttributes {
  text: string;
  'content-desc': string;
  'resource-id': string;
  class: string;
  package: string;
  clickable: boolean;
  enabled: boolean;
  focused: boolean;
  focusable: boolean;
  checked: boolean;
  selected: boolean;
  scrollable: boolean;
  index: number;
}

type Criterion = (node: NodeAttributes) => boolean;

export interface UiSelectorQuery {
  criteria: Criterion[];
  /** `instance(n)`: only the n-th match (0-based), in document order. */
  instance: number | null;
  /** The source, for messages. */
  source: string;
}

const STRING_METHODS: Record<string, (node: NodeAttributes, value: string) => boolean> = {
  text: (n, v) => n.text === v,
  textContains: (n, v) => n.text.includes(v),
  textStartsWith: (n, v) => n.text.startsWith(v),
  textMatches: (n, v) => fullMatch(v, n.text),
  description: (n, v) => n['content-desc'] === v,
  descriptionContains: (n, v) => n['content-desc'].includes(v),
  descriptionStartsWith: (n, v) => n['content-desc'].startsWith(v),
  descriptionMatches: (n, v) => fullMatch(v, n['content-desc']),
  resourceId: (n, v) => n['resource-id'] === v,
  resourceIdMatches: (n, v) => fullMatch(v, n['resource-id']),
  className: (n, v) => n.class === v,
  classNameMatches: (n, v) => fullMatch(v, n.class),
  packageName: (n, v) => n.package === v,
  packageNameMatches: (n, v) => fullMatch(v, n.package),
};

const BOOLEAN_METHODS: Record<string, keyof NodeAttributes> = {
  clickable: 'clickable',
  enabled: 'enabled',
  focused: 'focused',
  focusable: 'focusable',
  checked: 'checked',
  selected: 'selected',
  scrollable: 'scrollable',
};

const regexCache = new Map<string, RegExp>();

/** Java's String.matches: the whole string must match. */
function fullMatch(pattern: string, value: string): boolean {
  let regex = regexCache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    regexCache.set(pattern, regex);
  }
  return regex.test(value);
}

class Cursor {
  position = 0;
  constructor(readonly source: string) {}

  skipSpace(): void {
    while (this.position < this.source.length && /\s/.test(this.source[this.position]!)) this.position += 1;
  }

  fail(expected: string): never {
    const found =
      this.position >= this.source.length
        ? 'the end'
        : JSON.stringify(this.source.slice(this.position, this.position + 12));
    throw new StagesimError(
      'UI_SELECTOR_INVALID',
      `invalid UiSelector at character ${this.position + 1}: expected ${expected}, found ${found} in ${this.source}`,
    );
  }

  literal(text: string): void {
    this.skipSpace();
    if (!this.source.startsWith(text, this.position)) this.fail(JSON.stringify(text));
    this.position += text.length;
  }

  tryLiteral(text: string): boolean {
    this.skipSpace();
    if (!this.source.startsWith(text, this.position)) return false;
    this.position += text.length;
    return true;
  }

  identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.source.slice(this.position));
    if (!match) this.fail('a method name');
    this.position += match[0].length;
    return match[0];
  }

  string(): string {
    this.skipSpace();
    if (this.source[this.position] !== '"') this.fail('a string in double quotes');
    let value = '';
    for (let i = this.position + 1; i < this.source.length; i += 1) {
      const char = this.source[i]!;
      if (char === '\\') {
        const next = this.source[i + 1];
        if (next === undefined) break;
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        i += 1;
      } else if (char === '"') {
        this.position = i + 1;
        return value;
      } else value += char;
    }
    this.position = this.source.length;
    return this.fail('the closing quote of a string');
  }

  boolean(): boolean {
    if (this.tryLiteral('true')) return true;
    if (this.tryLiteral('false')) return false;
    return this.fail('true or false');
  }

  integer(): number {
    this.skipSpace();
    const match = /^\d{1,6}/.exec(this.source.slice(this.position));
    if (!match) this.fail('a whole number');
    this.position += match[0].length;
    return Number(match[0]);
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.position >= this.source.length;
  }
}

export function parseUiSelector(source: string): UiSelectorQuery {
  const cursor = new Cursor(source);
  cursor.literal('new');
  cursor.literal('UiSelector');
  cursor.literal('(');
  cursor.literal(')');
  const criteria: Criterion[] = [];
  let instance: number | null = null;
  while (cursor.tryLiteral('.')) {
    const method = cursor.identifier();
    cursor.literal('(');
    const stringMethod = STRING_METHODS[method];
    const booleanAttribute = BOOLEAN_METHODS[method];
    if (stringMethod) {
      const value = cursor.string();
      if (method.endsWith('Matches')) {
        try {
          fullMatch(value, '');
        } catch {
          throw new StagesimError(
            'UI_SELECTOR_INVALID',
            `invalid UiSelector: ${method}(${JSON.stringify(value)}) is not a valid regular expression`,
          );
        }
      }
      criteria.push((node) => stringMethod(node, value));
    } else if (booleanAttribute) {
      const value = cursor.boolean();
      criteria.push((node) => node[booleanAttribute] === value);
    } else if (method === 'index') {
      const value = cursor.integer();
      criteria.push((node) => node.index === value);
    } else if (method === 'instance') {
      instance = cursor.integer();
    } else {
      throw new StagesimError(
        'UI_SELECTOR_INVALID',
        `invalid UiSelector: .${method}() is not supported (supported: ${[...Object.keys(STRING_METHODS), ...Object.keys(BOOLEAN_METHODS), 'index', 'instance'].join(', ')})`,
      );
    }
    cursor.literal(')');
  }
  cursor.tryLiteral(';');
  if (!cursor.atEnd()) cursor.fail('"." and a UiSelector method, or the end');
  return { criteria, instance, source };
}

/** The nodes the query selects, in the order given (document order). */
export function selectNodes<T>(
  query: UiSelectorQuery,
  nodes: readonly T[],
  attributes: (node: T) => NodeAttributes,
): T[] {
  const matching = nodes.filter((node) => {
    const attrs = attributes(node);
    return query.criteria.every((criterion) => criterion(attrs));
  });
  if (query.instance === null) return matching;
  const chosen = matching[query.instance];
  return chosen === undefined ? [] : [chosen];
}

/** A UiSelector string for exact attribute values (selector files and page objects build these). */
export function uiSelectorFor(criteria: {
  resourceId?: string;
  text?: string;
  description?: string;
  className?: string;
}): string {
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  let out = 'new UiSelector()';
  if (criteria.resourceId !== undefined) out += `.resourceId(${quote(criteria.resourceId)})`;
  if (criteria.className !== undefined) out += `.className(${quote(criteria.className)})`;
  if (criteria.text !== undefined) out += `.text(${quote(criteria.text)})`;
  if (criteria.description !== undefined) out += `.description(${quote(criteria.description)})`;
  return out;
}
