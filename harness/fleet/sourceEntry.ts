const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

/**
 * Node flags a child process inherits from this one: diagnostics and memory settings only, so that
 * `node --cpu-prof --cpu-prof-dir=DIR stagesim fleet` profiles the embedded backend too, and
 * `--heapsnapshot-signal=SIGUSR2` lets its heap be written on a signal (values only in the
 * `--flag=value` form). Never the rest of execArgv: it can hold `-e CODE` or `--inspect`, which a child
 * must not run again.
 */
const INHERITED =
  /^--((cpu-prof|heap-prof|trace-gc|single-threaded-gc|enable-source-maps)|(cpu-prof-dir|cpu-prof-interval|heap-prof-dir|heap-prof-interval|heapsnapshot-signal|diagnostic-dir|max-old-space-size|max-semi-space-size)=.+)$/;

/**
 * Node flags for a child process started from `file`: the inherited diagnostics, plus ts-node's
 * transpile-only hook when the fleet runs from its TypeScript sources (tests, ts-node).
 */
export function sourceExecArgv(file: string): string[] {
  const inherited = process.execArgv.filter((flag) => INHERITED.test(flag));
  return file.endsWith('.ts') ? [...inherited, ...TS_NODE] : inherited;
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
  return file.endsWith('.ts') && !process.execArgv.some((flag) => flag.includes('ts-node'))
    ? [...TS_NODE]
    : undefined;
}
