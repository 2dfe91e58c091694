import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import WebSocket from 'ws';
import { DeviceChannelClient } from '../../agent/channel/DeviceChannelClient';
import { oneLine } from '../../agent/errors';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { MemoryDeviceStorage } from '../../agent/device/deviceStorage';
import { deviceModel } from '../../agent/model/deviceModel';
import { metaOfPath, statePath, type DeviceSnapshot } from '../../agent/model/inspect';
import type { EnrollmentStage } from '../../agent/protocol/enrollment';
import { fixedClock } from '../backend/clock';
import { startBackend, type BackendOptions, type RunningBackend } from '../backend/server';
import { checkBackend, checkLedger, type BackendSnapshot } from '../model-testing/checks';
import { InfeasiblePathError, planPath, type PathPlan } from '../model-testing/planner';
import { replayText } from '../model-testing/replay';
import { runPath } from '../model-testing/runPath';
import { AdminClient } from '../world/AdminClient';
import { FaultyLink } from './FaultyLink';
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
import { ENROLLED, onwardPath } from './onward';
import { pool } from './pool';
import { SharedWorld } from './SharedWorld';

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
   * How the devices retry: their channel client per request, and the device runtime per call. The
   * defaults are quick; a test gives them no retries to see the matrix catch devices that get lost.
   */
  retry?: {
    client: { attempts: number; baseDelayMs: number; maxDelayMs: number };
    device: { attempts: number; baseDelayMs: number };
  };
}

const QUICK_RETRY: NonNullable<FaultMatrixOptions['retry']> = {
  client: { attempts: 8, baseDelayMs: 10, maxDelayMs: 100 },
  device: { attempts: 8, baseDelayMs: 20 },
};

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

const initialSnapshot = (): DeviceSnapshot => createActor(deviceModel).getSnapshot();
/**
 * A state whose work talks to the backend (prepareDevice only checks the device policy app,
 * checkConfiguration asks Google's or Samsung's service).
 */
const REQUESTING_EFFECT = (state: string) => {
  const effect = metaOfPath(state).effect;
  return effect !== undefined && effect !== 'prepareDevice' && effect !== 'checkConfiguration';
};
const FIRE_TIMEOUT_MS = 5_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Slot {
  target: StateTarget;
  fault: FaultKind | null;
  serial: string;
  device: SimulatedDevice;
  expected: ExpectedOutcome;
  fired: boolean;
  firing: Promise<void> | null;
  /** Whether the device's way on to enrolled made an exchange with the backend (an armed fault hits it). */
  exchanged: boolean;
  settledAt: string | null;
  problems: string[];
  dead: boolean;
}

type ReplyFault = () => void;

interface Records {
  of(serial: string): BackendSnapshot;
  managedCount(serial: string): number;
}

class Harness {
  readonly storage = new MemoryDeviceStorage();
  readonly replyFaults = new Map<string, ReplyFault>();
  readonly clock = fixedClock(Date.now());
  private readonly folder = mkdtempSync(join(tmpdir(), 'stagesim-faults-'));
  readonly dbPath = join(this.folder, 'backend.db');
  backend!: RunningBackend;
  link!: FaultyLink;
  admin!: AdminClient;

  constructor(
    private readonly extra: FaultMatrixOptions['backend'] = {},
    private readonly retry = QUICK_RETRY,
  ) {}

  async start(): Promise<void> {
    this.backend = await this.startBackend(0);
    this.link = await FaultyLink.start(this.backend.channelUrl);
    this.admin = new AdminClient(this.backend.url);
  }

  private startBackend(port: number): Promise<RunningBackend> {
    return startBackend({
      ...this.extra,
      port,
      dbPath: this.dbPath,
      dbSynchronous: 'off',
      clock: this.clock,
      beforeReply: (request) => {
        if (request.type === 'hello') return 'send';
        const serial = this.link?.ownerOf(request.requestId);
        const fault = serial === undefined ? undefined : this.replyFaults.get(serial);
        if (!fault) return 'send';
        this.replyFaults.delete(serial!);
        fault();
        return 'drop';
      },
    });
  }

