import { initialSnapshot, nextSnapshot } from '../../agent/model/nextSnapshot';
import type { DeviceEvent } from '../../agent/model/events';
import {
  leafStateNodes,
  metaOfPath,
  pathOfNode,
  statePath,
  type DeviceSnapshot,
} from '../../agent/model/inspect';
import { callsBackend, EFFECT_WORK, type Effect } from '../../agent/model/meta';
import type { EnrollmentStage } from '../../agent/protocol/enrollment';
import { shortestPathsToStates, type ModelPath } from '../model-testing/paths';
import { planPath, type PathPlan, type TokenKind } from '../model-testing/planner';

/**
 * The fault matrix as data: every leaf state of the device model crossed with every fault, and for each
 * pair the outcome the documents promise, worked out from the model (never from what the system did).
 *
 * A state is reached by its shortest model path, planned as the model suite plans paths. A state with
 * work to do (a progress screen, meta.effect) is held there with its work not yet started; the fault
 * then hits that work's exchange with the backend. At a state with no work, the network faults are armed
 * for the device's next exchange (which its way on to enrolled makes), and the others happen at once.
 */

export const FAULTS = {
  powerLoss:
    'the device loses power and restarts from what it saved; at a progress screen, at the moment the backend commits its request (the reply is never heard)',
  networkDrop: 'the WebSocket is cut and the request is lost on the way: the backend never sees it',
  networkDropAfterCommit:
    'the backend commits the request, then the WebSocket is cut before the reply goes out (beforeReply)',
  backendRestart:
    'the backend restarts on the same --db file; at a progress screen, right after it committed the request and before it replied',
  duplicateMessage: 'the request reaches the backend twice: the same frame, the same requestId, back to back',
  outOfOrderMessage:
    'stale and early messages for the device arrive on another connection: completeStage(enrolled) before sign-in, staged after enrolled, …',
  clockJump:
    'the backend clock jumps 31 days, past the expiry of the staging token the vendor holds (it was valid for 30)',
} as const;
export type FaultKind = keyof typeof FAULTS;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

/** The faults that hit the backend as a whole: the matrix plays them once for every state at a time. */
export const GLOBAL_FAULTS: readonly FaultKind[] = ['backendRestart', 'clockJump'];

export const CLOCK_JUMP_SECONDS = 31 * 24 * 60 * 60;

/**
 * Messages that are out of order for a device in each backend stage, each answered stageOutOfOrder and
 * recording nothing. "enrolled before sign-in" is out of order only while no sign-in was accepted.
 */
export const STALE_MESSAGES: Record<
  EnrollmentStage | 'none',
  Array<{ stage: 'staged' | 'adminProvisioned' | 'enrolled'; onlyBeforeSignIn?: true }>
> = {
  none: [{ stage: 'staged' }, { stage: 'enrolled' }],
  factoryReset: [{ stage: 'adminProvisioned' }, { stage: 'enrolled' }],
  tokenCreated: [{ stage: 'enrolled' }],
  staged: [{ stage: 'adminProvisioned' }, { stage: 'enrolled', onlyBeforeSignIn: true }],
  adminProvisioned: [{ stage: 'staged' }, { stage: 'enrolled', onlyBeforeSignIn: true }],
  enrolled: [{ stage: 'staged' }, { stage: 'adminProvisioned' }],
};

export interface ExpectedOutcome {
  /** Where the device rests once the fault played out and the work it was doing, if any, finished. */
  settlesAt: string;
  /** The documented error it shows there, when the fault makes it show one. */
  errorReason: string | null;
  /** A stage the backend committed that the device never heard of (its reply went with the power). */
  backendAhead: EnrollmentStage | null;
  /** The fault hits now (held work or the state itself) or the device's next exchange with the backend. */
  fires: 'now' | 'nextExchange';
  /** Out-of-order messages sent, each answered stageOutOfOrder. */
  staleStages: Array<'staged' | 'adminProvisioned' | 'enrolled'>;
  /** The device can go on to enrolled afterwards: everywhere but on Android 7, which Intune refuses. */
  continues: boolean;
  why: string;
}

export interface StateTarget {
  state: string;
  /** The shortest model path to the state, and its plan. */
  path: ModelPath;
  plan: PathPlan;
  /** The model at the end of the path. */
  snapshot: DeviceSnapshot;
  effect: Effect | null;
  /**
   * Whether the device's held work reaches the backend with a request before it rests. The work of a
   * device checking for its zero-touch configuration does not (it then rests on the sign-in screen):
   * such a state takes its faults as a device at rest does.
   */
  requests: boolean;
}

