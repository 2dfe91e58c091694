import { createTestModel } from 'xstate/graph';
import { createActor } from 'xstate';
import { deviceModel, WELCOME_TAPS_FOR_QR_READER } from './deviceModel';
import { eventVariants } from './eventVariants';
import { leafStateNodes, metaOfPath, pathOfNode, statePath } from './inspect';
import { stateMetaSchema } from './meta';
import { screens } from './screens';
import { modelTransitions } from './transitions';
import type { DeviceEvent } from './events';

const walk = () => createTestModel(deviceModel, { events: eventVariants() });

function run(events: DeviceEvent[]) {
  const actor = createActor(deviceModel).start();
  events.forEach((event) => actor.send(event));
  return actor.getSnapshot();
}

describe('device model', () => {
  const leaves = leafStateNodes().map(pathOfNode);

  test('every leaf state is reachable from a device in its box', () => {
    // Paths that are prefixes of longer ones are dropped by the walk, so count every state along each path.
    const reached = new Set(
      walk()
        .getShortestPaths()
        .flatMap((path) => path.steps.map((step) => statePath(step.state))),
    );
    expect(leaves.filter((leaf) => !reached.has(leaf))).toEqual([]);
    expect(leaves.length).toBeGreaterThan(35);
  });

  test('every leaf state has complete meta and a screen in the catalogue', () => {
    for (const node of leafStateNodes()) {
      const parsed = stateMetaSchema.safeParse(node.meta);
      expect({ state: pathOfNode(node), ok: parsed.success, issues: parsed.error?.issues }).toEqual({
        state: pathOfNode(node),
        ok: true,
        issues: undefined,
      });
      expect(screens[metaOfPath(pathOfNode(node)).screen.id]).toBeDefined();
    }
  });

  test('every state that needs work names an effect, and only progress screens do', () => {
    const withEffects = leaves.filter((leaf) => metaOfPath(leaf).effect);
    expect(withEffects.every((leaf) => metaOfPath(leaf).actor === 'nobody')).toBe(true);
    expect(withEffects.length).toBeGreaterThanOrEqual(8);
  });

  test('the device is userless until the user signs in', () => {
    for (const leaf of leaves) {
      const meta = metaOfPath(leaf);
      if (meta.stage === 'unprovisioned' || meta.stage === 'stagingStage2' || meta.stage === 'defaultStage1')
        expect({ leaf, userless: meta.userless }).toEqual({ leaf, userless: true });
      if (meta.stage === 'enrolled')
        expect({ leaf, userless: meta.userless }).toEqual({ leaf, userless: false });
    }
  });

  test('the sixth tap on the welcome screen opens the QR reader', () => {
    const taps = (n: number) =>
      run([
        { type: 'POWER_ON' },
        ...Array.from({ length: n }, () => ({ type: 'TAP_WELCOME' }) as DeviceEvent),
      ]);
    expect(statePath(taps(WELCOME_TAPS_FOR_QR_READER - 1))).toBe('setupWizard.welcome');
    expect(statePath(taps(WELCOME_TAPS_FOR_QR_READER))).toBe('setupWizard.qrReader');
  });

  test('staging token: stage 2 ends staged and userless, stage 3 enrolls the user', () => {
    const staged = run([
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'CONNECT_WIFI' },
      { type: 'NO_CONFIGURATION' },
      { type: 'OPEN_QR_READER' },
      { type: 'QR_SCANNED' },
      { type: 'DEVICE_READY' },
      { type: 'TOKEN_ACCEPTED', tokenType: 'deviceStaging', mode: 'corporateOwnedWorkProfile' },
      { type: 'STAGE_RECORDED' },
      { type: 'POWER_OFF' },
    ]);
    expect(statePath(staged)).toBe('stagingStage3.poweredOff');
    expect(staged.context).toMatchObject({ flow: 'staging', recordedStage: 'staged', upn: null });

    const actor = createActor(deviceModel, { snapshot: staged }).start();
    for (const event of [
      { type: 'POWER_ON' },
      { type: 'OPEN_INTUNE_APP' },
      { type: 'SIGN_IN', upn: 'john@contoso.com' },
      { type: 'SIGN_IN_ACCEPTED' },
    ] as DeviceEvent[])
      actor.send(event);
    // The work profile comes before enrollment is recorded; a power loss there comes back to it.
    expect(statePath(actor.getSnapshot())).toBe('stagingStage3.workProfile');
    expect(actor.getSnapshot().context.recordedStage).toBe('staged');
    actor.send({ type: 'POWER_LOST' });
    actor.send({ type: 'POWER_ON' });
    expect(statePath(actor.getSnapshot())).toBe('stagingStage3.workProfile');
    actor.send({ type: 'CREATE_WORK_PROFILE' });
    expect(statePath(actor.getSnapshot())).toBe('stagingStage3.enrollmentInProgress');
    expect(actor.getSnapshot().context.recordedStage).toBe('staged');
    actor.send({ type: 'STAGE_RECORDED' });
    expect(statePath(actor.getSnapshot())).toBe('enrolled.readyForWork');
    expect(actor.getSnapshot().context).toMatchObject({ upn: 'john@contoso.com', recordedStage: 'enrolled' });
  });

  test('a rejected token shows its reason; Android 7 and manual entry on COPE 11+ have their own screens', () => {
    const toChecking: DeviceEvent[] = [
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'SKIP_NETWORK' },
      { type: 'NO_CONFIGURATION' },
      { type: 'OPEN_TOKEN_ENTRY' },
      { type: 'TOKEN_SUBMITTED' },
      { type: 'DEVICE_READY' },
    ];
    const expired = run([...toChecking, { type: 'TOKEN_REJECTED', reason: 'expired' }]);
    expect([statePath(expired), expired.context.errorReason]).toEqual([
      'setupWizard.tokenRejected',
      'expired',
    ]);
    expect(statePath(run([...toChecking, { type: 'TOKEN_REJECTED', reason: 'androidTooOld' }]))).toBe(
      'unsupportedAndroid',
    );
    expect(
      statePath(run([...toChecking, { type: 'TOKEN_REJECTED', reason: 'manualEntryNotSupported' }])),
    ).toBe('setupWizard.manualEntryNotSupported');
  });

  test('a device with a zero-touch or KME configuration provisions from it once it has a network', () => {
    const found = run([
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'CONNECT_WIFI' },
      { type: 'CONFIGURATION_FOUND', source: 'knoxMobileEnrollment' },
    ]);
    expect([statePath(found), found.context.tokenSource]).toEqual([
      'setupWizard.preparingDevice',
      'knoxMobileEnrollment',
    ]);
    const staged = run([
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'SKIP_NETWORK' },
      { type: 'CONFIGURATION_FOUND', source: 'zeroTouch' },
      { type: 'DEVICE_READY' },
      { type: 'TOKEN_ACCEPTED', tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' },
      { type: 'STAGE_RECORDED' },
    ]);
    expect([statePath(staged), staged.context.tokenSource]).toEqual([
      'stagingStage2.readyToPowerOff',
      'zeroTouch',
    ]);
  });

  test('a factory reset returns to the welcome screen and forgets the user', () => {
    const reset = run([
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'CONNECT_WIFI' },
      { type: 'NO_CONFIGURATION' },
      { type: 'OPEN_QR_READER' },
      { type: 'QR_SCANNED' },
      { type: 'DEVICE_READY' },
      { type: 'TOKEN_ACCEPTED', tokenType: 'default', mode: 'corporateOwnedFullyManaged' },
      { type: 'STAGE_RECORDED' },
      { type: 'FACTORY_RESET' },
    ]);
    expect(statePath(reset)).toBe('setupWizard.welcome');
    expect(reset.context).toMatchObject({ flow: null, mode: null, upn: null, recordedStage: 'factoryReset' });
  });

  test('the transition list names every handled event and target that exists', () => {
    const transitions = modelTransitions();
    expect(new Set(transitions.map((t) => t.id)).size).toBe(transitions.length);
    for (const t of transitions.filter((x) => x.target))
      expect(() => deviceModel.getStateNodeById(`device.${t.target}`)).not.toThrow();
  });
});
