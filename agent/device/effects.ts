import type { DeviceEvent } from '../model/events';
import { EFFECT_WORK, type Effect } from '../model/meta';
import { isAndroidSupported, mayUseMobileData } from '../protocol/androidVersions';
import type { Deliveries } from '../protocol/enrollment';
import type { DeviceRecordView, RedemptionMethod } from '../protocol/messages';
import type { ConfigurationReading, DeviceConfiguration } from '../provisioning/deviceConfiguration';
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
  /** The token the vendor scanned or typed, or the device's configuration held, and how it came. */
  pendingToken(): {
    token: string;
    method: RedemptionMethod;
    provisioning: ScannedProvisioning | null;
  } | null;
  /** The zero-touch or KME configuration registered for this device, if any (the world's, not the device's). */
  registeredConfiguration(): DeviceConfiguration | null;
  /** Whether the device can reach Google's or Samsung's provisioning service right now. */
  canCheckIn(): boolean;
  /** The device takes the configuration it found as the provisioning it goes on with. */
  adoptConfiguration(configuration: DeviceConfiguration): void;
  /** What the adopted configuration said, when the device goes on from one. */
  adoptedConfiguration(): ConfigurationReading | null;
  /** The account typed on the sign-in screen. */
  pendingUpn(): string | null;
  /** Called with what the service recorded, for the screens that show it. */
  remember(record: DeviceRecordView, deliveries: Deliveries): void;
}

/** The one device policy app the simulated device can download and install: Intune's (domain facts). */
const DEVICE_POLICY_APP = INTUNE_DEFAULTS;

type EffectRunner = (context: EffectContext) => Promise<DeviceEvent>;

/**
 * Zero-touch and Knox Mobile Enrollment need Android 8.0 or later (Intune's enrollment methods table), and
 * Knox's cloud answers Samsung devices only; the check needs a network (Wi-Fi or mobile data).
 */
const checkConfiguration: EffectRunner = async (context) => {
  const configuration = context.registeredConfiguration();
  if (!configuration || !isAndroidSupported(context.profile.osVersion) || !context.canCheckIn())
    return { type: 'NO_CONFIGURATION' };
  if (configuration.format === 'knoxMobileEnrollment' && !isSamsung(context.profile.manufacturer))
    return { type: 'NO_CONFIGURATION' };
  context.adoptConfiguration(configuration);
  return { type: 'CONFIGURATION_FOUND', source: configuration.format };
};

export function isSamsung(manufacturer: string): boolean {
  return manufacturer.trim().toLowerCase() === 'samsung';
}

const prepareDevice: EffectRunner = async (context) => {
  // Android 10+ needs a network for fully managed enrollment; the Wi-Fi error screen needs no reset.
  if (!context.online()) return { type: 'NETWORK_UNAVAILABLE' };
  const configured = context.adoptedConfiguration();
  if (configured) {
    // The configuration's DPC is installed from managed Google Play; what it says is checked as a QR
    // code's would be, and extras Android cannot use end on "Can't set up device".
    if (!configured.ok) return { type: 'SETUP_FAILED', reason: configured.problem };
    if (
      configured.downloadLocation !== null &&
      configured.downloadLocation !== DEVICE_POLICY_APP.packageDownloadLocation
    )
      return { type: 'SETUP_FAILED', reason: 'downloadFailed' };
    if (configured.checksum !== null && configured.checksum !== DEVICE_POLICY_APP.signatureChecksum)
      return { type: 'SETUP_FAILED', reason: 'checksumMismatch' };
    return { type: 'DEVICE_READY' };
  }
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
  checkConfiguration,
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
  mobileDataAllowed: boolean,
): boolean {
  if (wifiConnected) return true;
  // Or when the device provisions from a zero-touch or KME configuration (which it fetched over it).
  return profile.cellular && mayUseMobileData(profile.osVersion, mobileDataAllowed);
}
