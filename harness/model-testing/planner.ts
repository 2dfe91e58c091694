import type { ConfigurationSource, DeviceEvent } from '../../agent/model/events';
import { eventKind } from '../../agent/model/events';
import { metaOfPath } from '../../agent/model/inspect';
import type { Effect } from '../../agent/model/meta';
import {
  isAndroidSupported,
  mayUseMobileData,
  refusesTypedWorkProfile,
} from '../../agent/protocol/androidVersions';
import type { TokenRejectionReason } from '../../agent/protocol/enrollment';
import type { ModelPath, PathStep } from './paths';

/**
 * Turns a model path into a plan the harness can carry out. Outcome events are not sent to a device:
 * the harness arranges the world (which token the vendor holds, whether the admin revoked it, whether
 * Wi-Fi is in range, whether the network stalls) before the action that leads to them, and then
 * observes the device reach them. The plan also picks a device whose Android version makes every
 * outcome of the path possible; a path no device can take is refused with the reason.
 */

/** The kinds of token the harness can put in a vendor's hand. */
export type TokenKind =
  | {
      kind: 'valid';
      tokenType: 'deviceStaging' | 'default';
      mode: 'corporateOwnedFullyManaged' | 'corporateOwnedWorkProfile';
    }
  | {
      kind: 'rejected';
      reason: Exclude<TokenRejectionReason, 'androidTooOld' | 'manualEntryNotSupported' | 'rateLimited'>;
    };

/** How the QR code the vendor shows the device is made. */
export type QrVariant = 'valid' | 'checksumMismatch' | 'downloadFailed' | 'installFailed' | 'notProvisioning';

/** How the zero-touch or KME configuration registered for the device is made. */
export type ConfigurationVariant = 'valid' | 'malformed' | 'otherDpc' | 'checksumMismatch' | 'downloadFailed';

export type Arrangement =
  | { kind: 'offerToken'; token: TokenKind; qr: QrVariant }
  /** Register a zero-touch or KME configuration for the device, holding the token's exported JSON. */
  | { kind: 'configure'; source: ConfigurationSource; token: TokenKind; variant: ConfigurationVariant }
  /** Remove the device's configuration (a later check-in must find none). */
  | { kind: 'unconfigure' }
  | { kind: 'networkDown' }
  | { kind: 'networkUp' }
  | { kind: 'hold'; effect: Effect }
  | { kind: 'release' };

/** One thing the harness does, then the model steps it must observe as a result. */
export interface Segment {
  /** The action or environment change that starts the segment. */
  trigger: PathStep;
  /** Outcome steps that follow on their own. */
  outcomes: PathStep[];
  before: Arrangement[];
  after: Arrangement[];
  /** The account typed for SIGN_IN triggers. */
  upn?: string;
}

export interface PathPlan {
  osVersion: string;
  /** The device's manufacturer when the path needs one: Knox Mobile Enrollment is for Samsung devices. */
  manufacturer: string | null;
  segments: Segment[];
}

export class InfeasiblePathError extends Error {}

export const TENANT_UPN = 'john@contoso.com';
/** A well-formed account the tenant does not have: the service answers accountNotFound. */
export const FOREIGN_UPN = 'mallory@fabrikam.example';

const ANDROID_VERSIONS = ['7.1', '8.1', '9', '10', '11', '12', '13', '14'] as const;
/** Index of the first sample release `rule` holds for, and of the last it does not. */
const firstWhere = (rule: (version: string) => boolean) => ANDROID_VERSIONS.findIndex(rule);
const lastWhereNot = (rule: (version: string) => boolean) => firstWhere(rule) - 1;

function segmentsOf(path: ModelPath): Array<{ trigger: PathStep; outcomes: PathStep[]; index: number }> {
  const segments: Array<{ trigger: PathStep; outcomes: PathStep[]; index: number }> = [];
  path.steps.forEach((step, index) => {
    if (eventKind(step.event.type) === 'outcome') {
      const current = segments.at(-1);
      if (!current) throw new InfeasiblePathError(`path starts with the outcome ${step.event.type}`);
      current.outcomes.push(step);
    } else {
      segments.push({ trigger: step, outcomes: [], index });
    }
  });
  return segments;
}

