import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fakeCheckout, type FakeCheckout } from '../../testing/fakeCheckout';
import { compiledIsFresh } from './stagesimProcess';

const BUILD_STAMP = join(__dirname, '..', 'buildStamp.mjs');

/** A checkout of two sources, as `npm run build` leaves it: each compiled, the build's stamp newest. */
const checkout = () =>
  fakeCheckout({
    'agent/model/deviceModel.ts': 0,
    'harness/cli/main.ts': 0,
    'harness/cli/main.test.ts': 0,
    'harness/cli/testing/helper.ts': 0,
    'harness/console/web/main.ts': 0,
    'dist/.built': 10,
    'dist/agent/model/deviceModel.js': 20,
    'dist/harness/cli/main.js': 20,
  });

describe('compiledIsFresh', () => {
  let tree: FakeCheckout;
  beforeEach(() => {
    tree = checkout();
  });
  afterEach(() => tree.close());
  const fresh = () => compiledIsFresh(tree.root);

  test('a build that began after every source changed, and compiled each: fresh', () => {
    expect(fresh()).toBe(true);
  });

  test('an output older than its source whose text the build found unchanged (a git stash, a checkout): still fresh', () => {
    // tsc's incremental build does not write an output again for a source whose text is the same.
    tree.touch('harness/cli/main.ts', 5);
    tree.touch('dist/harness/cli/main.js', 1);
    expect(fresh()).toBe(true);
  });

  test('a source changed after the build began: stale', () => {
    tree.touch('agent/model/deviceModel.ts', 11);
    expect(fresh()).toBe(false);
  });

  test('a source with no output: stale', () => {
    tree.remove('dist/harness/cli/main.js');
    expect(fresh()).toBe(false);
  });

  test('no build stamp (never built, or every build since failed): stale', () => {
    tree.remove('dist/.built');
    expect(fresh()).toBe(false);
  });

  test('tests, test helpers and the browser sources tsc does not compile are not asked for', () => {
    tree.touch('harness/cli/main.test.ts', 30);
    tree.touch('harness/cli/testing/helper.ts', 30);
    tree.touch('harness/console/web/main.ts', 30);
    expect(fresh()).toBe(true);
  });
});

describe('buildStamp.mjs', () => {
  let dist: string;
  beforeEach(() => {
    dist = join(mkdtempSync(join(tmpdir(), 'stagesim-stamp-')), 'dist');
  });
  afterEach(() => rmSync(dirname(dist), { recursive: true, force: true }));
  const stamp = (...args: string[]) =>
    spawnSync(process.execPath, [BUILD_STAMP, ...args], { encoding: 'utf8' });

  test('begin then end leaves the time the build began in dist/.built, as its text and its file time', async () => {
    const before = Date.now();
    execFileSync(process.execPath, [BUILD_STAMP, 'begin', dist]);
    expect(existsSync(join(dist, '.built'))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ending = Date.now();
    execFileSync(process.execPath, [BUILD_STAMP, 'end', dist]);
    const begun = Date.parse(readFileSync(join(dist, '.built'), 'utf8').trim());
    expect(begun).toBeGreaterThanOrEqual(before - 1);
    expect(begun).toBeLessThan(ending);
    // compiledIsFresh reads the file's time: the rename kept the time begin wrote it.
    expect(statSync(join(dist, '.built')).mtimeMs).toBeLessThan(ending);
    expect(existsSync(join(dist, '.build-begun'))).toBe(false);
  });

  test('a build that fails between begin and end leaves the stamp of the last one that finished', () => {
    execFileSync(process.execPath, [BUILD_STAMP, 'begin', dist]);
    execFileSync(process.execPath, [BUILD_STAMP, 'end', dist]);
    const last = readFileSync(join(dist, '.built'), 'utf8');
    execFileSync(process.execPath, [BUILD_STAMP, 'begin', dist]);
    expect(readFileSync(join(dist, '.built'), 'utf8')).toBe(last);
  });

  test('no step, or one it does not know, is refused with one line and exit 2', () => {
    expect(spawnSync(process.execPath, [BUILD_STAMP], { encoding: 'utf8' })).toMatchObject({
      status: 2,
      stderr: 'buildStamp: expected begin or end, got null\n',
    });
    expect(stamp('finish', dist)).toMatchObject({
      status: 2,
      stderr: 'buildStamp: expected begin or end, got "finish"\n',
    });
    expect(existsSync(dist)).toBe(false);
  });

  test('end without begin is refused with one line and exit 2, and writes nothing', () => {
    const result = stamp('end', dist);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^buildStamp: end without begin: no .*\.build-begun\n$/);
    expect(existsSync(join(dist, '.built'))).toBe(false);
  });
});
