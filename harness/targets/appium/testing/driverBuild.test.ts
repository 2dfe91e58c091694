import { fakeCheckout, type FakeCheckout } from '../../../testing/fakeCheckout';
import { driverBuildIsCurrent } from './driverBuild';

/** A checkout as `npm run build:driver` leaves it: the driver's sources, its entry compiled, the stamp newer. */
const checkout = () =>
  fakeCheckout({
    'agent/appium-driver/driver.ts': 0,
    'agent/model/deviceModel.ts': 0,
    'harness/targets/appium/capabilities.ts': 0,
    'harness/scenarios/runner.ts': 0,
    'agent/appium-driver/dist/.built': 10,
    'agent/appium-driver/dist/agent/appium-driver/index.js': 10,
  });

describe("the Appium driver's build", () => {
  let tree: FakeCheckout;
  beforeEach(() => {
    tree = checkout();
  });
  afterEach(() => tree.close());
  const current = () => driverBuildIsCurrent(tree.root);

  test('stamped after every source it reads changed: current', () => {
    expect(current()).toBe(true);
  });

  test.each(['agent/model/deviceModel.ts', 'harness/targets/appium/capabilities.ts'])(
    'a source it reads changed after the build began (%s): not current',
    (path) => {
      tree.touch(path, 11);
      expect(current()).toBe(false);
    },
  );

  test('a source it does not read changed (the scenario runner): still current', () => {
    tree.touch('harness/scenarios/runner.ts', 30);
    expect(current()).toBe(true);
  });

  test('no compiled entry: not current', () => {
    tree.remove('agent/appium-driver/dist/agent/appium-driver/index.js');
    expect(current()).toBe(false);
  });

  test('no stamp (never built, or every build since failed): not current', () => {
    tree.remove('agent/appium-driver/dist/.built');
    expect(current()).toBe(false);
  });
});
