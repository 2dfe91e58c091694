import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../../agent/projectRoot';

/**
 * Appium loads the driver's compiled JavaScript, so a test run must not use a stale build. `npm test`
 * compiles it in pretest; a bare `npx jest` gets it compiled here when a source is newer than the last
 * build (tsc's build info file, touched after every build so an unrelated change costs one build).
 */
const SOURCE_FOLDERS = ['agent', join('harness', 'targets', 'appium')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'testing') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function driverBuildInfo(root: string = projectRoot()): string {
  return join(root, 'agent', 'appium-driver', 'dist', '.tsbuildinfo');
}

/** Compiles the driver when needed; answers whether it did. */
export function ensureDriverBuilt(root: string = projectRoot()): boolean {
  const info = driverBuildInfo(root);
  const entry = join(root, 'agent', 'appium-driver', 'dist', 'agent', 'appium-driver', 'index.js');
  const built = existsSync(info) && existsSync(entry) ? statSync(info).mtimeMs : 0;
  const newest = Math.max(...SOURCE_FOLDERS.map((folder) => newestSource(join(root, folder))));
  if (built >= newest) return false;
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'agent', 'appium-driver', 'tsconfig.json'),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const now = new Date();
  utimesSync(info, now, now);
  return true;
}