  /** Arms a fault for the reply to the device's next request other than hello; resolves when it fired. */
  armReply(serial: string, fault: ReplyFault = () => undefined): Promise<void> {
    return new Promise((fired) =>
      this.replyFaults.set(serial, () => {
        fault();
        fired();
      }),
    );
  }

  /** The same file, the same port, the same clock: devices come back to the address they know. */
  async restartBackend(): Promise<void> {
    const port = this.backend.port;
    await this.backend.close();
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.backend = await this.startBackend(port);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await pause(25);
      }
    }
    this.link.retarget(this.backend.channelUrl);
  }

  boot(serialNumber: string, osVersion: string): SimulatedDevice {
    const service = new DeviceChannelClient({
      url: this.link.url,
      requestTimeoutMs: 5_000,
      retry: this.retry.client,
    });
    return new SimulatedDevice({
      profile: { serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion },
      service,
      storage: this.storage,
      retry: this.retry.device,
    });
  }

  /** The device comes back after losing power: a new process, restored from what it saved. */
  async reboot(slot: Slot): Promise<void> {
    await slot.device.close();
    slot.device = this.boot(slot.serial, slot.device.profile.osVersion);
    await slot.device.settled();
  }

  /** Every managed device and ledger entry at once, by serial number: two requests for all the checks. */
  async records(): Promise<Records> {
    const [devices, ledger] = await Promise.all([
      this.admin.managedDevices({ top: 1000 }),
      this.admin.ledger(),
    ]);
    if (devices.length >= 1000)
      throw new Error('the matrix reads managed devices in one page of 1000; it has more devices than that');
    const bySerial = <T extends { serialNumber: string }>(items: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of items) map.set(item.serialNumber, [...(map.get(item.serialNumber) ?? []), item]);
      return map;
    };
    const byDevice = bySerial(devices);
    const ledgerByDevice = bySerial(ledger);
    return {
      of: (serial) => ({
        device: byDevice.get(serial)?.[0] ?? null,
        ledger: ledgerByDevice.get(serial) ?? [],
      }),
      managedCount: (serial) => byDevice.get(serial)?.length ?? 0,
    };
  }

  async readBackend(serial: string): Promise<BackendSnapshot> {
    const [device, ledger] = await Promise.all([
      this.admin.managedDeviceBySerial(serial),
      this.admin.ledger(serial),
    ]);
    return { device, ledger };
  }

  async close(): Promise<void> {
    await this.link?.close();
    await this.backend?.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The device's model snapshot, with the stage the backend committed that it never heard of. */
function believed(slot: Slot): DeviceSnapshot {
  const snapshot = slot.device.snapshot();
  const ahead = slot.expected.backendAhead;
  if (!ahead) return snapshot;
  return deviceModel.resolveState({
    value: snapshot.value,
    context: { ...snapshot.context, recordedStage: ahead },
  });
}

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${FIRE_TIMEOUT_MS} ms`)),
      FIRE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends stale completeStage messages as the device, on a connection of their own; answers the replies. */
async function sendStale(
  channelUrl: string,
  slot: Slot,
): Promise<Array<{ stage: string; reply: { type?: string; code?: string } }>> {
  const socket = new WebSocket(channelUrl);
  const replies: unknown[] = [];
  const waiters: Array<(message: unknown) => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else replies.push(message);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = () =>
    replies.length > 0
      ? Promise.resolve(replies.shift())
      : new Promise<unknown>((resolve) => waiters.push(resolve));
  const { serialNumber, manufacturer, model, osVersion } = slot.device.profile;
  try {
    socket.send(
      JSON.stringify({
        type: 'hello',
        requestId: 'stale-0',
        device: { serialNumber, manufacturer, model, osVersion },
      }),
    );
    await within(next(), 'the hello reply');
    const answers: Array<{ stage: string; reply: { type?: string; code?: string } }> = [];
    for (const [index, stage] of slot.expected.staleStages.entries()) {
      socket.send(JSON.stringify({ type: 'completeStage', requestId: `stale-${index + 1}`, stage }));
      answers.push({
        stage,
        reply: (await within(next(), `the reply to a stale ${stage}`)) as { type?: string; code?: string },
      });
    }
    return answers;
  } finally {
    socket.close();
  }
}

const stagesOf = (snapshot: BackendSnapshot) => snapshot.ledger.map((entry) => entry.toStage).join(' > ');

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
    await pool(
      [...twins.values(), ...slots].filter(
        (slot) => live(slot) && !GLOBAL_FAULTS.includes(slot.fault as FaultKind),
      ),
      concurrency * 4,
      async (slot) => {
        try {
          await injectLocal(harness, slot);
        } catch (error) {
          slot.problems.push(`injecting ${slot.fault ?? 'nothing'}: ${oneLine(error)}`);
        }
      },
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
      const exchanged = found.steps.some((step) => REQUESTING_EFFECT(step.path));
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

function checkSettled(records: Records, slot: Slot, twin: Slot): string[] {
  const problems: string[] = [];
  const view = slot.device.view();
  const { expected } = slot;
  if (view.state !== expected.settlesAt)
    problems.push(`settled in ${view.state}, expected ${expected.settlesAt} (${expected.why})`);
  if (expected.errorReason && view.errorReason !== expected.errorReason)
    problems.push(`shows error ${view.errorReason ?? 'none'}, expected ${expected.errorReason}`);
  if (metaOfPath(view.state).effect)
    problems.push(
      `lost in ${view.state}: its work ended with ${slot.device.effectError()?.message ?? 'nothing'}`,
    );
  const backend = records.of(slot.serial);
  problems.push(
    ...checkBackend(believed(slot).context, slot.serial, backend, null).map(
      (problem) => `after the fault: ${problem}`,
    ),
  );
  // Faults that must make no difference leave the ledger as the twin's.
  const transparent = slot.fault !== null && slot.fault !== 'powerLoss' && !expected.errorReason;
  if (transparent) {
    const twinStages = stagesOf(records.of(twin.serial));
    if (stagesOf(backend) !== twinStages)
      problems.push(`ledger [${stagesOf(backend)}] differs from the fault-free twin's [${twinStages}]`);
  }
  return problems;
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

