import { performance } from 'node:perf_hooks';
import {
  DeviceChannelClient,
  type ChannelTraffic,
  type DeviceChannelClientOptions,
} from '../../agent/channel/DeviceChannelClient';
import { isStagesimError } from '../../agent/errors';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { metaOfPath } from '../../agent/model/inspect';
import type { Effect } from '../../agent/model/meta';
import type { DeviceConfigurationInput } from '../../agent/provisioning/deviceConfiguration';

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

/** Which transition a progress screen's work asks the backend for. prepareDevice never leaves the device. */
const TRANSITION_OF_EFFECT: Partial<Record<Effect, TransitionKind>> = {
  redeemToken: 'tokenCreated',
  recordStaged: 'staged',
  recordAdminProvisioned: 'adminProvisioned',
  checkAccount: 'signIn',
  recordEnrolled: 'enrolled',
};

/** The outcome events that mean the backend recorded what the progress screen asked for. */
const SUCCESS_EVENTS = new Set(['TOKEN_ACCEPTED', 'STAGE_RECORDED', 'SIGN_IN_ACCEPTED']);

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

type Person = (device: SimulatedDevice, options: WalkOptions, spec: FleetDeviceSpec) => void;

const power: Person = (device) => device.pressPowerButton();
const send =
  (
    type:
      | 'START'
      | 'SELECT_LANGUAGE'
      | 'OPEN_QR_READER'
      | 'OPEN_INTUNE_APP'
      | 'CREATE_WORK_PROFILE'
      | 'GRANT_PERMISSIONS'
      | 'ACCEPT_TERMS',
  ): Person =>
  (device) =>
    device.send({ type });
const signIn: Person = (device, _options, spec) => device.signIn(spec.upn);
const connectWifi: Person = (device) => device.connectWifi();

/**
 * What the person holding the device does on each screen it rests on. Stage 2 is the vendor's (or the
 * admin's, with a default token); it ends when the staged device is switched off. Stage 3 is the user's.
 */
const STAGE_2: Record<string, Person> = {
  outOfBox: power,
  'setupWizard.welcome': send('START'),
  'setupWizard.language': send('SELECT_LANGUAGE'),
  'setupWizard.network': connectWifi,
  // "When you get to the sign-in screen, stop. Don't sign in." The vendor opens the QR reader instead.
  'setupWizard.signIn': send('OPEN_QR_READER'),
  'setupWizard.qrReader': (device, options) => void device.readProvisioningText(options.provisioningText),
  'stagingStage2.readyToPowerOff': power,
  'defaultStage1.readyToDistribute': power,
};
const STAGE_2_DONE = new Set(['stagingStage3.poweredOff', 'defaultStage2.poweredOff']);

const STAGE_3: Record<string, Person> = {
  'stagingStage3.poweredOff': power,
  // "Open the Microsoft Intune app, and then sign in with your work or school account."
  'stagingStage3.home': send('OPEN_INTUNE_APP'),
  'stagingStage3.intuneSignIn': signIn,
  'stagingStage3.workProfile': send('CREATE_WORK_PROFILE'),
  'defaultStage2.poweredOff': power,
  'defaultStage2.connectWifi': connectWifi,
  'defaultStage2.signIn': signIn,
  'defaultStage2.workProfile': send('CREATE_WORK_PROFILE'),
  'defaultStage2.permissions': send('GRANT_PERMISSIONS'),
  'defaultStage2.terms': send('ACCEPT_TERMS'),
};
const STAGE_3_DONE = new Set(['enrolled.readyForWork']);

/** More steps than any walk of the model needs: a device that keeps going is stuck in a loop. */
const MAX_STEPS = 40;

/**
 * Walks one device through stage 2 and, unless `until` is 'staged', stage 3. Never throws for what the
 * device or the backend did: a refusal, an error screen or a lost connection is the outcome's reason.
 */
export async function walkDevice(
  spec: FleetDeviceSpec,
  options: WalkOptions,
  latency: LatencySink,
): Promise<WalkResult> {
  const { upn, ...identity } = spec;
  void upn;
  const service = new DeviceChannelClient(options.channel ?? { url: options.url });
  const device = new SimulatedDevice({
    profile: identity,
    service,
    ...(options.configuration ? { configuration: options.configuration } : {}),
  });
  // Time spent on each progress screen, from entering it to the outcome that leaves it.
  let waiting: { kind: TransitionKind; since: number } | null = null;
  device.onTransition((transition) => {
    const now = performance.now();
    if (waiting && SUCCESS_EVENTS.has(transition.event)) latency(waiting.kind, now - waiting.since);
    const effect = metaOfPath(transition.state).effect;
    const kind = effect && TRANSITION_OF_EFFECT[effect];
    waiting = kind ? { kind, since: now } : null;
  });
  let outcome: DeviceOutcome;
  try {
    outcome = await walk(device, STAGE_2, STAGE_2_DONE, options, spec);
    if (outcome.ok && options.until === 'enrolled')
      outcome = await walk(device, STAGE_3, STAGE_3_DONE, options, spec);
  } catch (error) {
    outcome = {
      ok: false,
      reason: isStagesimError(error) ? error.code : `crash: ${(error as Error).message}`,
    };
  }
  await device.close();
  return { outcome, traffic: service.traffic() };
}

async function walk(
  device: SimulatedDevice,
  script: Record<string, Person>,
  done: Set<string>,
  options: WalkOptions,
  spec: FleetDeviceSpec,
): Promise<DeviceOutcome> {
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const state = device.stateName();
    if (done.has(state)) return { ok: true };
    const person = script[state];
    if (!person) return { ok: false, reason: failureReason(device, state) };
    person(device, options, spec);
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
