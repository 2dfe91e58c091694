import { randomUUID } from 'node:crypto';
import { STAGING_MODES, type DeviceIdentity, type EnrollmentStage } from '../../agent/protocol/enrollment';
import { isAndroidSupported, refusesTypedWorkProfile } from '../../agent/protocol/androidVersions';
import type { BackendMessage, DeviceRecordView, RedemptionMethod } from '../../agent/protocol/messages';
import type { Clock } from './clock';
import { planTransition, type Flow } from './ledger';
import {
  drawRandomDigits,
  randomDigitsNeeded,
  renderDeviceNameTemplate,
  reportName,
  type NameTemplates,
} from './naming';
import type { BackendStore, DeviceRecord, LedgerEntryInput } from './store/repository';
import { deviceDeliveries, type Targeting } from './targeting/deliveries';
import { targetDeviceOf } from './targeting/targetDevice';
import { hashToken, sameTokenHash } from './tokens';

/** A reply to the device, before the channel adds the requestId of the message it answers. */
export type ReplyBody = BackendMessage extends infer M
  ? M extends { requestId: unknown }
    ? Omit<M, 'requestId'>
    : never
  : never;

/** The request a change answers, kept with the change (DeviceRecord.lastReply). */
export interface RequestStamp {
  requestId: string;
  type: string;
}

const stored = (stamp: RequestStamp | undefined, body: ReplyBody) =>
  stamp ? { ...stamp, body: JSON.stringify(body) } : null;

export interface DeviceEnrollmentOptions {
  store: BackendStore;
  clock: Clock;
  targeting: Targeting;
  nameTemplates: NameTemplates;
  timeZone: string;
  /** Lower-case domains whose accounts can sign in. */
  tenantDomains: readonly string[];
  /** Told of every stage transition once it is committed (the backend's metrics count them). */
  onTransition?: (entry: LedgerEntryInput) => void;
}

/**
 * The enrollment service behind the device channel, transport-free: one method per device request,
 * each answering the reply body. Every accepted change is committed to the store (device row and ledger
 * entry in one transaction) before the method returns.
 */
export class DeviceEnrollment {
  constructor(private readonly options: DeviceEnrollmentOptions) {}

  /** Registers (or re-registers) the device; answers its id and what the ledger says about it. */
  hello(identity: DeviceIdentity): { deviceId: string; reply: ReplyBody } {
    const device = this.options.store.registerDevice(identity, this.options.clock.now(), randomUUID());
    return { deviceId: device.id, reply: { type: 'helloAck', record: recordView(device) } };
  }

