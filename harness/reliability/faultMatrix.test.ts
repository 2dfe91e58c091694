import { leafStateNodes, metaOfPath, pathOfNode, type DeviceSnapshot } from '../../agent/model/inspect';
import { callsBackend } from '../../agent/model/meta';
import { ENROLLED, VENDOR_NEVER } from '../model-testing/onward';
import { onwardTable } from '../model-testing/onwardTable';
import { shortestPathsToStates } from '../model-testing/paths';
import {
  FAULT_KINDS,
  expectedOutcome,
  faultMatrix,
  stateTargets,
  type FaultKind,
  type StateTarget,
} from './faultMatrix';
import { runFaultMatrix, type FaultMatrixReport } from './runFaultMatrix';

/**
 * The fault matrix in CI: every leaf state of the device model crossed with every fault, each pair's
 * outcome checked against the one faultMatrix.ts works out from the model, then every device taken on
 * to enrolled (see harness/reliability/README.md).
 */
const targets = stateTargets();

/** Faults that hit an exchange with the backend: armed at a screen with no work, they wait for the next request. */
const EXCHANGE_FAULTS: readonly FaultKind[] = ['networkDrop', 'networkDropAfterCommit', 'duplicateMessage'];

/** One snapshot of every leaf state, as the shortest feasible walk of the machine from the box reaches it. */
function firstSnapshots(): Map<string, DeviceSnapshot> {
  const reached = new Map<string, DeviceSnapshot>();
  for (const path of shortestPathsToStates())
    for (const step of path.steps) if (!reached.has(step.path)) reached.set(step.path, step.state);
  return reached;
}

/**
 * What the model implies for the run, worked out here without the matrix's own expectations: every
 * leaf state × every fault is a pair; an exchange fault at a screen with no work has nothing to hit when
 * no request follows: the device goes no further (Intune refuses the Android 7 device that reached
 * unsupportedAndroid), or the model's way on to enrolled passes no state whose work calls the backend.
 */
function expectedCounts(): {
  pairs: number;
  notApplicable: Array<{ state: string; fault: FaultKind; why: string }>;
} {
  const leaves = leafStateNodes().map(pathOfNode);
  const snapshots = firstSnapshots();
  const onward = onwardTable((path) => path === ENROLLED, { refuse: VENDOR_NEVER });
  const notApplicable: Array<{ state: string; fault: FaultKind; why: string }> = [];
  for (const state of leaves) {
    if (metaOfPath(state).effect) continue;
    const snapshot = snapshots.get(state)!;
    const requests = [...onward.statesOnTheWay(snapshot)].filter((way) =>
      callsBackend(metaOfPath(way).effect),
    );
    const why =
      snapshot.context.errorReason === 'androidTooOld'
        ? 'Intune refuses the device (Android 7): it goes no further, so it makes no request'
        : requests.length === 0
          ? 'its way on to enrolled makes no request to the backend'
          : null;
    if (why) for (const fault of EXCHANGE_FAULTS) notApplicable.push({ state, fault, why });
  }
  return { pairs: leaves.length * FAULT_KINDS.length, notApplicable };
}
const byState = new Map(targets.map((target) => [target.state, target]));
const expect_ = (state: string, fault: FaultKind | null) => expectedOutcome(byState.get(state)!, fault);

