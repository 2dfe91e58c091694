import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { StagesimError } from '../../agent/errors';
import { formatField, resolveIssues, type IssuePath } from './issues';
import { parseSafeYaml, parseSafeYamlDocument, positionIn, SafeYamlError } from './safeYaml';
import { isScenarioFileName } from './scenarioFiles';
import { flattenSteps, scenarioSchema, type Scenario, type ScenarioStep } from './schema';

/**
 * Finds and reads scenario files (YAML or JSON), and reports every problem of every file at once, each as
 * one line a person can jump to: `scenarios/x.yaml:12:7: steps[3].vendor[1].scanQrCode.token: expected
 * current or previous`.
 *
 * Problem codes: SCENARIO_PATH_NOT_FOUND, SCENARIO_NO_FILES, SCENARIO_READ_FAILED, SCENARIO_FILE_TOO_LARGE,
 * SCENARIO_NOT_UTF8, SCENARIO_YAML_SYNTAX, SCENARIO_YAML_TAG, SCENARIO_YAML_ALIAS_LIMIT, SCENARIO_JSON_SYNTAX,
 * SCENARIO_INVALID (the content does not fit the schema).
 */

/** A scenario is a page of text; anything this large is not one (and is not parsed). */
export const MAX_SCENARIO_BYTES = 256 * 1024;

export type ScenarioProblemCode =
  | 'SCENARIO_PATH_NOT_FOUND'
  | 'SCENARIO_NO_FILES'
  | 'SCENARIO_READ_FAILED'
  | 'SCENARIO_FILE_TOO_LARGE'
  | 'SCENARIO_NOT_UTF8'
  | 'SCENARIO_YAML_SYNTAX'
  | 'SCENARIO_YAML_TAG'
  | 'SCENARIO_YAML_ALIAS_LIMIT'
  | 'SCENARIO_JSON_SYNTAX'
  | 'SCENARIO_INVALID';

export interface ScenarioProblem {
  code: ScenarioProblemCode;
  file: string;
  line: number | null;
  column: number | null;
  /** The field at fault (steps[3].vendor[1].scanQrCode), or null for a problem with the file as a whole. */
  field: string | null;
  message: string;
}

export interface LoadedStep {
  step: ScenarioStep;
  /** Where the step is written (1-based), for failure messages; null when unknown. */
  line: number | null;
}

export interface LoadedScenario {
  /** The file as given or found (relative paths stay relative). */
  file: string;
  scenario: Scenario;
  steps: LoadedStep[];
}

/** Thrown for one file's problems; `problems` has them all, `code` is the first one's. */
export class ScenarioFileError extends StagesimError {
  constructor(readonly problems: ScenarioProblem[]) {
    super(problems[0]?.code ?? 'SCENARIO_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioFileError';
  }
}

/** `file:line:column: field: message`, leaving out what is unknown. */
export function formatProblem(problem: ScenarioProblem): string {
  const where = [problem.file, problem.line, problem.line !== null ? problem.column : null]
    .filter((part) => part !== null)
    .join(':');
  return `${where}: ${problem.field !== null ? `${problem.field}: ` : ''}${problem.message}`;
}

function fileProblem(
  file: string,
  code: ScenarioProblemCode,
  message: string,
  line: number | null = null,
  column: number | null = null,
): ScenarioProblem {
  return { code, file, line, column, field: null, message };
}

function isJson(file: string): boolean {
  return extname(file).toLowerCase() === '.json';
}

/**
 * JSON.parse's messages differ between V8 versions and do not always give a position; when they do not,
 * the YAML parser (which reads JSON too) says where it stopped.
 */
function jsonSyntaxProblem(file: string, text: string, error: Error): ScenarioProblem {
  const message = error.message
    .split('\n')[0]!
    .replace(/, \.\.\.".*$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
  const position = /position (\d+)/.exec(error.message);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    return fileProblem(
      file,
      'SCENARIO_JSON_SYNTAX',
      message,
      before.split('\n').length,
      before.length - before.lastIndexOf('\n'),
    );
  }
  try {
    parseSafeYamlDocument(text);
  } catch (yamlError) {
    const first = yamlError instanceof SafeYamlError ? yamlError.problems[0] : undefined;
    if (first) return fileProblem(file, 'SCENARIO_JSON_SYNTAX', message, first.line, first.column);
  }
  return fileProblem(file, 'SCENARIO_JSON_SYNTAX', message);
}

type PositionOf = (
  path: ReadonlyArray<string | number>,
  key?: string,
) => { line: number; column: number } | null;

/** Parses and validates one scenario's text; throws ScenarioFileError. */
export function parseScenarioText(text: string, file: string): LoadedScenario {
  let data: unknown;
  let positionOf: PositionOf;
  if (isJson(file)) {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ScenarioFileError([jsonSyntaxProblem(file, text, error as Error)]);
    }
    // The YAML parser reads JSON too; here it only tells where a field is. If it cannot, no line is given.
    try {
      const { doc, lines } = parseSafeYamlDocument(text);
      positionOf = (path, key) => positionIn(doc, lines, path, key);
    } catch {
      positionOf = () => null;
    }
  } else {
    try {
      const parsed = parseSafeYaml(text);
      data = parsed.value;
      positionOf = parsed.positionOf;
    } catch (error) {
      if (error instanceof SafeYamlError)
        throw new ScenarioFileError(error.problems.map((problem) => ({ ...problem, file, field: null })));
      throw error;
    }
  }

