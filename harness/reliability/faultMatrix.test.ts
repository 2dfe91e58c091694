import { leafStateNodes, pathOfNode } from '../../agent/model/inspect';
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

  test('every fault fired where it had something to hit, and every device survived it', () => {
    expect(report.pairs).toHaveLength(targets.length * FAULT_KINDS.length);
    // Network faults armed at a screen whose way on talks to nobody (enrolled, say) find no exchange.
    const unfired = report.pairs.filter((pair) => !pair.fired);
    expect(unfired.every((pair) => pair.expected.fires === 'nextExchange')).toBe(true);
    expect(report.survived).toBe(report.injected);
    expect(report.injected).toBeGreaterThan(report.pairs.length * 0.9);
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
