import { evaluateRule, normalizeFacts, type DeviceFacts } from './evaluate';
import { parseRule } from './parser';

const pixel: DeviceFacts = normalizeFacts({
  enrollmentProfileName: 'Frontline staging',
  osVersion: '13.0.1',
  manufacturer: 'Google',
  model: 'Pixel 7',
  deviceName: 'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
  serialNumber: 'XX1234',
});

const holds = (rule: string, facts = pixel) => evaluateRule(parseRule(rule), facts);

describe('parseRule and evaluateRule', () => {
  it('evaluates the documented example', () => {
    expect(
      holds('(device.enrollmentProfileName -eq "Frontline staging") and (device.osVersion -startsWith "13")'),
    ).toBe(true);
    expect(
      holds('(device.enrollmentProfileName -eq "Frontline staging") and (device.osVersion -startsWith "14")'),
    ).toBe(false);
  });

  it('supports every operator', () => {
    expect(holds('device.manufacturer -eq "Google"')).toBe(true);
    expect(holds('device.manufacturer -ne "Google"')).toBe(false);
    expect(holds('device.model -startsWith "Pixel"')).toBe(true);
    expect(holds('device.model -notStartsWith "Pixel"')).toBe(false);
    expect(holds('device.deviceName -contains "_AndroidEnterprise_"')).toBe(true);
    expect(holds('device.serialNumber -notContains "12"')).toBe(false);
    expect(holds('device.model -in ["Pixel 6", "Pixel 7"]')).toBe(true);
    expect(holds('device.model -notIn ["Pixel 6", "Pixel 7"]')).toBe(false);
    expect(holds('device.model -in ["Galaxy"]')).toBe(false);
  });

  it('compares values and names without regard to case, as Intune does', () => {
    expect(holds('Device.Manufacturer -EQ "GOOGLE"')).toBe(true);
    expect(holds('device.enrollmentprofilename -startswith "frontline"')).toBe(true);
  });

  it('gives not > and > or precedence, with parentheses overriding', () => {
    expect(
      holds('device.model -eq "x" or device.model -eq "Pixel 7" and device.manufacturer -eq "Google"'),
    ).toBe(true);
    expect(
      holds('(device.model -eq "x" or device.model -eq "Pixel 7") and device.manufacturer -eq "Samsung"'),
    ).toBe(false);
    expect(holds('not device.model -eq "x"')).toBe(true);
    expect(holds('not (device.model -eq "Pixel 7" or device.model -eq "x")')).toBe(false);
  });

  it("accepts Entra's membershipRule spelling: -and/-or/-not and device attribute names", () => {
    expect(
      holds('(device.deviceOSVersion -startsWith "13") -and (device.deviceManufacturer -eq "Google")'),
    ).toBe(true);
    expect(
      holds('-not (device.deviceModel -eq "Pixel 7") -or (device.displayName -startsWith "Staging_")'),
    ).toBe(true);
  });

  it('reads escaped quotes in values', () => {
    const facts = { ...pixel, model: 'pixel "7"' };
    expect(holds('device.model -eq "Pixel \\"7\\""', facts)).toBe(true);
  });
});

describe('parseRule errors', () => {
  const error = (rule: string) => {
    try {
      parseRule(rule);
    } catch (caught) {
      return caught as { code: string; message: string };
    }
    throw new Error(`parsed: ${rule}`);
  };

  it.each([
    [
      'device.osVersion -startsWith 13',
      30,
      /expected a value in double quotes after -startsWith, found "13"/,
    ],
    ['device.osVersion -like "13"', 18, /unknown operator -like/],
    ['device.imei -eq "1"', 1, /unknown property "device.imei"/],
    ['user.department -eq "x"', 1, /expected a device property/],
    ['(device.model -eq "Pixel 7"', 28, /expected "\)" to close the "\(" at position 1/],
    ['device.model -eq "Pixel 7" and', 31, /expected a device property .* found the end of the rule/],
    [
      'device.model -eq "Pixel 7" xor device.model -eq "x"',
      28,
      /expected "and", "or" or the end of the rule, found "xor"/,
    ],
    ['device.model -in "Pixel 7"', 18, /expected a list such as \["a", "b"\] after -in/],
    ['device.model -eq ["a"]', 18, /a list needs -in or -notIn/],
    ['device.model -in ["a" "b"]', 23, /expected "," or "\]" in the list/],
    ['device.model -eq "Pixel 7', 18, /no closing double quote/],
    ["device.model -eq 'Pixel 7'", 18, /straight double quotes/],
    ['device.model -eq "a" && device.model -eq "b"', 22, /unexpected character "&"/],
    ['', 1, /the rule is empty/],
  ])('%s → position %d', (rule, position, message) => {
    const caught = error(rule);
    expect(caught.code).toBe('RULE_SYNTAX');
    expect(caught.message).toContain(`at position ${position}:`);
    expect(caught.message).toMatch(message);
  });

  it('refuses rules nested too deep instead of overflowing the stack', () => {
    const deep = `${'('.repeat(60)}device.model -eq "x"${')'.repeat(60)}`;
    expect(error(deep).message).toMatch(/nest more than 50 deep/);
  });
});
