import type {
  CompletedStage,
  EnrollmentService,
  SignInResult,
  StageCompletion,
  TokenRedemption,
} from '../../agent/device/enrollmentService';
import { StagesimError } from '../../agent/errors';
import type { BackendMessage, BackendMessageOf, DeviceRecordView } from '../../agent/protocol/messages';
import { walkDeviceOver, type FleetDeviceSpec, type DeviceOutcome } from '../fleet/fleetDevice';
import type { FleetPlan } from '../fleet/fleetSetup';
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

/** Walks one device through stage 2 and stage 3 as the fleet does, over a ReplayedService; never throws. */
export function walkReplayedDevice(
  spec: FleetDeviceSpec,
  plan: Pick<FleetPlan, 'provisioningText' | 'configuration'>,
  replies: ReplyTable,
): Promise<DeviceOutcome> {
  return walkDeviceOver(new ReplayedService(replies), spec, { ...plan, until: 'enrolled' }, () => undefined);
}
