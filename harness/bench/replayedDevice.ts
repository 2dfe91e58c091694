import type {
  CompletedStage,
  EnrollmentService,
  SignInResult,
  StageCompletion,
  TokenRedemption,
} from '../../agent/device/enrollmentService';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { StagesimError, isStagesimError } from '../../agent/errors';
import { metaOfPath } from '../../agent/model/inspect';
import type { BackendMessage, BackendMessageOf, DeviceRecordView } from '../../agent/protocol/messages';
import type { FleetDeviceSpec, DeviceOutcome } from '../fleet/fleetDevice';
import type { FleetPlan } from '../fleet/fleetSetup';
import { ENROLLED, VENDOR_NEVER } from '../model-testing/onward';
import { onwardTable } from '../model-testing/onwardTable';
import { performAction, type PersonsWorld } from '../model-testing/personActs';
import type { ReplyTable } from './replyTable';

/**
 * A fleet device without its channel: the real SimulatedDevice and model, walked as the fleet walks
 * them, over an in-process service that answers every call at once with the reply recorded for it. What
 * is left is what the device and its model cost, with no network, no JSON and no backend.
 */

/**
 * An EnrollmentService answering from a reply table, as DeviceChannelClient turns the same replies into
 * answers; a kind with no reply fails as the stub backend's error frame makes the client fail.
 */
export class ReplayedService implements EnrollmentService {
  /** State reports the device sent (the fleet's client sends them too; here they go nowhere). */
  reports = 0;

  constructor(private readonly replies: ReplyTable) {}

  async hello(): Promise<DeviceRecordView | null> {
    return this.answer('hello', 'helloAck').record;
  }

  async redeemToken(): Promise<TokenRedemption> {
    return this.answer('redeemToken', 'tokenAccepted', 'tokenRejected');
  }

  async completeStage(stage: CompletedStage): Promise<StageCompletion> {
    const reply = this.answer(`completeStage:${stage}`, 'stageRecorded');
    return { record: reply.record, deliveries: reply.deliveries };
  }

  async signIn(): Promise<SignInResult> {
    const reply = this.answer('signIn', 'signInAccepted', 'signInRejected');
    return reply.type === 'signInAccepted'
      ? { accepted: true, upn: reply.upn }
      : { accepted: false, reason: reply.reason };
  }

  async factoryReset(): Promise<void> {
    this.answer('factoryReset', 'resetRecorded');
  }

  reportState(): void {
    this.reports += 1;
  }

  async close(): Promise<void> {}

  private answer<T extends BackendMessage['type']>(kind: string, ...expected: T[]): BackendMessageOf<T> {
    const reply = this.replies[kind];
    if (!reply) throw new StagesimError('UNKNOWN_TYPE', `no recorded reply to ${kind}`);
    if (!(expected as string[]).includes(reply.type))
      throw new StagesimError(
        'UNEXPECTED_REPLY',
        `expected ${expected.join(' or ')}, recorded ${reply.type}`,
      );
    return reply as BackendMessageOf<T>;
  }
}

/** The walk of fleetDevice.ts: the same onward table, the same person's acts, the same bound on steps. */
const ONWARD = onwardTable((path) => path === ENROLLED, { refuse: VENDOR_NEVER });
const handedOver = (state: string): boolean => metaOfPath(state).actor === 'user';
const isEnrolled = (state: string): boolean => state === ENROLLED;
const MAX_STEPS = 40;

/** Walks one device through stage 2 and stage 3 over a ReplayedService; never throws for what it did. */
export async function walkReplayedDevice(
  spec: FleetDeviceSpec,
  plan: Pick<FleetPlan, 'provisioningText' | 'configuration'>,
  replies: ReplyTable,
): Promise<DeviceOutcome> {
  const { upn, ...identity } = spec;
  const device = new SimulatedDevice({
    profile: identity,
    service: new ReplayedService(replies),
    ...(plan.configuration ? { configuration: plan.configuration } : {}),
  });
  const world = { qrText: plan.provisioningText, upn };
  let outcome: DeviceOutcome;
  try {
    outcome = await walk(device, handedOver, world);
    if (outcome.ok) outcome = await walk(device, isEnrolled, world);
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
    const next = metaOfPath(state).error ? undefined : ONWARD.ways(device.snapshot(), state)[0];
    if (!next) {
      const effectError = device.effectError();
      if (!effectError) return { ok: false, reason: `stopped on ${state}` };
      const code = isStagesimError(effectError) ? `${effectError.code}: ` : '';
      return { ok: false, reason: `${code}${effectError.message}` };
    }
    performAction(device, next, world);
    if (device.busy()) await device.settled();
  }
  return { ok: false, reason: `stuck: ${device.stateName()}` };
}
