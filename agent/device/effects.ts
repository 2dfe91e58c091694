import type { DeviceEvent } from '../model/events';
import { EFFECT_WORK, type Effect } from '../model/meta';
import { mayUseMobileData } from '../protocol/androidVersions';
import type { Deliveries } from '../protocol/enrollment';
import type { DeviceRecordView } from '../protocol/messages';
import { INTUNE_DEFAULTS } from '../provisioning/payload';
import type { DeviceProfile } from './deviceProfile';
import type { ScannedProvisioning } from './SimulatedDevice';
import type { EnrollmentService } from './enrollmentService';

/**
 * The work behind the model's effect states. Each effect does what a real device would (join the
 * network, check the device policy app, talk to the enrollment service) and answers with the outcome
 * event the model expects. Nothing here decides a screen: the model does.
 */
export interface EffectContext {
  profile: DeviceProfile;
  service: EnrollmentService;
  /** True when the device can reach the enrollment service right now. */
  online(): boolean;
  /** The token the vendor scanned or typed, and how. */
  pendingToken(): { token: string; method: 'qr' | 'manual'; provisioning: ScannedProvisioning | null } | null;
  /** The account typed on the sign-in screen. */
  pendingUpn(): string | null;
  /** Called with what the service recorded, for the screens that show it. */
  remember(record: DeviceRecordView, deliveries: Deliveries): void;
}

/** The one device policy app the simulated device can download and install: Intune's (domain facts). */
const DEVICE_POLICY_APP = INTUNE_DEFAULTS;

type EffectRunner = (context: EffectContext) => Promise<DeviceEvent>;

const prepareDevice: EffectRunner = async (context) => {
  // Android 10+ needs a network for fully managed enrollment; the Wi-Fi error screen needs no reset.
  if (!context.online()) return { type: 'NETWORK_UNAVAILABLE' };
  // A QR code names the app to download, its checksum and its admin component; a typed token uses
  // Android Device Policy from managed Google Play.
  const provisioning = context.pendingToken()?.provisioning;
  if (provisioning) {
    if (provisioning.downloadLocation !== DEVICE_POLICY_APP.packageDownloadLocation)
      return { type: 'SETUP_FAILED', reason: 'downloadFailed' };
    if (provisioning.checksum !== DEVICE_POLICY_APP.signatureChecksum)
      return { type: 'SETUP_FAILED', reason: 'checksumMismatch' };
    if (provisioning.adminComponentName !== DEVICE_POLICY_APP.adminComponentName)
      return { type: 'SETUP_FAILED', reason: 'installFailed' };
  }
  return { type: 'DEVICE_READY' };
};

const redeemToken: EffectRunner = async (context) => {
  const pending = context.pendingToken();
  if (!pending) return { type: 'TOKEN_REJECTED', reason: 'unknown' };
  const answer = await context.service.redeemToken(pending.token, pending.method);
  return answer.type === 'tokenAccepted'
    ? { type: 'TOKEN_ACCEPTED', tokenType: answer.tokenType, mode: answer.enrollmentMode }
    : { type: 'TOKEN_REJECTED', reason: answer.reason };
};

const recordStage =
  (effect: 'recordStaged' | 'recordAdminProvisioned' | 'recordEnrolled'): EffectRunner =>
  async (context) => {
    const stage = EFFECT_WORK[effect].records;
    const { record, deliveries } = await context.service.completeStage(stage);
    context.remember(record, deliveries);
    return { type: 'STAGE_RECORDED' };
  };

const checkAccount: EffectRunner = async (context) => {
  const upn = context.pendingUpn();
  if (!upn) return { type: 'SIGN_IN_REJECTED', reason: 'invalidUpn' };
  const answer = await context.service.signIn(upn);
  return answer.accepted ? { type: 'SIGN_IN_ACCEPTED' } : { type: 'SIGN_IN_REJECTED', reason: answer.reason };
};

export const effects: Record<Effect, EffectRunner> = {
  prepareDevice,
  redeemToken,
  recordStaged: recordStage('recordStaged'),
  recordAdminProvisioned: recordStage('recordAdminProvisioned'),
  recordEnrolled: recordStage('recordEnrolled'),
  checkAccount,
};

/** Whether the device has a data connection the enrollment service can be reached over. */
export function hasConnectivity(
  profile: DeviceProfile,
  wifiConnected: boolean,
  qrAllowsMobileData: boolean,
): boolean {
  if (wifiConnected) return true;
  return profile.cellular && mayUseMobileData(profile.osVersion, qrAllowsMobileData);
}
