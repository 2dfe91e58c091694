import { oneLine } from '../../agent/errors';
import type { DeviceTransition } from '../../agent/device/SimulatedDevice';
import { eventKind } from '../../agent/model/events';
import { metaOfPath } from '../../agent/model/inspect';
import type { CaseResult, StepResult } from '../reporters/report';
import type { TargetAction, TargetDevice } from '../targets/target';
import type { AdminClient } from '../world/AdminClient';
import { EnrollmentWorld, type OfferedToken, type TargetingPlan } from '../world/EnrollmentWorld';
import { backendView, checkBackend, checkScreen } from './checks';
import { DeviceRecordReader } from '../world/DeviceRecordReader';
import { describeEvent } from './describe';
import type { ModelPath, PathStep } from './paths';
import { TENANT_UPN, type Arrangement, type PathPlan, type Segment } from './planner';

export interface PathRun {
  result: CaseResult;
  /** What the device really went through (from its history where the target keeps one). */
  taken: Array<{ from: string; event: string; to: string }>;
}

export interface PathContext {
  path: ModelPath;
  plan: PathPlan;
  device: TargetDevice;
  admin: AdminClient;
  /** Turns the path's events into a replayable text for the failure report. */
  replay: (path: ModelPath, failedAt: number) => string;
  /**
   * The account user groups are targeted at (TENANT_UPN by default); the path's SIGN_IN events and the
   * plan must sign in with the same one. Paths that share a backend each need their own account, or one
   * path's user-group policies reach the other's device.
   */
  account?: string;
  /**
   * The devicesRevision of the backend's store when it runs in this process: the device's record is then
   * read again after a step only when something was written (DeviceRecordReader).
   */
  devicesRevision?: () => number;
  /**
   * The admin's stage 1 (profiles, tokens, targeting) to offer tokens from; a world of the path's own by
   * default. Paths that share one reuse its profiles and QR codes.
   */
  world?: EnrollmentWorld;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly stepIndex: number,
  ) {
    super(message);
  }
}

/** Runs one model path on a fresh device against the backend, checking every step. */
export async function runPath(context: PathContext): Promise<PathRun> {
  const { path, plan, device, admin } = context;
  const started = Date.now();
  const world = context.world ?? new EnrollmentWorld(admin, `MT ${path.id}`);
  const records = new DeviceRecordReader(admin, context.devicesRevision);
  const steps: StepResult[] = [];
  const taken: PathRun['taken'] = [];
  let targeting: TargetingPlan | null = null;
  let offer: OfferedToken | null = null;
  let stepIndex = 0;
  let previousState = 'outOfBox';

  const arrange = async (arrangement: Arrangement) => {
    switch (arrangement.kind) {
      case 'offerToken':
        if (arrangement.token.kind === 'valid') {
          offer = await world.validToken(arrangement.token, arrangement.qr);
          if (!targeting && offer.profile)
            targeting = await world.targetProfile(offer.profile, context.account ?? TENANT_UPN);
        } else {
          offer = await world.rejectedToken(arrangement.token.reason);
          if (arrangement.qr !== 'valid')
            offer = { ...offer, qrPng: world.craftedQr(offer.token, arrangement.qr) };
        }
        return;
      case 'configure': {
        const exportable = arrangement.token.kind === 'valid';
        const configured =
          arrangement.token.kind === 'valid'
            ? await world.tokenFor(arrangement.token)
            : await world.rejectedToken(arrangement.token.reason);
        if (arrangement.token.kind === 'valid' && !targeting && configured.profile)
          targeting = await world.targetProfile(configured.profile, context.account ?? TENANT_UPN);
        return device.setConfiguration(
          await world.configuration(configured, arrangement.source, arrangement.variant, exportable),
        );
      }
      case 'unconfigure':
        return device.setConfiguration(null);
      case 'networkDown':
        return device.setNetwork({ wifiInRange: false, cellular: false });
      case 'networkUp':
        return device.setNetwork({ wifiInRange: true, cellular: true });
      case 'hold':
        return device.holdWork(arrangement.effect);
      case 'release':
        return device.releaseWork();
    }
  };

  const actionOf = (segment: Segment): TargetAction | 'cutPower' => {
    const event = segment.trigger.event;
    switch (event.type) {
      case 'QR_SCANNED':
      case 'QR_INVALID':
        return { type: 'SHOW_QR_CODE', image: requireOffer(offer).qrPng };
      case 'TOKEN_SUBMITTED':
        return { type: 'TOKEN_SUBMITTED', token: requireOffer(offer).token };
      case 'SIGN_IN':
        return { type: 'SIGN_IN', upn: segment.upn ?? event.upn };
      case 'POWER_LOST':
        return 'cutPower';
      default:
        return event as TargetAction;
    }
  };

  try {
    for (const segment of plan.segments) {
      const mark = device.historyMark ? await device.historyMark() : 0;
      for (const arrangement of segment.before) await arrange(arrangement);
      const action = actionOf(segment);
      const segmentStart = Date.now();
      try {
        if (action === 'cutPower') await device.cutPower();
        else await device.perform(action);
      } catch (error) {
        throw new StepFailure(
          `${segment.trigger.event.type} failed on the device: ${oneLine(error)}`,
          stepIndex,
        );
      }
      for (const arrangement of segment.after) await arrange(arrangement);

      const view = await device.view();
      const history = device.history ? await device.history(mark) : null;
      const expected = [segment.trigger, ...segment.outcomes];
      const backend = await records.read(device.serialNumber);
      const backendProblems = checkBackend(
        expected.at(-1)!.state.context,
        device.serialNumber,
        backend,
        targeting,
      );

      expected.forEach((step, offset) => {
        const isLast = offset === expected.length - 1;
        const problems = history ? checkHistoryStep(history, offset, step) : [];
        if (isLast) problems.push(...checkScreen(step.path, view, history !== null), ...backendProblems);
        const meta = metaOfPath(step.path);
        steps.push({
          index: stepIndex,
          action: describeEvent(
            step.event,
            metaOfPath(offset === 0 ? previousState : expected[offset - 1]!.path).actor,
          ),
          kind: eventKind(step.event.type),
          device: device.serialNumber,
          state: step.path,
          screen: meta.screen,
          stage: meta.stage,
          userless: meta.userless,
          backend: isLast ? backendView(backend) : null,
          status: problems.length === 0 ? 'passed' : 'failed',
          error: problems.length === 0 ? null : problems.join('; '),
          durationMs: isLast ? Date.now() - segmentStart : 0,
        });
        if (problems.length > 0) throw new StepFailure(problems.join('; '), stepIndex);
        stepIndex += 1;
      });
      recordTaken(taken, history, expected, previousState);
      previousState = expected.at(-1)!.path;
    }
    return { result: caseResult(context, started, steps, null, null), taken };
  } catch (error) {
    const failedAt = error instanceof StepFailure ? error.stepIndex : stepIndex;
    const message = oneLine(error);
    const artifacts = await device.artifacts().catch(() => ({ screenshotPng: null, pageSource: null }));
    const failure = { message, stepIndex: failedAt, replay: context.replay(path, failedAt) };
    return {
      result: caseResult(context, started, steps, failure, {
        screenshotPng: artifacts.screenshotPng ? artifacts.screenshotPng.toString('base64') : null,
        pageSource: artifacts.pageSource,
      }),
      taken,
    };
  }
}

