import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { StagesimError } from '../../agent/errors';
import {
  STAGING_MODES,
  type EnrollmentMode,
  type EnrollmentTokenType,
} from '../../agent/protocol/enrollment';
import { TOKEN_ALPHABET, TOKEN_LENGTH } from '../../agent/provisioning/tokenEntry';

/**
 * Enrollment tokens: minting, hashing, masking and expiry rules.
 *
 * Tokens are drawn symbol by symbol with crypto.randomInt (a CSPRNG, uniform over the alphabet). The
 * store looks tokens up by their SHA-256, never by comparing the token text, and the match is confirmed
 * with timingSafeEqual on the two digests, so no comparison leaks how many leading characters of a guess
 * were right. Logs and errors only ever show maskToken's form.
 */

export function generateTokenValue(): string {
  let value = '';
  for (let i = 0; i < TOKEN_LENGTH; i += 1) value += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return value;
}

export function hashToken(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time equality of two token digests (both SHA-256, so always of equal length). */
export function sameTokenHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The only form of a token that may appear in logs: its last four symbols. */
export function maskToken(value: string): string {
  return `…${value.slice(-4)}`;
}

/** What Graph shows as tokenExpirationDateTime for a token that never expires. */
export const NEVER_EXPIRES_ISO = '9999-12-31T23:59:59Z';

const DAY_SECONDS = 24 * 60 * 60;
/** Used when createToken (or the profile's creation) names no validity for a token that expires. */
export const DEFAULT_VALIDITY_SECONDS = 90 * DAY_SECONDS;
/** Intune's limit for dedicated-device and AOSP tokens. */
export const SHORT_LIVED_MAX_SECONDS = 90 * DAY_SECONDS;
/** Staging tokens live at most 65 calendar years. */
export const STAGING_MAX_YEARS = 65;

/**
 * When a new token of this profile expires (epoch ms), or null when it never does.
 *
 * - deviceStaging tokens (fully managed, work profile): validity default 90 days, at most 65 years.
 * - default tokens of fully managed and work profile: never expire; a validity given is ignored.
 * - every other token (dedicated device, shared mode, AOSP): default and at most 90 days.
 *
 * Throws TOKEN_VALIDITY_INVALID for a validity that is not a positive whole number of seconds or is over
 * the limit.
 */
export function tokenExpiry(
  mode: EnrollmentMode,
  tokenType: EnrollmentTokenType,
  createdAt: number,
  validitySeconds?: number,
): number | null {
  if (tokenType === 'default' && STAGING_MODES.includes(mode)) return null;
  if (validitySeconds !== undefined && (!Number.isSafeInteger(validitySeconds) || validitySeconds < 1)) {
    throw new StagesimError(
      'TOKEN_VALIDITY_INVALID',
      `tokenValidityInSeconds must be a whole number of seconds of at least 1, got ${validitySeconds}`,
    );
  }
  const seconds = validitySeconds ?? DEFAULT_VALIDITY_SECONDS;
  const expiresAt = createdAt + seconds * 1000;
  if (tokenType === 'deviceStaging') {
    const limit = new Date(createdAt);
    limit.setUTCFullYear(limit.getUTCFullYear() + STAGING_MAX_YEARS);
    if (expiresAt > limit.getTime()) {
      throw new StagesimError(
        'TOKEN_VALIDITY_INVALID',
        `a staging token can be valid for at most ${STAGING_MAX_YEARS} years (until ${limit.toISOString()}), asked for ${seconds} seconds`,
      );
    }
    return expiresAt;
  }
  if (seconds > SHORT_LIVED_MAX_SECONDS) {
    throw new StagesimError(
      'TOKEN_VALIDITY_INVALID',
      `a ${tokenType} token of a ${mode} profile can be valid for at most 90 days (${SHORT_LIVED_MAX_SECONDS} seconds), asked for ${seconds}`,
    );
  }
  return expiresAt;
}

/** Which token types each enrollment mode accepts (Graph refuses the others). */
export function tokenTypeAllowed(mode: EnrollmentMode, tokenType: EnrollmentTokenType): boolean {
  switch (tokenType) {
    case 'default':
      return true;
    case 'deviceStaging':
      return STAGING_MODES.includes(mode);
    case 'corporateOwnedDedicatedDeviceWithAzureADSharedMode':
      return mode === 'corporateOwnedDedicatedDevice';
  }
}