export interface MatrixPair {
  target: StateTarget;
  fault: FaultKind;
  expected: ExpectedOutcome;
}

let targetsOfModel: StateTarget[] | null = null;

/** The shortest planned path to every leaf state of the model (worked out once: the model is fixed). */
export function stateTargets(): StateTarget[] {
  targetsOfModel ??= findStateTargets();
  return targetsOfModel;
}

function findStateTargets(): StateTarget[] {
  const shortest = new Map<string, ModelPath>();
  // Every state is reached by scanning or typing a token; the configuration path leads to the same ones.
  for (const path of shortestPathsToStates({
    allow: (_state, event) => event.type !== 'CONFIGURATION_FOUND',
  })) {
    const end = path.steps.at(-1)?.path ?? 'outOfBox';
    const known = shortest.get(end);
    if (!known || path.steps.length < known.steps.length) shortest.set(end, path);
  }
  return leafStateNodes().map((node, index) => {
    const state = pathOfNode(node);
    const found = shortest.get(state);
    if (!found) throw new Error(`the model walk reaches no path to ${state}`);
    const path = { ...found, id: `fault-state-${String(index + 1).padStart(2, '0')}` };
    const snapshot = path.steps.at(-1)?.state ?? initialSnapshot();
    const plan = planPath(path);
    const requests = naturalChain(snapshot, offeredToken(plan)).some((step) =>
      callsBackend(metaOfPath(statePath(step)).effect),
    );
    return { state, path, plan, snapshot, effect: metaOfPath(state).effect ?? null, requests };
  });
}

/** The token the plan last put in the vendor's hand. */
function offeredToken(plan: PathPlan): TokenKind | null {
  let offered: TokenKind | null = null;
  for (const segment of plan.segments)
    for (const arrangement of segment.before)
      if (arrangement.kind === 'offerToken') offered = arrangement.token;
  return offered;
}

/** What the world answers the work of `snapshot`'s state, as the plan arranged it. */
function outcomeOf(snapshot: DeviceSnapshot, offered: TokenKind | null, clockJumped: boolean): DeviceEvent {
  const effect = metaOfPath(statePath(snapshot)).effect!;
  switch (effect) {
    // The matrix's devices have no zero-touch or KME configuration.
    case 'checkConfiguration':
      return { type: 'NO_CONFIGURATION' };
    case 'prepareDevice':
      return { type: 'DEVICE_READY' };
    case 'redeemToken':
      if (!offered) return { type: 'TOKEN_REJECTED', reason: 'unknown' };
      if (offered.kind === 'rejected') return { type: 'TOKEN_REJECTED', reason: offered.reason };
      // Default tokens of these modes never expire; staging tokens do, by the backend clock.
      if (clockJumped && offered.tokenType === 'deviceStaging')
        return { type: 'TOKEN_REJECTED', reason: 'expired' };
      return { type: 'TOKEN_ACCEPTED', tokenType: offered.tokenType, mode: offered.mode };
    case 'recordStaged':
    case 'recordAdminProvisioned':
    case 'recordEnrolled':
      return { type: 'STAGE_RECORDED' };
    case 'checkAccount': {
      // The service accepts the tenant's account on a staged or admin-provisioned device only.
      const stage = snapshot.context.recordedStage;
      return stage === 'staged' || stage === 'adminProvisioned'
        ? { type: 'SIGN_IN_ACCEPTED' }
        : { type: 'SIGN_IN_REJECTED', reason: 'deviceNotStaged' };
    }
  }
}

/** The states the device passes through when its held work runs to the end (S first, the rest after). */
export function naturalChain(
  snapshot: DeviceSnapshot,
  offered: TokenKind | null,
  clockJumped = false,
): DeviceSnapshot[] {
  const chain = [snapshot];
  for (let state = snapshot; metaOfPath(statePath(state)).effect;) {
    const next = nextSnapshot(state, outcomeOf(state, offered, clockJumped));
    if (statePath(next) === statePath(state) || chain.length > 16)
      throw new Error(`the work of ${statePath(state)} leads nowhere`);
    chain.push(next);
    state = next;
  }
  return chain;
}

function powerLost(snapshot: DeviceSnapshot): DeviceSnapshot {
  return snapshot.can({ type: 'POWER_LOST' }) ? nextSnapshot(snapshot, { type: 'POWER_LOST' }) : snapshot;
}

function signedInAtBackend(target: StateTarget): boolean {
  const { context } = target.snapshot;
  return (
    context.upn !== null &&
    target.effect !== 'checkAccount' &&
    (context.recordedStage === 'staged' || context.recordedStage === 'adminProvisioned')
  );
}