  /**
   * Checks a token in a fixed order, each failure with its own reason: unknown, expired, revoked,
   * replaced, wrongTokenType, modeNotAllowed, androidTooOld, manualEntryNotSupported.
   */
  redeemToken(deviceId: string, token: string, method: RedemptionMethod, stamp?: RequestStamp): ReplyBody {
    const { store, clock } = this.options;
    const device = this.device(deviceId);
    const now = clock.now();
    const hash = hashToken(token);
    const found = store.findTokenByHash(hash);
    const reject = (reason: Extract<ReplyBody, { type: 'tokenRejected' }>['reason']): ReplyBody => ({
      type: 'tokenRejected',
      reason,
    });

    if (!found || !sameTokenHash(found.valueHash, hash)) return reject('unknown');
    if (found.expiresAt !== null && now >= found.expiresAt) return reject('expired');
    if (found.state === 'revoked') return reject('revoked');
    if (found.state === 'replaced') return reject('replaced');
    if (found.tokenType === 'corporateOwnedDedicatedDeviceWithAzureADSharedMode')
      return reject('wrongTokenType');
    if (!STAGING_MODES.includes(found.enrollmentMode)) return reject('modeNotAllowed');
    if (!isAndroidSupported(device.osVersion)) return reject('androidTooOld');
    if (
      method === 'manual' &&
      found.enrollmentMode === 'corporateOwnedWorkProfile' &&
      refusesTypedWorkProfile(device.osVersion)
    )
      return reject('manualEntryNotSupported');
    const profile = store.getProfile(found.profileId);
    if (!profile) return reject('revoked');

    const flow: Flow = found.tokenType === 'deviceStaging' ? 'deviceStaging' : 'default';
    const accepted: ReplyBody = {
      type: 'tokenAccepted',
      tokenType: flow,
      enrollmentMode: found.enrollmentMode as 'corporateOwnedFullyManaged' | 'corporateOwnedWorkProfile',
      profileId: profile.id,
      profileName: profile.displayName,
    };
    // The same token again, before stage 2: the same answer, nothing recorded twice.
    if (device.stage === 'tokenCreated' && device.tokenId === found.id) return accepted;

    const plan = planTransition(this.facts(device), 'tokenCreated');
    if (plan.outcome === 'outOfOrder')
      return { type: 'error', code: 'stageOutOfOrder', message: plan.message };
    if (plan.outcome === 'repeat') return accepted;
    const next: DeviceRecord = {
      ...device,
      stage: 'tokenCreated',
      flow,
      tokenId: found.id,
      profileId: profile.id,
      profileName: profile.displayName,
      enrollmentMode: found.enrollmentMode,
      signedInUpn: null,
      upn: null,
      lastChangeAt: now,
      lastReply: stored(stamp, accepted),
    };
    this.record(next, this.entry(device, plan.to, plan.actor, found.id, now), profile.id);
    return accepted;
  }

  completeStage(
    deviceId: string,
    stage: 'staged' | 'adminProvisioned' | 'enrolled',
    stamp?: RequestStamp,
  ): ReplyBody {
    const { store, clock } = this.options;
    const device = this.device(deviceId);
    const plan = planTransition(this.facts(device), stage);
    if (plan.outcome === 'outOfOrder')
      return { type: 'error', code: 'stageOutOfOrder', message: plan.message };
    if (plan.outcome === 'repeat') return this.stageRecorded(device);

    const now = clock.now();
    let next: DeviceRecord;
    if (stage === 'enrolled') {
      next = this.named({
        ...device,
        stage,
        upn: device.signedInUpn,
        userEnrolledAt: now,
        lastChangeAt: now,
      });
    } else {
      const template = device.profileId
        ? (store.getProfile(device.profileId)?.deviceNameTemplate ?? null)
        : null;
      next = this.named({
        ...device,
        stage,
        deviceNameTemplate: template,
        nameRandom: template ? drawRandomDigits(randomDigitsNeeded(template)) : null,
        upn: null,
        enrolledAt: now,
        userEnrolledAt: null,
        managed: true,
        lastChangeAt: now,
      });
    }
    next.deliveries = this.options.targeting.deliveriesFor({
      stage,
      upn: next.upn,
      device: targetDeviceOf(next),
    });
    const reply = this.stageRecorded(next);
    this.record(
      { ...next, lastReply: stored(stamp, reply) },
      this.entry(device, stage, plan.actor, device.tokenId, now),
    );
    return reply;
  }

  /** The account is checked before the device: a foreign account is accountNotFound wherever it is tried. */
  signIn(deviceId: string, upn: string, stamp?: RequestStamp): ReplyBody {
    const domain = upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
    if (!this.options.tenantDomains.includes(domain))
      return { type: 'signInRejected', reason: 'accountNotFound' };
    const device = this.device(deviceId);
    if (device.stage === 'enrolled') {
      return device.upn !== null && device.upn.toLowerCase() === upn.toLowerCase()
        ? { type: 'signInAccepted', upn }
        : { type: 'signInRejected', reason: 'alreadyEnrolled' };
    }
    if (device.stage !== 'staged' && device.stage !== 'adminProvisioned')
      return { type: 'signInRejected', reason: 'deviceNotStaged' };
    const accepted: ReplyBody = { type: 'signInAccepted', upn };
    if (device.signedInUpn !== upn) {
      this.options.store.saveDevice({
        ...device,
        signedInUpn: upn,
        lastChangeAt: this.options.clock.now(),
        lastReply: stored(stamp, accepted),
      });
    }
    return accepted;
  }

