import type { DeviceIdentity } from '../../protocol/enrollment';
import type { DeviceRecordView } from '../../protocol/messages';
import type { CompletedStage, EnrollmentService, SignInResult, StageCompletion, TokenRedemption } from '../enrollmentService';

/** Temporary in-process stand-in used until the backend's device channel lands. */
export class StandInEnrollmentService implements EnrollmentService {
  private device: DeviceIdentity | null = null;
  private record: DeviceRecordView | null = null;
  constructor(private readonly tokens: Record<string, { tokenType: 'deviceStaging' | 'default'; mode: 'corporateOwnedFullyManaged' | 'corporateOwnedWorkProfile' }>) {}
  async hello(device: DeviceIdentity) {
    this.device = device;
    return this.record;
  }
  async redeemToken(token: string): Promise<TokenRedemption> {
    const t = this.tokens[token];
    if (!t) return { type: 'tokenRejected', requestId: 'x', reason: 'unknown' };
    if (Number.parseInt(this.device!.osVersion, 10) < 8) return { type: 'tokenRejected', requestId: 'x', reason: 'androidTooOld' };
    this.record = { managedDeviceId: 'd1', deviceName: '', stage: 'tokenCreated', userPrincipalName: null, profileId: 'p', enrollmentMode: t.mode };
    return { type: 'tokenAccepted', requestId: 'x', tokenType: t.tokenType, enrollmentMode: t.mode, profileId: 'p', profileName: 'P' };
  }
  async completeStage(stage: CompletedStage): Promise<StageCompletion> {
    this.record = { ...this.record!, stage, deviceName: `Staging_${this.device!.serialNumber}` };
    return { record: this.record, deliveries: { policies: [], apps: [] } };
  }
  async signIn(upn: string): Promise<SignInResult> {
    if (!this.record) return { accepted: false, reason: 'deviceNotStaged' };
    this.record = { ...this.record, userPrincipalName: upn };
    return { accepted: true, upn };
  }
  async factoryReset() {}
  async close() {}
}
