import { basename, extname, relative, resolve } from 'node:path';

/**
 * What a scenario file is called, apart from what it holds: `stagesim run` registers and watches with
 * these before it loads the loader (yaml and the scenario schema), which only a run needs.
 */

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function isScenarioFileName(name: string): boolean {
  return (
    SCENARIO_EXTENSIONS.has(extname(name).toLowerCase()) &&
    !name.toLowerCase().endsWith('.schema.json') &&
    !name.startsWith('.')
  );
}

/** A short stable id for a scenario: its file path relative to `root`, or its file name. */
export function scenarioId(file: string, root: string = process.cwd()): string {
  const rel = relative(root, resolve(file));
  return rel.startsWith('..') ? basename(file) : rel.split('\\').join('/');
}
