import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { StagesimError } from '../../agent/errors';
import { AdminClient, type ProfileEntity } from '../world/AdminClient';
import { EnrollmentWorld, type AcceptedFlow } from '../world/EnrollmentWorld';
import type { DeviceConfigurationInput } from '../../agent/provisioning/deviceConfiguration';
import type { FleetFlow, FleetMode, FleetProvisioning } from './options';
import { fleetDeviceSpec } from './runShard';

/** What every device of a fleet is handed: the profile's QR code, read once, and where to enroll. */
export interface FleetPlan {
  url: string;
  profileId: string;
  profileName: string;
  /** The profile's token type and mode as Graph names them. */
  tokenType: string;
  enrollmentMode: string;
  /** The text of the profile's QR code, read by the simulated camera from the PNG the admin API serves. */
  provisioningText: string;
  /** The zero-touch or KME configuration every device is registered with (null: they scan the QR code). */
  configuration: DeviceConfigurationInput | null;
}

const FORMATS = { 'zero-touch': 'zeroTouch', kme: 'knoxMobileEnrollment' } as const;

const MODES: Record<FleetMode, AcceptedFlow['mode']> = {
  fullyManaged: 'corporateOwnedFullyManaged',
  workProfile: 'corporateOwnedWorkProfile',
};
const FLOWS: Record<FleetFlow, AcceptedFlow['tokenType']> = { staging: 'deviceStaging', default: 'default' };

/**
 * Stage 1 on a backend the fleet started itself: a profile with the token of `flow`, and targeting as
 * the staging document has it (an assignment filter, a dynamic device group, a user group).
 */
export async function createFleetProfile(
  url: string,
  options: {
    flow: FleetFlow;
    mode: FleetMode;
    serialPrefix: string;
    domain: string;
    provisioning: FleetProvisioning;
    /** The CA of the backend's certificate (the local CA of --tls), trusted besides Node's. */
    ca?: string;
  },
): Promise<FleetPlan> {
  const admin = new AdminClient(url, undefined, options.ca);
  const world = new EnrollmentWorld(admin, `Fleet ${options.serialPrefix}`);
  const profile = await world.profileFor({ tokenType: FLOWS[options.flow], mode: MODES[options.mode] });
  await world.targetProfile(
    profile,
    fleetDeviceSpec(0, options.serialPrefix, options.domain, options.provisioning).upn,
  );
  return planFor(url, admin, profile, options.provisioning);
}

/**
 * A profile on a running backend, with whatever token it has now. Throws StagesimError
 * PROFILE_NOT_FOUND, PROFILE_MISMATCH (--flow or --mode say otherwise) or PROFILE_HAS_NO_TOKEN
 * (revoked: the admin center shows no QR code), and the AdminClient's BACKEND_UNREACHABLE.
 */
export async function existingFleetProfile(
  url: string,
  profileId: string,
  options: { adminKey?: string; flow?: FleetFlow; mode?: FleetMode; provisioning: FleetProvisioning },
): Promise<FleetPlan> {
  const admin = new AdminClient(url, options.adminKey);
  let profile: ProfileEntity;
  try {
    profile = await admin.getProfile(encodeURIComponent(profileId));
  } catch (error) {
    if (
      error instanceof StagesimError &&
      error.code === 'ADMIN_API_ERROR' &&
      / answered 404 /.test(error.message)
    ) {
      throw new StagesimError(
        'PROFILE_NOT_FOUND',
        `the backend at ${url} has no enrollment profile ${JSON.stringify(profileId)}`,
      );
    }
    throw error;
  }
  if (options.flow && profile.enrollmentTokenType !== FLOWS[options.flow]) {
    throw new StagesimError(
      'PROFILE_MISMATCH',
      `--flow ${options.flow}, but profile "${profile.displayName}" has a ${profile.enrollmentTokenType} token`,
    );
  }
  if (options.mode && profile.enrollmentMode !== MODES[options.mode]) {
    throw new StagesimError(
      'PROFILE_MISMATCH',
      `--mode ${options.mode}, but profile "${profile.displayName}" is ${profile.enrollmentMode}`,
    );
  }
  return planFor(url, admin, profile, options.provisioning);
}

async function planFor(
  url: string,
  admin: AdminClient,
  profile: ProfileEntity,
  provisioning: FleetProvisioning,
): Promise<FleetPlan> {
  const { png } = await admin.qrCode(profile.id);
  if (!png)
    throw new StagesimError(
      'PROFILE_HAS_NO_TOKEN',
      `profile "${profile.displayName}" has no token to scan (revoked); replace it with createToken first`,
    );
  // Decoded once for the fleet: every device is then handed the text its camera would have read.
  const { text } = await decodeCameraFrame(png);
  return {
    url,
    profileId: profile.id,
    profileName: profile.displayName,
    tokenType: profile.enrollmentTokenType,
    enrollmentMode: profile.enrollmentMode,
    provisioningText: text,
    // Exported once through the admin center's export, as an admin pastes it into the portal once.
    configuration:
      provisioning === 'qr'
        ? null
        : {
            format: FORMATS[provisioning],
            json: JSON.stringify(await admin.exportToken(profile.id, FORMATS[provisioning])),
          },
  };
}
