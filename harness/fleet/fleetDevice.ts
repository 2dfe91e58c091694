import { performance } from 'node:perf_hooks';
import {
  DeviceChannelClient,
  type ChannelTraffic,
  type DeviceChannelClientOptions,
} from '../../agent/channel/DeviceChannelClient';
import { isStagesimError } from '../../agent/errors';
import type { EnrollmentService } from '../../agent/device/enrollmentService';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { metaOfPath } from '../../agent/model/inspect';
import { EFFECT_WORK, effectSchema, type Effect } from '../../agent/model/meta';
import type { DeviceConfigurationInput } from '../../agent/provisioning/deviceConfiguration';
import { ENROLLED, VENDOR_NEVER } from '../model-testing/onward';
import { onwardTable } from '../model-testing/onwardTable';
import { performAction, type PersonsWorld } from '../model-testing/personActs';

/**
 * One fleet device: a real SimulatedDevice over a real DeviceChannelClient of its own, walked through
 * the staging document the way a vendor and then a user would, screen by screen.
 */

/** The stage transitions a device waits for, named as the backend's ledger names them (plus sign-in). */
export const TRANSITION_KINDS = ['tokenCreated', 'staged', 'adminProvisioned', 'signIn', 'enrolled'] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** Ledger transitions: these make up the fleet's overall latency figure. The sign-in check is reported apart. */
export const LEDGER_TRANSITIONS: readonly TransitionKind[] = [
  'tokenCreated',
  'staged',
  'adminProvisioned',
  'enrolled',
];

/** Which transition a progress screen's work asks the backend for, from the model's effect facts. */
const TRANSITION_OF_EFFECT = new Map<Effect, TransitionKind>();
for (const effect of effectSchema.options) {
  const work = EFFECT_WORK[effect];
  if (work.callsBackend) TRANSITION_OF_EFFECT.set(effect, work.records ?? 'signIn');
}

export interface FleetDeviceSpec {
  serialNumber: string;
  manufacturer: string;
  model: string;
  osVersion: string;
  upn: string;
}

export interface WalkOptions {
  url: string;
  /** The device channel client's options: one object for the whole fleet, checked once. */
  channel?: DeviceChannelClientOptions;
  /** The text of the profile's QR code, decoded once for the whole fleet. */
  provisioningText: string;
  /** The zero-touch or KME configuration every device is registered with; null: they scan the QR code. */
  configuration: DeviceConfigurationInput | null;
  until: 'staged' | 'enrolled';
}

export type DeviceOutcome = { ok: true } | { ok: false; reason: string };

export interface WalkResult {
  outcome: DeviceOutcome;
  traffic: ChannelTraffic;
}

/** Called once per completed stage transition with how long the device waited for it. */
export type LatencySink = (kind: TransitionKind, ms: number) => void;

/**
 * What the person holding the device does on each screen it rests on: the model's shortest way to
 * enrolled, scanning the QR code as the document says (never typing the token or skipping Wi-Fi),
 * worked out once from the machine. Stage 2 is the vendor's (or the admin's, with a default token); it
 * ends when the device is switched off and handed over, the first state where the user acts. Stage 3 is
 * the user's, to enrolled.
 */
const ONWARD = onwardTable((path) => path === ENROLLED, { refuse: VENDOR_NEVER });
const handedOver = (state: string): boolean => metaOfPath(state).actor === 'user';
const isEnrolled = (state: string): boolean => state === ENROLLED;

/** More steps than any walk of the model needs: a device that keeps going is stuck in a loop. */
const MAX_STEPS = 40;

/**
 * Walks one device through stage 2 and, unless `until` is 'staged', stage 3, over a DeviceChannelClient
 * of its own. Never throws for what the device or the backend did: a refusal, an error screen or a lost
 * connection is the outcome's reason.
 */
export async function walkDevice(
  spec: FleetDeviceSpec,
  options: WalkOptions,
  latency: LatencySink,
): Promise<WalkResult> {
  const service = new DeviceChannelClient(options.channel ?? { url: options.url });
  const outcome = await walkDeviceOver(service, spec, options, latency);
  return { outcome, traffic: service.traffic() };
}

/**
 * The same walk over any enrollment service: the bench walks fleet devices over replies recorded from
 * the backend (harness/bench/replayedDevice.ts) to tell the device's cost from its channel's.
 */
export async function walkDeviceOver(
  service: EnrollmentService,
  spec: FleetDeviceSpec,
  options: Pick<WalkOptions, 'provisioningText' | 'configuration' | 'until'>,
  latency: LatencySink,
): Promise<DeviceOutcome> {
  const { upn, ...identity } = spec;
  const device = new SimulatedDevice({
    profile: identity,
    service,
    ...(options.configuration ? { configuration: options.configuration } : {}),
  });
  // Time spent on each progress screen, from entering it to the outcome that leaves it.
  let waiting: { kind: TransitionKind; since: number; succeededWith: string } | null = null;
  device.onTransition((transition) => {
    const now = performance.now();
    if (waiting && transition.event === waiting.succeededWith) latency(waiting.kind, now - waiting.since);
    const effect = metaOfPath(transition.state).effect;
    const kind = effect && TRANSITION_OF_EFFECT.get(effect);
    waiting = effect && kind ? { kind, since: now, succeededWith: EFFECT_WORK[effect].succeededWith } : null;
  });
  let outcome: DeviceOutcome;
  try {
    const world = { qrText: options.provisioningText, upn };
    outcome = await walk(device, handedOver, world);
    if (outcome.ok && options.until === 'enrolled') outcome = await walk(device, isEnrolled, world);
  } catch (error) {
    outcome = {
      ok: false,
      reason: isStagesimError(error) ? error.code : `crash: ${(error as Error).message}`,
    };
  }
  await device.close();
  return outcome;
}

async function walk(
  device: SimulatedDevice,
  done: (state: string) => boolean,
  world: PersonsWorld,
): Promise<DeviceOutcome> {
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const state = device.stateName();
    if (done(state)) return { ok: true };
    // An error screen ends the walk with its reason: a fleet reports failures, it does not retry them.
    const next = metaOfPath(state).error ? undefined : ONWARD.ways(device.snapshot(), state)[0];
    if (!next) return { ok: false, reason: failureReason(device, state) };
    performAction(device, next, world);
    if (device.busy()) await device.settled();
  }
  return { ok: false, reason: `stuck: ${device.stateName()}` };
}

/** Why a device stopped where it did: the error screen's reason, the effect's error code, or the screen. */
function failureReason(device: SimulatedDevice, state: string): string {
  const effectError = device.effectError();
  if (effectError) return isStagesimError(effectError) ? effectError.code : effectError.message;
  const view = device.view();
  if (view.errorReason) return view.errorReason;
  return `stopped on ${view.screen.id} (${state})`;
}
