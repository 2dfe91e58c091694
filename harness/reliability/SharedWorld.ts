import type { AdminClient, ProfileEntity } from '../world/AdminClient';
import { knownQrCode } from './LockstepDevices';
import {
  EnrollmentWorld,
  type AcceptedFlow,
  type OfferedToken,
  type RejectedTokenReason,
  type TargetingPlan,
} from '../world/EnrollmentWorld';

/**
 * One admin's stage 1 for many model path runs on one backend: each profile is created and targeted
 * once and its QR code fetched once, so every device of a flow is handed the same token and the same PNG
 * (whose text the devices' reader is told rather than decoding it). Runs that offer no token of their own share it freely; a run that
 * needs tokens issued after a clock jump takes a new world.
 */
export class SharedWorld extends EnrollmentWorld {
  private readonly flows = new Map<string, Promise<ProfileEntity>>();
  private readonly refused = new Map<RejectedTokenReason, Promise<OfferedToken>>();
  private readonly targeted = new Map<string, Promise<TargetingPlan>>();
  private readonly codes = new Map<string, Promise<{ token: string; png: Buffer }>>();

  constructor(admin: AdminClient, prefix: string) {
    super(admin, prefix);
  }

  // Runs ask at the same time: the first asker's promise is everybody's, so nothing is created twice.
  override profileFor(flow: AcceptedFlow): Promise<ProfileEntity> {
    return memo(this.flows, this.profileName(flow), () => super.profileFor(flow));
  }

  /** A refused token stays refused (expired, revoked, replaced…): one per reason does for every run. */
  override rejectedToken(reason: RejectedTokenReason): Promise<OfferedToken> {
    return memo(this.refused, reason, () => super.rejectedToken(reason));
  }

  override targetProfile(profile: ProfileEntity, upn: string): Promise<TargetingPlan> {
    return memo(this.targeted, `${profile.id}\u0000${upn}`, () => super.targetProfile(profile, upn));
  }

  /** The profile's token and QR code, with the text the code holds (Graph's qrCodeContent) told to the readers. */
  override issued(profile: ProfileEntity): Promise<{ token: string; png: Buffer }> {
    return memo(this.codes, profile.id, async () => {
      const { tokenValue, qrCodeContent, png } = await this.admin.qrCode(profile.id);
      if (!tokenValue || !png || !qrCodeContent)
        throw new Error(`profile "${profile.displayName}" has no usable token`);
      knownQrCode(png, qrCodeContent);
      return { token: tokenValue, png };
    });
  }
}

function memo<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}
