import type { DeviceEvent } from '../../agent/model/events';
import { metaOfPath, statePath, type DeviceSnapshot } from '../../agent/model/inspect';

/**
 * The model accepts outcomes the world cannot produce in every situation: a typed token carries no
 * checksum to mismatch, and a staged device cannot be "not staged". Generated paths offer only events the
 * harness can really cause, so every path it runs is one a device could take.
 */
const NEVER_ARRANGED = new Set<string>([
  // The rate limit needs several failed redemptions on one connection; the backend's channel tests and
  // the fault matrix cover it. It takes the same model transition as every other rejected token.
  'TOKEN_REJECTED:rateLimited',
  // The device validates the account before sending it, so the service never sees a malformed one.
  'SIGN_IN_REJECTED:invalidUpn',
]);

function variantKey(event: DeviceEvent): string {
  return 'reason' in event ? `${event.type}:${event.reason}` : event.type;
}

export function isFeasible(snapshot: DeviceSnapshot, event: DeviceEvent): boolean {
  if (NEVER_ARRANGED.has(variantKey(event))) return false;
  const { tokenSource } = snapshot.context;
  const path = statePath(snapshot);
  const configured = tokenSource === 'zeroTouch' || tokenSource === 'knoxMobileEnrollment';
  switch (event.type) {
    case 'FACTORY_RESET':
      // Resetting a device that is switched off is the same as resetting it after switching it on.
      return !metaOfPath(path).poweredOff;
    case 'SETUP_FAILED':
      // Checksum, download location and admin component come from the QR code; a zero-touch
      // configuration names them too, a KME one only its DPC; unreadable extras only a configuration has.
      if (event.reason === 'configurationInvalid' || event.reason === 'otherDpc') return configured;
      if (event.reason === 'installFailed') return tokenSource === 'qr';
      return tokenSource === 'qr' || tokenSource === 'zeroTouch';
    case 'NETWORK_UNAVAILABLE':
      // A device that found its configuration has just been online; a network lost after that is a
      // fault the fault matrix injects, not something a plan arranges.
      return !configured;
    case 'TOKEN_REJECTED':
      if (configured && event.reason === 'androidTooOld') return false;
      return event.reason !== 'manualEntryNotSupported' || tokenSource === 'manual';
    case 'SIGN_IN_REJECTED': {
      const neverStaged = path.startsWith('setupWizard.');
      if (event.reason === 'deviceNotStaged') return neverStaged;
      if (event.reason === 'alreadyEnrolled') return false;
      return !neverStaged;
    }
    default:
      return true;
  }
}
