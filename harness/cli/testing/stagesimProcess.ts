import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SOURCE_DIRS = ['agent', 'harness'];
/** Browser sources: esbuild bundles them into dist/console; tsc compiles nothing of them into dist. */
const NOT_COMPILED = new Set([join('harness', 'console', 'web')]);

/**
 * True when the last `npm run build` that finished began after every source file last changed, and
 * compiled each of them. Output files' own times cannot tell: tsc's incremental build leaves an output
 * untouched when its source's text is the same, so after a git stash or checkout they look older than
 * their sources for good (harness/cli/buildStamp.mjs writes the stamp).
 */
export function compiledIsFresh(root = ROOT): boolean {
  let built: number;
  try {
    built = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return false;
  }
  const stack = SOURCE_DIRS.map((dir) => join(root, dir));
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (
          entry.name !== 'testing' &&
          entry.name !== 'node_modules' &&
          !NOT_COMPILED.has(relative(root, path))
        )
          stack.push(path);
      } else if (
        entry.name.endsWith('.ts') &&
        !entry.name.endsWith('.test.ts') &&
        !entry.name.endsWith('.d.ts')
      ) {
        const compiled = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
        try {
          if (statSync(path).mtimeMs > built) return false;
          statSync(compiled);
        } catch {
          return false;
        }
      }
    }
  }
  return true;
}

/**
 * Whether this test file's CLI processes run the compiled CLI, worked out at its first: a test file
 * starts dozens of them, each once walked every source file for it, and jest loads this module anew for
 * every test file, so an edit between two files is still seen.
 */
let compiled: boolean | undefined;

/**
 * How to start the stagesim CLI as a child process in tests: the compiled CLI when the last build is
 * current (compiledIsFresh; npm test builds first), otherwise the TypeScript through ts-node, which is
 * several times slower to start but never runs stale code.
 */
export function stagesimCommand(args: string[]): { command: string; args: string[]; cwd: string } {
  compiled ??= compiledIsFresh();
  const entry = compiled
    ? [join(ROOT, 'dist/harness/cli/main.js')]
    : ['-r', 'ts-node/register/transpile-only', join(ROOT, 'harness/cli/main.ts')];
  return { command: process.execPath, args: [...entry, ...args], cwd: ROOT };
}
