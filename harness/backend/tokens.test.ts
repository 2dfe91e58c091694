import { tokenValueSchema } from '../../agent/provisioning/tokenEntry';
import {
  NEVER_EXPIRES_ISO,
  generateTokenValue,
  hashToken,
  maskToken,
  sameTokenHash,
  tokenExpiry,
  tokenTypeAllowed,
} from './tokens';

const JUNE_22 = Date.parse('2024-06-22T04:20:00Z');

describe('generateTokenValue', () => {
  it('mints tokens of the shared format, different every time', () => {
    const tokens = Array.from({ length: 200 }, generateTokenValue);
    for (const token of tokens) expect(tokenValueSchema.safeParse(token).success).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('uses every symbol of the alphabet and no look-alike', () => {
    const seen = new Set(Array.from({ length: 100 }, generateTokenValue).join(''));
    expect(seen.size).toBe(32);
    for (const lookAlike of ['0', 'O', '1', 'I']) expect(seen.has(lookAlike)).toBe(false);
  });
});

describe('token digests', () => {
  it('match only the same token', () => {
    const token = generateTokenValue();
    expect(sameTokenHash(hashToken(token), hashToken(token))).toBe(true);
    // One symbol changed, to one it is not (a random token ends in X one time in 32).
    const other = `${token.slice(0, -1)}${token.endsWith('X') ? 'Y' : 'X'}`;
    expect(other).not.toBe(token);
    expect(sameTokenHash(hashToken(token), hashToken(other))).toBe(false);
    expect(sameTokenHash(hashToken(token), Buffer.alloc(3))).toBe(false);
  });

  it('masks to the last four symbols', () => {
    expect(maskToken('ABCDEFGHJKLMNPQRSTUV')).toBe('…STUV');
  });
});

describe('tokenExpiry', () => {
  it('never expires default tokens of the staging modes, whatever validity is asked', () => {
    expect(tokenExpiry('corporateOwnedFullyManaged', 'default', JUNE_22)).toBeNull();
    expect(tokenExpiry('corporateOwnedWorkProfile', 'default', JUNE_22, 60)).toBeNull();
    expect(NEVER_EXPIRES_ISO).toBe('9999-12-31T23:59:59Z');
  });

  it('gives staging tokens 90 days by default and up to 65 years', () => {
    expect(tokenExpiry('corporateOwnedFullyManaged', 'deviceStaging', JUNE_22)).toBe(
      JUNE_22 + 90 * 86_400_000,
    );
    const sixtyFiveYears = Date.parse('2089-06-22T04:20:00Z');
    const seconds = (sixtyFiveYears - JUNE_22) / 1000;
    expect(tokenExpiry('corporateOwnedWorkProfile', 'deviceStaging', JUNE_22, seconds)).toBe(sixtyFiveYears);
    expect(() => tokenExpiry('corporateOwnedWorkProfile', 'deviceStaging', JUNE_22, seconds + 1)).toThrow(
      expect.objectContaining({ code: 'TOKEN_VALIDITY_INVALID' }),
    );
  });

  it('limits other tokens to 90 days and refuses a validity that is not a positive whole number', () => {
    expect(() => tokenExpiry('corporateOwnedDedicatedDevice', 'default', JUNE_22, 91 * 86_400)).toThrow(
      expect.objectContaining({ code: 'TOKEN_VALIDITY_INVALID' }),
    );
    expect(() => tokenExpiry('corporateOwnedFullyManaged', 'deviceStaging', JUNE_22, 0)).toThrow(
      expect.objectContaining({ code: 'TOKEN_VALIDITY_INVALID' }),
    );
    expect(() => tokenExpiry('corporateOwnedFullyManaged', 'deviceStaging', JUNE_22, 1.5)).toThrow(
      expect.objectContaining({ code: 'TOKEN_VALIDITY_INVALID' }),
    );
  });
});

describe('tokenTypeAllowed', () => {
  it('allows deviceStaging only for fully managed and work profile, shared mode only for dedicated', () => {
    expect(tokenTypeAllowed('corporateOwnedFullyManaged', 'deviceStaging')).toBe(true);
    expect(tokenTypeAllowed('corporateOwnedWorkProfile', 'deviceStaging')).toBe(true);
    expect(tokenTypeAllowed('corporateOwnedDedicatedDevice', 'deviceStaging')).toBe(false);
    expect(tokenTypeAllowed('corporateOwnedAOSPUserlessDevice', 'deviceStaging')).toBe(false);
    expect(
      tokenTypeAllowed('corporateOwnedDedicatedDevice', 'corporateOwnedDedicatedDeviceWithAzureADSharedMode'),
    ).toBe(true);
    expect(
      tokenTypeAllowed('corporateOwnedFullyManaged', 'corporateOwnedDedicatedDeviceWithAzureADSharedMode'),
    ).toBe(false);
  });
});
