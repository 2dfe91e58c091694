const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

/**
 * Node flags for a worker or child process started from `file`: this process's own (so that, say,
 * `node --cpu-prof` profiles the embedded backend and the workers too), plus ts-node's transpile-only
 * hook when the fleet runs from its TypeScript sources (tests, ts-node).
 */
export function sourceExecArgv(file: string): string[] {
  const own = process.execArgv;
  if (!file.endsWith('.ts') || own.some((flag) => flag.includes('ts-node'))) return [...own];
  return [...own, ...TS_NODE];
}

/** The sibling module `name` in the same form (.ts or .js) as `file`. */
export function siblingEntry(file: string, name: string): string {
  return file.replace(/[^/\\]+\.(ts|js)$/, `${name}.${file.endsWith('.ts') ? 'ts' : 'js'}`);
}

/**
 * execArgv for a worker thread started from `file`: undefined (a worker inherits its parent's options,
 * and refuses V8 and process-wide flags given again), or ts-node's hook for TypeScript sources.
 */
export function workerExecArgv(file: string): string[] | undefined {
  return file.endsWith('.ts') && !process.execArgv.some((flag) => flag.includes('ts-node')) ? [...TS_NODE] : undefined;
}