function tokenFor(outcomes: DeviceEvent[]): TokenKind {
  for (const event of outcomes) {
    if (event.type === 'TOKEN_ACCEPTED')
      return { kind: 'valid', tokenType: event.tokenType, mode: event.mode };
    if (event.type === 'TOKEN_REJECTED') {
      switch (event.reason) {
        case 'androidTooOld':
          return { kind: 'valid', tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' };
        case 'manualEntryNotSupported':
          return { kind: 'valid', tokenType: 'deviceStaging', mode: 'corporateOwnedWorkProfile' };
        case 'rateLimited':
          throw new InfeasiblePathError('a rate-limited redemption is not arranged by model paths');
        default:
          return { kind: 'rejected', reason: event.reason };
      }
    }
  }
  return { kind: 'valid', tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' };
}

function setupFailure(outcomes: DeviceEvent[]) {
  const failure = outcomes.find((event) => event.type === 'SETUP_FAILED');
  return failure && failure.type === 'SETUP_FAILED' ? failure.reason : null;
}

function qrFor(trigger: DeviceEvent, outcomes: DeviceEvent[]): QrVariant {
  if (trigger.type === 'QR_INVALID') return 'notProvisioning';
  const reason = setupFailure(outcomes);
  if (reason === 'configurationInvalid' || reason === 'otherDpc')
    throw new InfeasiblePathError(`a QR code does not fail with ${reason}`);
  return reason ?? 'valid';
}

function configurationFor(source: ConfigurationSource, outcomes: DeviceEvent[]): ConfigurationVariant {
  const reason = setupFailure(outcomes);
  if (reason === 'installFailed')
    throw new InfeasiblePathError('a configuration does not fail with installFailed');
  if (source === 'knoxMobileEnrollment' && (reason === 'checksumMismatch' || reason === 'downloadFailed'))
    throw new InfeasiblePathError(`a KME configuration names no DPC checksum or download (${reason})`);
  return reason === 'configurationInvalid' ? 'malformed' : (reason ?? 'valid');
}

/** The Android versions each outcome allows: [lowest, highest] indexes into ANDROID_VERSIONS. */
function versionBounds(path: ModelPath): [number, number] {
  // Every accepted token needs a release Intune supports.
  let low = firstWhere(isAndroidSupported);
  let high = ANDROID_VERSIONS.length - 1;
  const unsupported = lastWhereNot(isAndroidSupported);
  const typedWorkProfileRefused = firstWhere(refusesTypedWorkProfile);
  const mobileDataWithoutConsent = lastWhereNot((version) => !mayUseMobileData(version, false));
  let wifi = false;
  let lastSource: 'qr' | 'manual' | 'configuration' | null = null;
  for (const step of path.steps) {
    const event = step.event;
    if (event.type === 'CONNECT_WIFI') wifi = true;
    if (event.type === 'FACTORY_RESET' || event.type === 'NETWORK_UNAVAILABLE') wifi = false;
    if (event.type === 'QR_SCANNED') {
      lastSource = 'qr';
      wifi = true; // the harness's QR codes carry the Wi-Fi extras
    }
    if (event.type === 'TOKEN_SUBMITTED') lastSource = 'manual';
    // Zero-touch and Knox Mobile Enrollment need a release Intune supports.
    if (event.type === 'CONFIGURATION_FOUND') {
      lastSource = 'configuration';
      low = Math.max(low, firstWhere(isAndroidSupported));
    }
    if (event.type === 'TOKEN_REJECTED' && event.reason === 'androidTooOld') {
      low = 0;
      high = Math.min(high, unsupported);
    }
    if (event.type === 'TOKEN_REJECTED' && event.reason === 'manualEntryNotSupported')
      low = Math.max(low, typedWorkProfileRefused);
    if (
      event.type === 'TOKEN_ACCEPTED' &&
      lastSource === 'manual' &&
      event.mode === 'corporateOwnedWorkProfile'
    )
      high = Math.min(high, typedWorkProfileRefused - 1);
    // Without Wi-Fi a typed token reaches the service only over mobile data, which needs the QR code's consent.
    if (event.type === 'DEVICE_READY' && !wifi && lastSource === 'manual')
      high = Math.min(high, mobileDataWithoutConsent);
  }
  return [low, high];
}

export function planPath(path: ModelPath): PathPlan {
  const [low, high] = versionBounds(path);
  if (low > high) throw new InfeasiblePathError(`no Android version allows every outcome of ${path.id}`);
  const osVersion = ANDROID_VERSIONS[high]!;

  const raw = segmentsOf(path);
  let configured = false;
  const segments: Segment[] = raw.map(({ trigger, outcomes }) => {
    const before: Arrangement[] = [];
    const after: Arrangement[] = [];
    const outcomeEvents = outcomes.map((step) => step.event);
    const type = trigger.event.type;
    if (type === 'QR_SCANNED' || type === 'QR_INVALID' || type === 'TOKEN_SUBMITTED') {
      before.push({
        kind: 'offerToken',
        token: tokenFor(outcomeEvents),
        qr: qrFor(trigger.event, outcomeEvents),
      });
    }
    const found = outcomeEvents.find((event) => event.type === 'CONFIGURATION_FOUND');
    if (found && found.type === 'CONFIGURATION_FOUND') {
      before.push({
        kind: 'configure',
        source: found.source,
        token: tokenFor(outcomeEvents),
        variant: configurationFor(found.source, outcomeEvents),
      });
      configured = true;
    } else if (configured && outcomeEvents.some((event) => event.type === 'NO_CONFIGURATION')) {
      before.push({ kind: 'unconfigure' });
      configured = false;
    }
    if (outcomeEvents.some((event) => event.type === 'NETWORK_UNAVAILABLE')) {
      before.push({ kind: 'networkDown' });
      after.push({ kind: 'networkUp' });
    }
    // The segment ends in a state that has work to do, but the path leaves it by an action or a power
    // loss, or ends there: keep that work from finishing, as a stalled network would.
    const endState = (outcomes.at(-1) ?? trigger).path;
    const effect = metaOfPath(endState).effect;
    if (effect) {
      before.push({ kind: 'hold', effect });
    }
    const upn =
      type === 'SIGN_IN'
        ? outcomeEvents.some(
            (event) => event.type === 'SIGN_IN_REJECTED' && event.reason === 'accountNotFound',
          )
          ? FOREIGN_UPN
          : TENANT_UPN
        : undefined;
    return { trigger, outcomes, before, after, ...(upn ? { upn } : {}) };
  });
  // Held work is released once the next segment's trigger has happened (the device moved on).
  segments.forEach((segment, index) => {
    if (index > 0 && segments[index - 1]!.before.some((arrangement) => arrangement.kind === 'hold'))
      segment.after.push({ kind: 'release' });
  });
  if (!isAndroidSupported(osVersion) && path.steps.some((step) => step.event.type === 'TOKEN_ACCEPTED')) {
    throw new InfeasiblePathError(`${path.id} needs Android 7 and an accepted token`);
  }
  const kme = path.steps.some(
    (step) => step.event.type === 'CONFIGURATION_FOUND' && step.event.source === 'knoxMobileEnrollment',
  );
  return { osVersion, manufacturer: kme ? 'Samsung' : null, segments };
}
