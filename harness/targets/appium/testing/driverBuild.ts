import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../../agent/projectRoot';
import { buildIsCurrent } from '../../../testing/buildFreshness';

/**
 * Appium loads the driver's compiled JavaScript, so a test run must not use a stale build. `npm test`
 * compiles it in pretest (`npm run build:driver`); a bare `npx jest` gets it compiled here when a source
 * changed after the last driver build began. Both stamp the build the same way as `npm run build`
 * (harness/cli/buildStamp.mjs), so an unrelated change costs one build, and a change made while a build
 * ran is not taken for built.
 */
export function driverDist(root: string = projectRoot()): string {
  return join(root, 'agent', 'appium-driver', 'dist');
}

/** The driver's build is current: stamped after every source it reads last changed, its entry there. */
export function driverBuildIsCurrent(root: string = projectRoot()): boolean {
  const dist = driverDist(root);
  return (
    existsSync(join(dist, 'agent', 'appium-driver', 'index.js')) &&
    buildIsCurrent(root, {
      dist,
      folders: [join(root, 'agent'), join(root, 'harness', 'targets', 'appium')],
    })
  );
}

/**
 * Compiles the driver when its build is not current, with the project's own `npm run build:driver` (the
 * stamp around tsc); answers whether it did.
 */
export function ensureDriverBuilt(root: string = projectRoot()): boolean {
  if (driverBuildIsCurrent(root)) return false;
  execFileSync('npm', ['run', '--silent', 'build:driver'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return true;
}
