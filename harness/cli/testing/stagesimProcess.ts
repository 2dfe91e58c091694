import { join, relative, resolve } from 'node:path';
import { buildIsCurrent } from '../../testing/buildFreshness';

const ROOT = resolve(__dirname, '../../..');

/**
 * True when the last `npm run build` that finished began after every source file last changed, and
 * compiled each of them (buildIsCurrent). Browser sources are left out: esbuild bundles them into
 * dist/console, tsc compiles nothing of them into dist.
 */
export function compiledIsFresh(root = ROOT): boolean {
  const dist = join(root, 'dist');
  return buildIsCurrent(root, {
    dist,
    folders: ['agent', 'harness'].map((folder) => join(root, folder)),
    skip: [join('harness', 'console', 'web')],
    outputOf: (source) => join(dist, relative(root, source)).replace(/\.ts$/, '.js'),
  });
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
 * several times slower to start but never runs stale code. `env` is what the process needs besides the
 * caller's environment: ts-node is told the project's tsconfig, which it would otherwise look for from
 * the folder the process starts in.
 */
export function stagesimCommand(args: string[]): {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
} {
  compiled ??= compiledIsFresh();
  if (compiled)
    return {
      command: process.execPath,
      args: [join(ROOT, 'dist/harness/cli/main.js'), ...args],
      cwd: ROOT,
      env: {},
    };
  return {
    command: process.execPath,
    // Resolved here, so that the process finds ts-node whatever folder it is started in.
    args: [
      '-r',
      require.resolve('ts-node/register/transpile-only'),
      join(ROOT, 'harness/cli/main.ts'),
      ...args,
    ],
    cwd: ROOT,
    env: { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
  };
}