describe('the matrix, as data', () => {
  test('has every leaf state of the model, each reached by a planned path, crossed with every fault', () => {
    expect(targets.map((target) => target.state)).toEqual(leafStateNodes().map(pathOfNode));
    const pairs = faultMatrix(targets);
    expect(pairs).toHaveLength(targets.length * FAULT_KINDS.length);
    for (const pair of pairs) expect(pair.expected.why).not.toBe('');
  });

  test('a device at a progress screen that loses power as the backend commits restarts where the model sends it', () => {
    expect(expect_('stagingStage2.enrollmentInProgress', 'powerLoss')).toMatchObject({
      settlesAt: 'setupInterrupted.poweredOff',
      backendAhead: 'staged',
    });
    expect(expect_('stagingStage3.enrollmentInProgress', 'powerLoss')).toMatchObject({
      settlesAt: 'stagingStage3.interrupted',
      backendAhead: 'enrolled',
    });
    expect(expect_('setupWizard.checkingToken', 'powerLoss')).toMatchObject({
      settlesAt: 'outOfBox',
      backendAhead: 'tokenCreated',
    });
    expect(expect_('stagingStage3.checkingAccount', 'powerLoss')).toMatchObject({
      settlesAt: 'stagingStage3.poweredOff',
      backendAhead: null,
    });
  });

  test('a clock jump past the expiry refuses a token not yet redeemed and never touches a staged or enrolled device', () => {
    expect(expect_('setupWizard.checkingToken', 'clockJump')).toMatchObject({
      settlesAt: 'setupWizard.tokenRejected',
      errorReason: 'expired',
    });
    expect(expect_('setupWizard.preparingDevice', 'clockJump')).toMatchObject({
      settlesAt: 'setupWizard.tokenRejected',
      errorReason: 'expired',
    });
    for (const state of [
      'stagingStage2.enrollmentInProgress',
      'stagingStage3.checkingAccount',
      'stagingStage3.enrollmentInProgress',
      'enrolled.readyForWork',
    ]) {
      const jumped = expect_(state, 'clockJump');
      expect(jumped).toMatchObject({ settlesAt: expect_(state, null).settlesAt, errorReason: null });
      expect(jumped.why).toMatch(/not affected/);
    }
  });

  test('out-of-order messages are the ones the stage forbids: enrolled before sign-in, staged after enrolled', () => {
    expect(expect_('stagingStage3.intuneSignIn', 'outOfOrderMessage').staleStages).toEqual([
      'adminProvisioned',
      'enrolled',
    ]);
    expect(expect_('stagingStage3.enrollmentInProgress', 'outOfOrderMessage').staleStages).toEqual([
      'adminProvisioned',
    ]);
    expect(expect_('enrolled.readyForWork', 'outOfOrderMessage').staleStages).toEqual([
      'staged',
      'adminProvisioned',
    ]);
  });

  test('network faults at a screen with no work wait for the next exchange; Android 7 goes no further', () => {
    expect(expect_('stagingStage3.intuneSignIn', 'networkDrop').fires).toBe('nextExchange');
    expect(expect_('stagingStage3.checkingAccount', 'networkDrop').fires).toBe('now');
    expect(expect_('unsupportedAndroid', 'powerLoss').continues).toBe(false);
  });
});

describe('the matrix, run', () => {
  let report: FaultMatrixReport;

  beforeAll(async () => {
    report = await runFaultMatrix();
  }, 180_000);

  afterAll(() => {
    if (!process.env.STAGESIM_FIGURES) return;
    const byFault = FAULT_KINDS.map((fault) => {
      const pairs = report.pairs.filter((pair) => pair.fault === fault);
      return `${fault} ${pairs.filter((pair) => pair.fired && pair.problems.length === 0).length}/${pairs.filter((pair) => pair.fired).length}`;
    });
    process.stdout.write(
      `fault matrix: ${report.states} states, ${report.pairs.length} pairs, ${report.injected} faults injected, ${report.survived} survived, ${report.enrolled} devices enrolled (${byFault.join(', ')})\n`,
    );
  });

  test('the exact counts the model implies: pairs, faults injected, and each pair where none applies, with why', () => {
    const { pairs, notApplicable } = expectedCounts();
    expect(report.pairs).toHaveLength(pairs);
    const unfired = report.pairs
      .filter((pair) => !pair.fired)
      .map((pair) => `${pair.state} × ${pair.fault}`)
      .sort();
    expect(unfired).toEqual(notApplicable.map((pair) => `${pair.state} × ${pair.fault}`).sort());
    for (const pair of notApplicable) expect(pair.why).not.toBe('');
    expect(report.injected).toBe(pairs - notApplicable.length);
    expect(report.survived).toBe(report.injected);
  });

  describe.each(targets.map((target) => [target.state, target] as const))(
    '%s',
    (_state, target: StateTarget) => {
      test('each fault ends as documented, and the device goes on to enrolled', () => {
        const failures = report.pairs
          .filter((pair) => pair.state === target.state && pair.problems.length > 0)
          .map(
            (pair) =>
              `${pair.fault} (${pair.serialNumber}): ${pair.problems.join('; ')}\n  expected: ${pair.expected.why}`,
          );
        expect(failures).toEqual([]);
        const continuing = report.pairs.filter(
          (pair) => pair.state === target.state && pair.expected.continues,
        );
        for (const pair of continuing) expect(pair.finalState).toBe('enrolled.readyForWork');
      });
    },
  );
});

describe('the matrix catches a device that gets lost', () => {
  test('with no retries, a request lost on the way leaves the device on its progress screen, and the pair fails', async () => {
    const none = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const report = await runFaultMatrix({
      states: ['stagingStage2.enrollmentInProgress'],
      faults: ['networkDrop'],
      retry: none,
    });
    const [pair] = report.pairs;
    expect(pair!.fired).toBe(true);
    expect(pair!.problems.join('\n')).toMatch(/lost in stagingStage2\.enrollmentInProgress/);
    expect(report.survived).toBe(0);
  });
});