export function staleStagesFor(target: StateTarget): Array<'staged' | 'adminProvisioned' | 'enrolled'> {
  const signedIn = signedInAtBackend(target);
  return STALE_MESSAGES[target.snapshot.context.recordedStage ?? 'none']
    .filter((entry) => !(entry.onlyBeforeSignIn && signedIn))
    .map((entry) => entry.stage);
}

/** The outcome the documents promise for `fault` at `target` (null fault: the fault-free twin). */
export function expectedOutcome(target: StateTarget, fault: FaultKind | null): ExpectedOutcome {
  const offered = offeredToken(target.plan);
  const chain = naturalChain(target.snapshot, offered, fault === 'clockJump');
  const atRest = target.effect === null || !target.requests;
  const end = chain.at(-1)!;
  const continues = Number.parseInt(target.plan.osVersion, 10) >= 8;
  const base: ExpectedOutcome = {
    settlesAt: statePath(end),
    errorReason: null,
    backendAhead: null,
    fires:
      atRest &&
      fault !== null &&
      ['networkDrop', 'networkDropAfterCommit', 'duplicateMessage'].includes(fault)
        ? 'nextExchange'
        : 'now',
    staleStages: fault === 'outOfOrderMessage' ? staleStagesFor(target) : [],
    continues,
    why: '',
  };
  const held = atRest ? 'at rest' : `its ${target.effect} work`;
  switch (fault) {
    case null:
      return {
        ...base,
        why: atRest
          ? 'no fault: the device stays where it is'
          : `no fault: ${held} runs to ${base.settlesAt}`,
      };
    case 'powerLoss': {
      if (atRest) {
        const after = powerLost(end);
        const why =
          after === end
            ? 'the model has no power loss here: the device comes back on the same screen'
            : `power loss takes it to ${statePath(after)}; it restarts from what it saved`;
        return { ...base, settlesAt: statePath(after), why };
      }
      // The power goes as the backend commits the first request of the held work.
      const exchange = chain.find((state) => callsBackend(metaOfPath(statePath(state)).effect)) ?? end;
      const effect = metaOfPath(statePath(exchange)).effect as Effect;
      const committed = EFFECT_WORK[effect].records;
      const accepted = effect !== 'redeemToken' || chain.some((state) => state.context.flow !== null);
      const ahead =
        committed !== null && accepted && committed !== exchange.context.recordedStage ? committed : null;
      const after = powerLost(exchange);
      return {
        ...base,
        settlesAt: statePath(after),
        backendAhead: ahead,
        why: `power is lost in ${statePath(exchange)} as the backend commits ${effect}${ahead ? ` (the ledger says ${ahead}, the device never heard)` : ''}; it restarts in ${statePath(after)}`,
      };
    }
    case 'clockJump': {
      const rejected = !atRest && end.context.errorReason === 'expired';
      if (rejected)
        return {
          ...base,
          errorReason: 'expired',
          why: 'the staging token expired before the device redeemed it: the documented token-rejected screen',
        };
      const why =
        target.snapshot.context.flow !== null
          ? 'a device that redeemed its token is not affected by the token expiring (token actions do not affect enrolled devices)'
          : offered?.kind === 'valid' && offered.tokenType === 'default' && !atRest
            ? 'default tokens never expire'
            : 'the device holds no redeemed token yet; its way on uses a token issued after the jump';
      return { ...base, why };
    }
    case 'outOfOrderMessage':
      return {
        ...base,
        why: `each stale message (${base.staleStages.join(', ')}) is answered stageOutOfOrder and recorded nowhere; then ${atRest ? 'the device is where it was' : `${held} runs to ${base.settlesAt}`}`,
      };
    case 'networkDrop':
    case 'networkDropAfterCommit':
    case 'duplicateMessage':
      return {
        ...base,
        why: `${atRest ? 'at the next exchange' : held}: the device reconnects with backoff and resends with the same requestId; the backend records it once${atRest ? '' : `, and the device goes on to ${base.settlesAt}`}`,
      };
    case 'backendRestart':
      return {
        ...base,
        why: atRest
          ? 'the backend restarts on the same file while the device rests; its next exchange reconnects'
          : `the backend restarts right after committing ${target.effect}; the device reconnects with backoff, resends, and the restarted backend (no reply cache) answers it from its ledger: ${base.settlesAt}`,
      };
  }
}

/** Every (state, fault) pair of the model with its expected outcome. */
export function faultMatrix(
  targets: StateTarget[],
  faults: readonly FaultKind[] = FAULT_KINDS,
): MatrixPair[] {
  return targets.flatMap((target) =>
    faults.map((fault) => ({ target, fault, expected: expectedOutcome(target, fault) })),
  );
}
