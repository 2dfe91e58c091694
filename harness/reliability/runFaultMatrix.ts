import { oneLine } from '../../agent/errors';
import { metaOfPath, statePath } from '../../agent/model/inspect';
import { callsBackend } from '../../agent/model/meta';
import type { RetryPolicy } from '../../agent/channel/retryPolicy';
import pLimit from 'p-limit';
import { type BackendOptions } from '../backend/server';
import { InfeasiblePathError, planPath, type PathPlan } from '../model-testing/planner';
import { replayText } from '../model-testing/replay';
import { runPath } from '../model-testing/runPath';
import { LockstepDevices } from './LockstepDevices';
import {
  CLOCK_JUMP_SECONDS,
  FAULT_KINDS,
  GLOBAL_FAULTS,
  expectedOutcome,
  stateTargets,
  type ExpectedOutcome,
  type FaultKind,
  type StateTarget,
} from './faultMatrix';
import { travelTogether, type Journey, type Leg } from './journeys';
import { ENROLLED, onwardPath } from '../model-testing/onward';
import { SharedWorld } from './SharedWorld';

import { checkFinal, checkSettled, stagesOf } from './faultChecks';
import { initialSnapshot } from '../../agent/model/nextSnapshot';
import { believed, Harness, sendStale, within, type Slot } from './faultHarness';

/**
 * Runs the fault matrix (faultMatrix.ts) against one backend on a temporary --db file, through a
 * FaultyLink. Per state, one model path run takes a group of devices there in lockstep: a fault-free
 * twin and one device per fault. Then, in phases: the faults one device suffers alone (all states at
 * once); the backend restart (once, for every state's device); the clock jump (once); the check of
 * every device against its expected outcome; the way on to enrolled, one model path run per group of
 * devices that are alike; the final checks: no device lost, none enrolled twice, the ledger in order.
 */
export interface FaultMatrixOptions {
  faults?: readonly FaultKind[];
  /** Leaf states to cover (all of them by default). */
  states?: readonly string[];
  /** Model path runs at a time. */
  concurrency?: number;
  seed?: number;
  /** Extra backend options (the matrix sets dbPath, clock and beforeReply itself). */
  backend?: Omit<BackendOptions, 'dbPath' | 'clock' | 'beforeReply' | 'port'>;
  /**
   * How the devices' channel clients retry (the one retry policy; nothing above the client retries).
   * The default is quicker than RETRY_BUDGET but as long in all as a backend restart needs here; a test
   * gives them no retries to see the matrix catch devices that get lost.
   */
  retry?: RetryPolicy;
}

export interface PairOutcome {
  state: string;
  fault: FaultKind;
  serialNumber: string;
  expected: ExpectedOutcome;
  /** The fault really happened (an armed one can find no exchange to hit). */
  fired: boolean;
  settledAt: string | null;
  finalState: string | null;
  problems: string[];
}

export interface FaultMatrixReport {
  states: number;
  pairs: PairOutcome[];
  /** Faults that fired, and of those the pairs that passed every check. */
  injected: number;
  survived: number;
  /** Devices (twins included) that ended enrolled. */
  enrolled: number;
  durationMs: number;
}

