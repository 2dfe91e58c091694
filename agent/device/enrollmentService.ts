import type {
  BackendMessageOf,
  DeviceRecordView,
  PressCommand,
  RedemptionMethod,
  StateReportMessage,
} from '../protocol/messages';
import type { DeviceIdentity, Deliveries, SignInRejectionReason } from '../protocol/enrollment';

/**
 * What the device needs from the enrollment service. The device never talks to the backend any other
 * way; the WebSocket device channel (agent/channel) is the implementation.
 *
 * Every call may reject with a StagesimError whose code is 'NETWORK_UNAVAILABLE' when the service cannot
 * be reached at all; the device runtime retries those with backoff.
 */
export interface EnrollmentService {
  /** Introduce the device; the answer is what the backend's ledger says about it (null: never seen). */
  hello(device: DeviceIdentity): Promise<DeviceRecordView | null>;
  redeemToken(token: string, method: RedemptionMethod): Promise<TokenRedemption>;
  /** Ask the backend to record that this device finished a stage; answers what now targets it. */
  completeStage(stage: CompletedStage): Promise<StageCompletion>;
  signIn(upn: string): Promise<SignInResult>;
  factoryReset(): Promise<void>;
  close(): Promise<void>;
  /**
   * Tell the backend where the device's model is now, for the admin console. Fire and forget: never
   * throws, a report that cannot go out is dropped (the next one replaces it). Optional: a service
   * with no console behind it leaves it out.
   */
  reportState?(report: Omit<StateReportMessage, 'type'>): void;
  /** Taps a person makes in the admin console, relayed by the backend. Answers a function that stops them. */
  onPress?(listener: (command: PressCommand) => void): () => void;
}

export type CompletedStage = 'staged' | 'adminProvisioned' | 'enrolled';
export type TokenRedemption = BackendMessageOf<'tokenAccepted'> | BackendMessageOf<'tokenRejected'>;
export interface StageCompletion {
  record: DeviceRecordView;
  deliveries: Deliveries;
}
export type SignInResult =
  { accepted: true; upn: string } | { accepted: false; reason: SignInRejectionReason };