function checkFinal(records: Records, slot: Slot): string[] {
  const problems: string[] = [];
  const { expected } = slot;
  const state = statePath(slot.device.snapshot());
  const goal = expected.continues ? ENROLLED : expected.settlesAt;
  if (state !== goal) problems.push(`the device ended in ${state}, not ${goal}`);
  const backend = records.of(slot.serial);
  const finalStage: EnrollmentStage | null = expected.continues
    ? 'enrolled'
    : believed(slot).context.recordedStage;
  problems.push(...checkLedger(backend.ledger, finalStage).map((problem) => `final ledger: ${problem}`));
  const listed = records.managedCount(slot.serial);
  if (listed > 1) problems.push(`the backend lists ${listed} managed devices with serial ${slot.serial}`);
  const sinceReset = backend.ledger.slice(
    backend.ledger.map((entry) => entry.toStage).lastIndexOf('factoryReset') + 1,
  );
  const enrollments = sinceReset.filter((entry) => entry.toStage === 'enrolled').length;
  if (enrollments > 1) problems.push(`enrolled ${enrollments} times since its last reset`);
  if (expected.continues && backend.device?.simulatorEnrollmentStage !== 'enrolled')
    problems.push('the backend does not list the device as enrolled');
  if (slot.fault !== null && expected.fires === 'nextExchange' && !slot.fired && slot.exchanged)
    problems.push(`the armed ${slot.fault} never fired`);
  if (slot.fault !== null && expected.fires === 'now' && !slot.fired)
    problems.push(`${slot.fault} never fired`);
  return problems;
}
