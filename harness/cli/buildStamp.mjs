// `npm run build` runs this first (`begin`) and last (`end`), and `npm run build:driver` around the Appium
// driver's compile (DIST agent/appium-driver/dist): DIST/.built is the time the last build that finished
// had begun. tsc's incremental build leaves an output as it was when its source's text has not
// changed (after a git stash, a checkout or a touch), so the outputs' own times cannot say whether dist/
// is current, and tests that start the CLI fell back to ts-node, five times slower, after every such
// change. A source changed since the stamp's time is one the last build may not have read
// (harness/testing/buildFreshness.ts); a build that fails leaves the stamp where it was.
//
//   node harness/cli/buildStamp.mjs begin|end [DIST]     (DIST: dist/ of this checkout by default)
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [step, distArgument] = process.argv.slice(2);
const dist = distArgument ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const begun = join(dist, '.build-begun');
const fail = (message) => {
  process.stderr.write(`buildStamp: ${message}\n`);
  process.exitCode = 2;
};
if (step === 'begin') {
  mkdirSync(dist, { recursive: true });
  writeFileSync(begun, `${new Date().toISOString()}\n`);
} else if (step === 'end') {
  // A rename keeps the file's time: the stamp says when the build began, not when it ended.
  if (existsSync(begun)) renameSync(begun, join(dist, '.built'));
  else fail(`end without begin: no ${begun}`);
} else {
  fail(`expected begin or end, got ${JSON.stringify(step ?? null)}`);
}