  const result = scenarioSchema.safeParse(data ?? {});
  if (!result.success) {
    const problems = resolveIssues(result.error.issues, data).map((issue): ScenarioProblem => {
      const at = positionOf(issue.key !== undefined ? issue.path.slice(0, -1) : issue.path, issue.key);
      return {
        code: 'SCENARIO_INVALID',
        file,
        line: at?.line ?? null,
        column: at?.column ?? null,
        field: formatField(issue.path),
        message: issue.message,
      };
    });
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ScenarioFileError(problems);
  }
  const steps = flattenSteps(result.data).map(({ step, path }) => ({
    step,
    line: positionOf(path as IssuePath)?.line ?? null,
  }));
  return { file, scenario: result.data, steps };
}

/** Reads one scenario file; throws ScenarioFileError. */
export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.size > MAX_SCENARIO_BYTES) {
      throw new ScenarioFileError([
        fileProblem(
          file,
          'SCENARIO_FILE_TOO_LARGE',
          `the file has ${info.size} bytes; a scenario file has at most ${MAX_SCENARIO_BYTES}`,
        ),
      ]);
    }
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ScenarioFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioFileError([
      fileProblem(
        file,
        code === 'ENOENT' ? 'SCENARIO_PATH_NOT_FOUND' : 'SCENARIO_READ_FAILED',
        code === 'ENOENT' ? 'no such file' : `cannot read the file: ${(error as Error).message}`,
      ),
    ]);
  }
  // Checked again after reading: the file may have grown in between.
  if (bytes.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioFileError([
      fileProblem(
        file,
        'SCENARIO_FILE_TOO_LARGE',
        `the file has ${bytes.length} bytes; a scenario file has at most ${MAX_SCENARIO_BYTES}`,
      ),
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ScenarioFileError([fileProblem(file, 'SCENARIO_NOT_UTF8', 'the file is not UTF-8 text')]);
  }
  return parseScenarioText(text.replace(/^\uFEFF/, ''), file);
}

/** Scenario files are *.yaml, *.yml and *.json, except JSON Schemas kept beside them (*.schema.json). */

async function walk(folder: string, found: string[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    // Symbolic links are not followed, so a link to a parent folder cannot make the walk endless.
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      await walk(path, found);
    else if (entry.isFile() && isScenarioFileName(entry.name)) found.push(path);
  }
}

/**
 * The scenario files named by `paths`: files as given, folders searched recursively (sorted by path).
 * Paths that do not exist, and folders with no scenario file, are problems.
 */
export async function findScenarioFiles(
  paths: readonly string[],
): Promise<{ files: string[]; problems: ScenarioProblem[] }> {
  const files: string[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push(fileProblem(path, 'SCENARIO_PATH_NOT_FOUND', 'no such file or folder'));
      continue;
    }
    const found: string[] = [];
    if (info.isDirectory()) {
      await walk(path, found);
      if (found.length === 0)
        problems.push(
          fileProblem(path, 'SCENARIO_NO_FILES', 'no scenario files (*.yaml, *.yml, *.json) in this folder'),
        );
    } else {
      found.push(path);
    }
    for (const file of found) {
      const key = resolve(file);
      if (!seen.has(key)) {
        seen.add(key);
        files.push(file);
      }
    }
  }
  return { files, problems };
}

export interface LoadResult {
  scenarios: LoadedScenario[];
  problems: ScenarioProblem[];
}

/** Loads every scenario under `paths`, collecting the problems of all files rather than stopping at one. */
export async function loadScenarios(paths: readonly string[]): Promise<LoadResult> {
  const { files, problems } = await findScenarioFiles(paths);
  const scenarios: LoadedScenario[] = [];
  for (const file of files) {
    try {
      scenarios.push(await loadScenarioFile(file));
    } catch (error) {
      if (error instanceof ScenarioFileError) problems.push(...error.problems);
      else throw error;
    }
  }
  return { scenarios, problems };
}