function requireOffer(offer: OfferedToken | null): OfferedToken {
  if (!offer) throw new Error('the plan offered the vendor no token before this step');
  return offer;
}

/** The device's own history must show this step: the same event, leading to the same state. */
function checkHistoryStep(history: DeviceTransition[], offset: number, step: PathStep): string[] {
  const actual = history[offset];
  if (!actual)
    return [
      `the device never took ${step.event.type} to ${step.path} (it took ${history.map((h) => `${h.event}->${h.state}`).join(', ') || 'nothing'})`,
    ];
  if (actual.event !== step.event.type || actual.state !== step.path) {
    return [
      `the device took ${actual.event} -> ${actual.state}, the model expects ${step.event.type} -> ${step.path}`,
    ];
  }
  return [];
}

function recordTaken(
  taken: PathRun['taken'],
  history: DeviceTransition[] | null,
  expected: PathStep[],
  previous: string,
): void {
  let from = previous;
  if (history) {
    for (const entry of history) {
      taken.push({ from, event: entry.event, to: entry.state });
      from = entry.state;
    }
    return;
  }
  for (const step of expected) {
    taken.push({ from, event: step.event.type, to: step.path });
    from = step.path;
  }
}

function caseResult(
  context: PathContext,
  started: number,
  steps: StepResult[],
  failure: CaseResult['failure'],
  artifacts: CaseResult['artifacts'],
): CaseResult {
  const { path } = context;
  const first = path.steps.find(
    (step) => step.event.type === 'TOKEN_ACCEPTED' || step.event.type === 'TOKEN_REJECTED',
  );
  const last = path.steps.at(-1)!;
  const title = `${path.id}: ${first ? `${first.event.type}${'reason' in first.event ? ` (${first.event.reason})` : ''} … ` : ''}${last.event.type} -> ${last.path}`;
  return {
    id: path.id,
    title,
    file: null,
    status: failure ? 'failed' : 'passed',
    durationMs: Date.now() - started,
    steps,
    failure,
    artifacts,
  };
}