export async function runFaultMatrix(options: FaultMatrixOptions = {}): Promise<FaultMatrixReport> {
  const started = Date.now();
  const faults = options.faults ?? FAULT_KINDS;
  const concurrency = options.concurrency ?? 6;
  const seed = options.seed ?? 9;
  const targets = stateTargets().filter((target) => !options.states || options.states.includes(target.state));
  const harness = new Harness(options.backend, options.retry);
  await harness.start();
  const slots: Slot[] = [];
  const twins = new Map<StateTarget, Slot>();

  try {
    // --- 1. Every state, reached by its shortest path with one device per fault and a fault-free twin;
    // the paths share their beginnings, so each stretch is travelled once by all the devices on it.
    const journeys = targets.map((target, stateIndex) => {
      const members: Slot[] = [null, ...faults].map((fault) => {
        const serial = `FM${String(stateIndex + 1).padStart(2, '0')}-${fault === null ? 'TWIN' : fault.toUpperCase()}-${seed}`;
        return {
          target,
          fault,
          serial,
          device: harness.boot(serial, target.plan.osVersion),
          expected: expectedOutcome(target, fault),
          fired: false,
          firing: null,
          exchanged: false,
          settledAt: null,
          problems: [],
          dead: false,
        };
      });
      twins.set(target, members[0]!);
      slots.push(...members.slice(1));
      return {
        members,
        osVersion: target.plan.osVersion,
        from: initialSnapshot(),
        path: target.path,
        plan: target.plan,
      };
    });
    const reachWorld = new SharedWorld(harness.admin, 'FM reach');
    await travelTogether(journeys, { concurrency, name: 'reach' }, (leg) =>
      runLeg(harness, reachWorld, leg, seed, (slot) => `on the way to ${slot.target.state}`),
    );

    const live = (slot: Slot) => !slot.dead;
    const held = (slot: Slot) => slot.target.effect !== null && slot.target.requests;

    // --- 2. Faults a device suffers on its own, and the twins' held work, all states at once.
    const limitLocal = pLimit(concurrency * 4);
    await Promise.all(
      [...twins.values(), ...slots]
        .filter((slot) => live(slot) && !GLOBAL_FAULTS.includes(slot.fault as FaultKind))
        .map((slot) =>
          limitLocal(async () => {
            try {
              await injectLocal(harness, slot);
            } catch (error) {
              slot.problems.push(`injecting ${slot.fault ?? 'nothing'}: ${oneLine(error)}`);
            }
          }),
        ),
    );

    // --- 3. The backend restarts once, right after committing the request of every held device.
    const restarting = slots.filter((slot) => live(slot) && slot.fault === 'backendRestart');
    if (restarting.length > 0) {
      const committed = restarting.filter(held).map((slot) => {
        // Kept off the network until the new backend runs, so the resend meets the restarted backend.
        const fired = harness.armReply(slot.serial, () => harness.link.partition(slot.serial));
        slot.device.releaseEffects();
        return within(fired, `${slot.serial}'s request`).then(
          () => {
            slot.fired = true;
          },
          (error: Error) => slot.problems.push(error.message),
        );
      });
      await Promise.all(committed);
      await harness.restartBackend();
      for (const slot of restarting) {
        harness.link.heal(slot.serial);
        if (!held(slot)) slot.fired = true;
        // Work that asks the backend nothing (checking for a zero-touch configuration) goes on now.
        if (!held(slot)) slot.device.releaseEffects();
      }
      await Promise.all(restarting.map((slot) => slot.device.settled()));
    }

    // --- 4. The clock jumps once, past the staging tokens' expiry; held redemptions then meet it.
    const jumping = slots.filter((slot) => live(slot) && slot.fault === 'clockJump');
    if (jumping.length > 0) {
      await harness.admin.advanceClock(CLOCK_JUMP_SECONDS);
      for (const slot of jumping) {
        slot.fired = true;
        slot.device.releaseEffects();
      }
      await Promise.all(jumping.map((slot) => slot.device.settled()));
    }

    // --- 5. Where each device settled, against its expected outcome and its twin.
    const settled = await harness.records();
    for (const slot of [...twins.values(), ...slots].filter(live)) {
      slot.settledAt = statePath(slot.device.snapshot());
      slot.problems.push(...checkSettled(settled, slot, twins.get(slot.target)!));
    }

    // --- 6. On to enrolled: devices that are alike travel together, and the ways on share their ends.
    const groups = new Map<string, Slot[]>();
    for (const slot of [...twins.values(), ...slots]) {
      if (!live(slot) || !slot.expected.continues || statePath(slot.device.snapshot()) === ENROLLED) continue;
      const from = believed(slot);
      const key = JSON.stringify([statePath(from), from.context, slot.device.profile.osVersion]);
      groups.set(key, [...(groups.get(key) ?? []), slot]);
    }
    const onward: Array<Journey<Slot>> = [];
    for (const members of groups.values()) {
      const from = believed(members[0]!);
      const found = onwardPath(from);
      let plan: PathPlan | null = null;
      try {
        plan = found && planPath(found);
      } catch (error) {
        if (!(error instanceof InfeasiblePathError)) throw error;
        for (const slot of members)
          slot.problems.push(`the way on from ${statePath(from)} cannot be arranged: ${error.message}`);
        continue;
      }
      if (!found || !plan) {
        for (const slot of members)
          slot.problems.push(`the model has no way from ${statePath(from)} to enrolled`);
        continue;
      }
      const exchanged = found.steps.some((step) => callsBackend(metaOfPath(step.path).effect));
      for (const slot of members) slot.exchanged = exchanged;
      onward.push({ members, osVersion: members[0]!.device.profile.osVersion, from, path: found, plan });
    }
    // Tokens issued after the clock jump: the reach world's staging tokens have expired.
    const onwardWorld = new SharedWorld(harness.admin, 'FM onward');
    await travelTogether(onward, { concurrency, name: 'onward' }, (leg) =>
      runLeg(harness, onwardWorld, leg, seed, (slot) => `on the way from ${slot.settledAt} to enrolled`),
    );
    for (const slot of slots) {
      if (!slot.firing || !slot.exchanged || slot.dead) continue;
      await within(slot.firing, `${slot.fault} of ${slot.serial} on its way on`).catch((error: Error) =>
        slot.problems.push(error.message),
      );
    }

    // An armed fault that found no exchange to hit (the way on needed none) is taken back.
    for (const slot of slots) {
      if (slot.fired) continue;
      harness.link.disarm(slot.serial);
      harness.replyFaults.delete(slot.serial);
    }

    // --- 7. Nothing lost, nothing twice, the ledger in order.
    const final = await harness.records();
    for (const slot of [...twins.values(), ...slots].filter(live))
      slot.problems.push(...checkFinal(final, slot));
  } finally {
    await Promise.all(
      [...twins.values(), ...slots].map((slot) => slot.device.close().catch(() => undefined)),
    );
    await harness.close();
  }

  const pairs: PairOutcome[] = slots.map((slot) => ({
    state: slot.target.state,
    fault: slot.fault!,
    serialNumber: slot.serial,
    expected: slot.expected,
    fired: slot.fired,
    settledAt: slot.settledAt,
    finalState: slot.dead ? null : statePath(slot.device.snapshot()),
    problems: slot.problems,
  }));
  // A twin's problem (the state itself is broken) is every pair's problem.
  for (const pair of pairs) {
    const twin = [...twins.values()].find((candidate) => candidate.target.state === pair.state)!;
    pair.problems.push(
      ...twin.problems
        .filter((problem) => !pair.problems.includes(problem))
        .map((problem) => `twin: ${problem}`),
    );
  }
  const injected = pairs.filter((pair) => pair.fired);
  return {
    states: targets.length,
    pairs,
    injected: injected.length,
    survived: injected.filter((pair) => pair.problems.length === 0).length,
    enrolled: [...twins.values(), ...slots].filter(
      (slot) => !slot.dead && statePath(slot.device.snapshot()) === ENROLLED,
    ).length,
    durationMs: Date.now() - started,
  };
}

