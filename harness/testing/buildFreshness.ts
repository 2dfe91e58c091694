import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Whether a build's output is current, for tests that use compiled code (the CLI started as a child
 * process, the Appium driver Appium loads). A build that finishes leaves a stamp in its output folder
 * whose time is when it began (harness/cli/buildStamp.mjs, `begin` and `end` around the compile); the
 * build is current when no source it reads changed after that. Output files' own times cannot tell:
 * tsc's incremental build leaves an output untouched when its source's text is the same, so after a git
 * stash or checkout they look older than their sources for good.
 */
export interface BuildSources {
  /** The build's output folder, where its stamp (.built) is. */
  dist: string;
  /** Folders of TypeScript sources it reads, searched through. */
  folders: readonly string[];
  /** Folders under them it does not compile (relative to root). */
  skip?: readonly string[];
  /** Where a source's output must be, when each is asked for; null to ask for none. */
  outputOf?: (source: string) => string;
}

/** Never compiled into a build: tests, test helpers, dependencies and earlier output. */
const NEVER_COMPILED_FOLDERS = new Set(['testing', 'node_modules', 'dist']);

function isCompiledSource(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');
}

export function buildIsCurrent(root: string, sources: BuildSources): boolean {
  let built: number;
  try {
    built = statSync(join(sources.dist, '.built')).mtimeMs;
  } catch {
    return false;
  }
  const skip = new Set(sources.skip ?? []);
  const stack = [...sources.folders];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!NEVER_COMPILED_FOLDERS.has(entry.name) && !skip.has(relative(root, path))) stack.push(path);
      } else if (isCompiledSource(entry.name)) {
        try {
          if (statSync(path).mtimeMs > built) return false;
          if (sources.outputOf) statSync(sources.outputOf(path));
        } catch {
          return false;
        }
      }
    }
  }
  return true;
}