  factoryReset(deviceId: string, stamp?: RequestStamp): ReplyBody {
    const device = this.device(deviceId);
    const plan = planTransition(this.facts(device), 'factoryReset');
    const reply: ReplyBody = { type: 'resetRecorded' };
    if (plan.outcome === 'record') {
      const now = this.options.clock.now();
      const next: DeviceRecord = {
        ...device,
        stage: 'factoryReset',
        flow: null,
        signedInUpn: null,
        upn: null,
        deliveries: null,
        lastChangeAt: now,
        lastReply: stored(stamp, reply),
      };
      this.record(next, this.entry(device, 'factoryReset', plan.actor, device.tokenId, now));
    }
    return reply;
  }

  /** Commits the device with its ledger entry, then tells whoever watches transitions. */
  private record(next: DeviceRecord, entry: LedgerEntryInput, countUseOfProfile?: string): void {
    this.options.store.saveDevice(next, entry, countUseOfProfile);
    this.options.onTransition?.(entry);
  }

  /** The reply kept with the device's last change, if `requestId` is the request that made it. */
  storedReply(deviceId: string, requestId: string, type: string): ReplyBody | null {
    const last = this.options.store.getDevice(deviceId)?.lastReply;
    return last && last.requestId === requestId && last.type === type
      ? (JSON.parse(last.body) as ReplyBody)
      : null;
  }

  private device(deviceId: string): DeviceRecord {
    const device = this.options.store.getDevice(deviceId);
    // The session only holds ids the store handed out, and devices are never deleted.
    if (!device) throw new Error(`device ${deviceId} is not in the store`);
    return device;
  }

  private facts(device: DeviceRecord) {
    return { stage: device.stage, flow: device.flow, signedIn: device.signedInUpn !== null };
  }

  private entry(
    device: DeviceRecord,
    to: EnrollmentStage,
    actor: 'admin' | 'vendor' | 'user',
    tokenId: string | null,
    at: number,
  ) {
    return {
      deviceId: device.id,
      serialNumber: device.serialNumber,
      fromStage: device.stage,
      toStage: to,
      at,
      actor,
      tokenId,
    };
  }

  /** Fills in the report name and Graph's deviceName for the device's (new) stage. */
  private named(device: DeviceRecord): DeviceRecord {
    const { nameTemplates, timeZone } = this.options;
    const stage = device.stage as 'staged' | 'adminProvisioned' | 'enrolled';
    const facts = {
      serialNumber: device.serialNumber,
      mode: device.enrollmentMode!,
      enrolledAt: device.enrolledAt!,
      upn: device.upn,
    };
    const managedName = reportName(nameTemplates, stage, facts, timeZone);
    const templated = device.deviceNameTemplate
      ? renderDeviceNameTemplate(
          device.deviceNameTemplate,
          { ...facts, randomDigits: device.nameRandom ?? '' },
          timeZone,
        )
      : null;
    return { ...device, managedName, deviceName: templated ?? managedName };
  }

  private stageRecorded(device: DeviceRecord): ReplyBody {
    return {
      type: 'stageRecorded',
      record: recordView(device)!,
      deliveries: deviceDeliveries(device.deliveries),
    };
  }
}

export function recordView(device: DeviceRecord): DeviceRecordView | null {
  if (device.stage === null) return null;
  return {
    managedDeviceId: device.id,
    deviceName: device.deviceName ?? '',
    stage: device.stage,
    userPrincipalName: device.upn,
    profileId: device.profileId,
    enrollmentMode: device.enrollmentMode,
  };
}
