import {
  isNode,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

/**
 * Reading scenario YAML as data and nothing else: the YAML 1.2 core schema (strings, numbers, booleans,
 * null, maps, lists), no tags at all (so nothing like `!!js/function` or a custom `!tag` can ask for
 * anything to be built), unique keys, and a cap on alias expansion so a "billion laughs" file of nested
 * aliases is refused instead of exhausting memory.
 */

/** How many alias expansions a file may have; scenarios reuse a block or two, an attack needs thousands. */
export const MAX_ALIAS_COUNT = 50;

export type SafeYamlProblemCode = 'SCENARIO_YAML_SYNTAX' | 'SCENARIO_YAML_TAG' | 'SCENARIO_YAML_ALIAS_LIMIT';

export interface SafeYamlProblem {
  code: SafeYamlProblemCode;
  line: number | null;
  column: number | null;
  message: string;
}

export interface ParsedYaml {
  value: unknown;
  /** Line and column (1-based) of the node at a path of keys and indexes, or of its nearest ancestor. */
  positionOf(path: ReadonlyArray<string | number>, key?: string): { line: number; column: number } | null;
}

export class SafeYamlError extends Error {
  constructor(readonly problems: SafeYamlProblem[]) {
    super(problems.map((problem) => problem.message).join('; '));
    this.name = 'SafeYamlError';
  }
}

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  schema: 'core',
  customTags: [],
  // Without this the core schema still builds !!binary, !!set, !!omap, !!pairs and !!timestamp values.
  resolveKnownTags: false,
  merge: false,
  uniqueKeys: true,
  strict: true,
  prettyErrors: false,
};

function firstLine(text: string): string {
  return text
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
}

/** Parses YAML text (JSON is YAML too) for its positions; throws SafeYamlError listing every problem. */
export function parseSafeYamlDocument(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const problems: SafeYamlProblem[] = doc.errors.map((error) => {
    const at = lines.linePos(error.pos[0]);
    return { code: 'SCENARIO_YAML_SYNTAX', line: at.line, column: at.col, message: firstLine(error.message) };
  });

  visit(doc, (_key, node) => {
    if (isNode(node) && node.tag !== undefined && (node as Node).range) {
      const at = lines.linePos(tagOffset(text, (node as Node).range![0]));
      problems.push({
        code: 'SCENARIO_YAML_TAG',
        line: at.line,
        column: at.col,
        message: `the tag ${displayTag(node.tag)} is not allowed: scenario files are plain data (text, numbers, true/false, lists and maps)`,
      });
    }
  });
  if (problems.length > 0) throw new SafeYamlError(problems);
  return { doc, lines };
}

/** Where the tag of the node starting at `valueOffset` is written (the node's range starts after it). */
function tagOffset(text: string, valueOffset: number): number {
  let end = valueOffset;
  while (end > 0 && /\s/.test(text[end - 1]!)) end -= 1;
  let start = end;
  while (start > 0 && !/\s/.test(text[start - 1]!)) start -= 1;
  return text[start] === '!' && start < end ? start : valueOffset;
}

function displayTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

export function positionIn(
  doc: Document,
  lines: LineCounter,
  path: ReadonlyArray<string | number>,
  key?: string,
): { line: number; column: number } | null {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as
      Node | null | undefined;
    if (!isNode(node) || !node.range) continue;
    let offset = node.range[0];
    // An unknown key is reported at the key itself, not at the map that holds it.
    if (depth === path.length && key !== undefined && 'items' in node) {
      const pair = (node.items as Array<{ key?: unknown }>).find(
        (item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === key,
      );
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) offset = keyNode.range[0];
    }
    const at = lines.linePos(offset);
    return { line: at.line, column: at.col };
  }
  return null;
}

/** Parses YAML text into plain data; throws SafeYamlError. */
export function parseSafeYaml(text: string): ParsedYaml {
  const { doc, lines } = parseSafeYamlDocument(text);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
      throw new SafeYamlError([
        {
          code: 'SCENARIO_YAML_ALIAS_LIMIT',
          line: null,
          column: null,
          message: `the file expands aliases (*name) more than ${MAX_ALIAS_COUNT} times; refused as a resource-exhaustion risk`,
        },
      ]);
    }
    throw new SafeYamlError([
      {
        code: 'SCENARIO_YAML_SYNTAX',
        line: null,
        column: null,
        message: firstLine((error as Error).message),
      },
    ]);
  }
  return { value, positionOf: (path, key) => positionIn(doc, lines, path, key) };
}