/** Injects a fault that concerns one device, then lets its held work, if any, run to the end. */
async function injectLocal(harness: Harness, slot: Slot): Promise<void> {
  const { device, serial } = slot;
  const isHeld = slot.target.effect !== null && slot.target.requests;
  const fire = (firing: Promise<void>) => {
    slot.firing = firing.then(() => {
      slot.fired = true;
    });
  };
  switch (slot.fault) {
    case null:
      break;
    case 'powerLoss':
      if (isHeld) {
        fire(harness.armReply(serial, () => device.cutPower()));
        device.releaseEffects();
        await within(slot.firing!, `the power loss of ${serial}`);
      } else {
        device.cutPower();
        slot.fired = true;
      }
      await harness.reboot(slot);
      return;
    case 'networkDrop':
      fire(harness.link.arm(serial, 'lose'));
      break;
    case 'duplicateMessage':
      fire(harness.link.arm(serial, 'duplicate'));
      break;
    case 'networkDropAfterCommit':
      fire(harness.armReply(serial));
      break;
    case 'outOfOrderMessage': {
      const before = stagesOf(await harness.readBackend(serial));
      const answers = await sendStale(harness.backend.channelUrl, slot);
      slot.fired = true;
      for (const { stage, reply } of answers) {
        if (reply.type !== 'error' || reply.code !== 'stageOutOfOrder')
          slot.problems.push(
            `a stale completeStage(${stage}) was answered ${JSON.stringify(reply)}, not stageOutOfOrder`,
          );
      }
      const after = stagesOf(await harness.readBackend(serial));
      if (after !== before)
        slot.problems.push(`stale messages changed the ledger from [${before}] to [${after}]`);
      break;
    }
    case 'backendRestart':
    case 'clockJump':
      throw new Error(`${slot.fault} is played for all devices at once`);
  }
  device.releaseEffects();
  if (isHeld && slot.firing) await within(slot.firing, `${slot.fault} of ${serial}`);
  await device.settled();
}

/** One stretch of model path, travelled by a group of devices in lockstep with the model suite's checks. */
async function runLeg(
  harness: Harness,
  world: SharedWorld,
  leg: Leg<Slot>,
  seed: number,
  where: (slot: Slot) => string,
): Promise<void> {
  const members = leg.members.filter((slot) => !slot.dead);
  if (members.length === 0) return;
  const group = new LockstepDevices(members.map((slot) => slot.device));
  const run = await runPath({
    path: leg.path,
    plan: leg.plan,
    device: group,
    admin: harness.admin,
    world,
    replay: (path, failedAt) => replayText(path, leg.plan, seed, failedAt),
  });
  const diverging = new Map(group.diverging().map((entry) => [entry.serialNumber, entry.state]));
  for (const slot of members) {
    const failure = run.result.failure
      ? `${where(slot)}, ${leg.path.steps.map((step) => step.event.type).join(' ')}: ${run.result.failure.message}`
      : diverging.has(slot.serial)
        ? `${where(slot)}, the device fell behind its group in ${diverging.get(slot.serial)} (the group is in ${statePath(members[0]!.device.snapshot())})`
        : null;
    if (failure) {
      slot.problems.push(failure);
      slot.dead = true;
    }
  }
}
