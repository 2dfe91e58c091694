import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { driverBuildIsCurrent } from './driverBuild';

/** A checkout as `npm run build:driver` leaves it: the driver's sources, its entry compiled, the stamp newer. */
function checkout(): { root: string; touch: (path: string, seconds: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'stagesim-driver-'));
  const touch = (path: string, seconds: number) => {
    const at = new Date(Date.UTC(2026, 11, 7, 12, 0, seconds));
    utimesSync(join(root, path), at, at);
  };
  for (const path of [
    'agent/appium-driver/driver.ts',
    'agent/model/deviceModel.ts',
    'harness/targets/appium/capabilities.ts',
    'harness/scenarios/runner.ts',
    'agent/appium-driver/dist/.built',
    'agent/appium-driver/dist/agent/appium-driver/index.js',
  ]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '// x\n');
    touch(path, path.includes('/dist/') ? 10 : 0);
  }
  return { root, touch };
}

describe("the Appium driver's build", () => {
  let root: string;
  let touch: (path: string, seconds: number) => void;
  beforeEach(() => ({ root, touch } = checkout()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('stamped after every source it reads changed: current', () => {
    expect(driverBuildIsCurrent(root)).toBe(true);
  });

  test.each(['agent/model/deviceModel.ts', 'harness/targets/appium/capabilities.ts'])(
    'a source it reads changed after the build began (%s): not current',
    (path) => {
      touch(path, 11);
      expect(driverBuildIsCurrent(root)).toBe(false);
    },
  );

  test('a source it does not read changed (the scenario runner): still current', () => {
    touch('harness/scenarios/runner.ts', 30);
    expect(driverBuildIsCurrent(root)).toBe(true);
  });

  test('no compiled entry: not current', () => {
    rmSync(join(root, 'agent/appium-driver/dist/agent/appium-driver/index.js'));
    expect(driverBuildIsCurrent(root)).toBe(false);
  });

  test('no stamp (never built, or every build since failed): not current', () => {
    rmSync(join(root, 'agent/appium-driver/dist/.built'));
    expect(driverBuildIsCurrent(root)).toBe(false);
  });
});
