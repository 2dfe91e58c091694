import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetDevice } from '../targetDevice';
import { isMember } from './evaluateMembership';
import { parseMembershipRule } from './membershipRule';

interface Reference {
  source: { path: string };
  deviceRules: string[];
  notRulesAsPrinted: { example: string; problem: string; position: number }[];
  userRules: string[];
}
const reference = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/entra-membership-reference-examples.json'), 'utf8'),
) as Reference;

const refusal = (rule: string): string => {
  try {
    parseMembershipRule(rule);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

const pixel: TargetDevice = {
  id: '4f1c2e0a-0000-4000-8000-000000000001',
  platform: 'androidForWork',
  enrollmentMode: 'corporateOwnedWorkProfile',
  deviceName: 'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
  manufacturer: 'Google',
  model: 'Pixel 8',
  osVersion: '14',
  enrollmentProfileName: 'Frontline staging',
  serialNumber: 'XX1234',
};
const member = (rule: string, device: TargetDevice = pixel) => isMember(parseMembershipRule(rule), device);

describe(`the device rules of ${reference.source.path}`, () => {
  it.each(reference.deviceRules)('%s is a rule', (rule) => {
    expect(refusal(rule)).toBe('accepted');
  });

  it.each(reference.notRulesAsPrinted)('$example is refused: $problem', ({ example, position }) => {
    expect(refusal(example)).toMatch(new RegExp(`^rule error at position ${position}: `));
  });

  it.each(reference.userRules)(
    '%s is refused: a dynamic device group takes device attributes only',
    (rule) => {
      expect(refusal(rule)).toMatch(
        /is a user attribute; a dynamic device group's rule can reference only device attributes/,
      );
    },
  );

  it('holds for the reference rules that describe a simulated Android Enterprise device', () => {
    expect(member('device.accountEnabled -eq true')).toBe(true);
    expect(member('device.deviceOwnership -eq "Company"')).toBe(true);
    expect(member('device.deviceOSType -startsWith "AndroidEnterprise"')).toBe(true);
    expect(member('device.deviceManagementAppId -eq "0000000a-0000-0000-c000-000000000000"')).toBe(true);
    expect(member('device.managementType -eq "MDM"')).toBe(true);
    expect(member('device.objectId -ne null')).toBe(true);
    expect(member('device.isRooted -eq true')).toBe(false);
    expect(member('device.deviceCategory -eq "BYOD"')).toBe(false);
    expect(member('device.devicePhysicalIDs -any _ -startsWith "[ZTDId]"')).toBe(false);
    expect(member('device.enrollmentProfileName -eq "DEP iPhones"')).toBe(false);
  });
});

describe("Entra's operators on device attributes", () => {
  it('takes operators with or without the hyphen, and ignores case in strings and regular expressions', () => {
    expect(member('device.deviceManufacturer eq "GOOGLE"')).toBe(true);
    expect(member('device.deviceModel -endsWith " 8" -and device.deviceModel notEndsWith "Pro"')).toBe(true);
    expect(member('device.deviceModel -notStartsWith "Galaxy"')).toBe(true);
    expect(member('device.displayName -match "^staging_xx\\d+_"')).toBe(true);
    expect(member('device.displayName -notMatch "^Staging_"')).toBe(false);
    expect(member('device.deviceOSVersion -in ["13", "14"]')).toBe(true);
    expect(member('device.deviceOSVersion -notIn ["13", "14"]')).toBe(false);
    expect(member('device.enrollmentProfileName -contains "line sta"')).toBe(true);
    expect(member('device.enrollmentProfileName -notContains "line"')).toBe(false);
  });

  it('gives -not precedence over -and, and -and over -or', () => {
    expect(member('-not device.deviceModel -eq "Pixel 8" -and device.deviceOSVersion -eq "14"')).toBe(false);
    expect(member('-not (device.deviceModel -eq "x" -and device.deviceOSVersion -eq "14")')).toBe(true);
    expect(
      member(
        'device.deviceModel -eq "x" -or device.deviceModel -eq "Pixel 8" -and device.deviceOSVersion -eq "14"',
      ),
    ).toBe(true);
    expect(
      member(
        '(device.deviceModel -eq "x" -or device.deviceModel -eq "Pixel 8") -and device.deviceOSVersion -eq "13"',
      ),
    ).toBe(false);
    expect(member('not (device.deviceModel -eq "x") and (device.deviceOwnership eq "Company")')).toBe(true);
  });

  it('applies -any and -all to multi-valued attributes, with or without parentheses', () => {
    const autopilot = { ...pixel };
    expect(member('device.systemLabels -any (_ -startsWith "M365")', autopilot)).toBe(false);
    // Of no values at all, every one satisfies anything.
    expect(member('device.devicePhysicalIds -all _ -eq "[OrderID]:1"', autopilot)).toBe(true);
    expect(member('device.systemLabels -notStartsWith "M365Managed"')).toBe(true);
  });

  it('treats null and $null as a missing value', () => {
    expect(member('device.deviceCategory -eq null')).toBe(true);
    expect(member('device.deviceCategory -eq $null')).toBe(true);
    expect(member('device.enrollmentProfileName -ne null')).toBe(true);
    expect(member('device.enrollmentProfileName -eq "null"')).toBe(false);
  });

  it("reads Intune's filter rules as a different language", () => {
    // The kit's Intune filter parses here too, but Entra writes Corporate as Company: nobody matches.
    expect(member('(device.deviceOwnership -eq "Corporate")')).toBe(false);
    expect(refusal('(device.osVersion -startsWith "13")')).toMatch(
      /position 2: unknown device attribute "device\.osVersion" \(that is Intune's filter name; Entra calls it device\.deviceOSVersion\)/,
    );
    expect(refusal('(device.manufacturer -eq "samsung")')).toMatch(
      /Entra calls it device\.deviceManufacturer/,
    );
    expect(refusal('(device.operatingSystemVersion -gt 10.0.22000.1000)')).toMatch(
      /Entra calls it device\.deviceOSVersion/,
    );
    expect(refusal('device.deviceOSVersion -gt "13"')).toMatch(
      /position 24: -gt is not an operator of Entra membership rules for devices \(Intune filters have it for operatingSystemVersion\)/,
    );
  });
});

describe('what Entra membership rules refuse, with the position', () => {
  it.each([
    ['device.deviceModel -like "Pixel"', 20, /-like is not an operator of Entra membership rules/],
    ['device.deviceModel -any _ -eq "x"', 20, /-any applies to multi-valued properties/],
    ['device.systemLabels -any (x -eq "y")', 27, /expected _ \(each value of device\.systemLabels\)/],
    ['device.accountEnabled -eq "maybe"', 27, /device\.accountEnabled is true or false/],
    ['device.deviceModel -startsWith null', 32, /null goes with -eq and -ne only/],
    ['device.displayName -match "("', 27, /not a regular expression/],
    ['device.displayName -match "^(a+)+$"', 27, /can take exponential time/],
    ['device.deviceModel -eq Pixel', 24, /expected a value in double quotes after -eq/],
    ['group.objectId -eq "x"', 1, /expected a device attribute/],
    ['device.imei -eq "1"', 1, /unknown device attribute "device\.imei"/],
    ['(device.deviceModel -eq "x"', 28, /expected "\)" to close/],
  ])('%s: position %d', (rule, position, message) => {
    const text = refusal(rule);
    expect(text).toMatch(new RegExp(`^rule error at position ${position}: `));
    expect(text).toMatch(message);
  });
});
