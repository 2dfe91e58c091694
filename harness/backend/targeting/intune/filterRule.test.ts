import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVICE_PLATFORM_TYPES, type FilterPlatform } from '../platforms';
import type { TargetDevice } from '../targetDevice';
import { platformsOfLabels } from '../testing/referencePlatforms';
import { assignmentFilterPasses, filterMatches } from './evaluateFilter';
import { parseFilterRule } from './filterRule';

interface Reference {
  source: { repository: string; path: string; commit: string };
  sections: { property: string; appliesTo: string[]; examples: string[] }[];
  operatorExamples: string[];
  operatingSystemVersionOperatorExamples: string[];
}
const reference = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/intune-filter-reference-examples.json'), 'utf8'),
) as Reference;

const PLATFORMS = DEVICE_PLATFORM_TYPES.filter((platform) => platform !== 'unknownFutureValue');

const refusal = (rule: string, platform: FilterPlatform): string => {
  try {
    parseFilterRule(rule, platform);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

const galaxy: TargetDevice = {
  id: 'd1',
  platform: 'androidForWork',
  enrollmentMode: 'corporateOwnedFullyManaged',
  deviceName: 'Staging_R58N_AndroidEnterprise_06/22/2024_4.20 AM',
  manufacturer: 'samsung',
  model: 'Galaxy XCover7',
  osVersion: '14',
  enrollmentProfileName: 'Frontline staging',
  serialNumber: 'R58N',
};
const holds = (rule: string, device: TargetDevice = galaxy, platform: FilterPlatform = 'androidForWork') =>
  filterMatches(parseFilterRule(rule, platform), device);

describe(`every example rule of ${reference.source.path}`, () => {
  const cases = reference.sections.flatMap(({ property, appliesTo, examples }) =>
    examples.map((rule) => ({ property, appliesTo, rule })),
  );

  it.each(cases)(
    '$rule is accepted exactly on the platforms $property applies to',
    ({ property, appliesTo, rule }) => {
      const entity = property.startsWith('app.') ? 'app' : 'device';
      const served = platformsOfLabels(entity, appliesTo);
      for (const platform of PLATFORMS) {
        const outcome = refusal(rule, platform);
        if (served.has(platform)) expect({ platform, outcome }).toEqual({ platform, outcome: 'accepted' });
        else
          expect({ platform, outcome }).toEqual({
            platform,
            outcome: expect.stringMatching(/^rule error at position 2: /),
          });
      }
    },
  );

  it.each([...reference.operatorExamples, ...reference.operatingSystemVersionOperatorExamples])(
    '%s is accepted on Android Enterprise, and so is its dash-less spelling',
    (rule) => {
      expect(refusal(rule, 'androidForWork')).toBe('accepted');
      const dashless = rule.replace(/ -(\w+) /g, ' $1 ');
      expect(dashless).not.toBe(rule);
      expect(refusal(dashless, 'androidForWork')).toBe('accepted');
      expect(holds(dashless)).toBe(holds(rule));
    },
  );

  it('says why a property is not offered, naming it, the platform and where it applies', () => {
    expect(refusal('(device.cpuArchitecture -eq "arm64")', 'androidForWork')).toBe(
      'rule error at position 2: device.cpuArchitecture is not offered for Android Enterprise (androidForWork) filters; it applies to macOS, Windows 10 and later',
    );
    expect(refusal('(device.enrollmentProfileName -ne $null)', 'android')).toMatch(
      /position 2: device\.enrollmentProfileName is not offered for Android device administrator \(android\) filters/,
    );
    expect(refusal('(device.model -eq "x")', 'unknown')).toBe(
      'rule error at position 2: unknown (unknown) filters have no properties; give the filter the platform of the devices it is for, e.g. androidForWork (Android Enterprise)',
    );
  });
});

describe('evaluating filter rules on an Android Enterprise device', () => {
  it('compares text without regard to case, with or without dashes', () => {
    expect(holds('(device.manufacturer -eq "Samsung")')).toBe(true);
    expect(holds('(device.manufacturer eq "SAMSUNG") and (device.model startswith "galaxy")')).toBe(true);
    expect(holds('(Device.Model -Contains "xcover") AND (device.model -notContains "Tab")')).toBe(true);
    expect(holds('(device.model -in ["Galaxy XCover7", "Pixel 8"])')).toBe(true);
    expect(holds('(device.model notIn ["Galaxy XCover7"])')).toBe(false);
    expect(
      holds('(device.manufacturer -ne "samsung") or ((device.model -eq "x") or (device.osVersion -eq "14"))'),
    ).toBe(true);
  });

  it('treats Null and $Null as a missing value, with -eq and -ne', () => {
    expect(holds('(device.enrollmentProfileName -ne $null)')).toBe(true);
    expect(holds('(device.enrollmentProfileName -eq Null)')).toBe(false);
    expect(
      holds('(device.enrollmentProfileName -eq $null)', { ...galaxy, enrollmentProfileName: null }),
    ).toBe(true);
    // No device here has a category.
    expect(holds('(device.deviceCategory -eq $Null)')).toBe(true);
    expect(holds('(device.deviceCategory -ne "Engineering devices")')).toBe(true);
    expect(holds('(device.deviceCategory -startsWith "E")')).toBe(false);
  });

  it('knows every enrolled device here is corporate-owned', () => {
    expect(holds('(device.deviceOwnership -eq "Corporate")')).toBe(true);
    expect(holds('(device.deviceOwnership -eq "personal")')).toBe(false);
    expect(holds('(device.deviceOwnership -ne "Personal")')).toBe(true);
  });

  it('compares operatingSystemVersion as a version, part by part', () => {
    const on = (osVersion: string) => ({ ...galaxy, osVersion });
    expect(holds('(device.operatingSystemVersion -ge 13)', on('13'))).toBe(true);
    expect(holds('(device.operatingSystemVersion -ge 13)', on('12.1'))).toBe(false);
    expect(holds('(device.operatingSystemVersion -gt 13)', on('13.0.1'))).toBe(true);
    expect(holds('(device.operatingSystemVersion -eq 13.0)', on('13'))).toBe(true);
    expect(holds('(device.operatingSystemVersion -lt "10.0")', on('9'))).toBe(true);
    expect(holds('(device.operatingSystemVersion -le 8)', on('10'))).toBe(false);
    // As text, "10" starts with "1" but is not below "9".
    expect(holds('(device.osVersion -startsWith "1")', on('10'))).toBe(true);
    expect(holds('(device.operatingSystemVersion -lt 9)', on('10'))).toBe(false);
  });

  it('reports isRooted only for work profile devices, as the reference says', () => {
    expect(holds('(device.isRooted -eq "False")')).toBe(false);
    expect(
      holds('(device.isRooted -eq "False")', { ...galaxy, enrollmentMode: 'corporateOwnedWorkProfile' }),
    ).toBe(true);
  });

  it('never lets a filter of another platform target the device, in include or in exclude mode', () => {
    const ios = parseFilterRule('(device.manufacturer -ne "Apple")', 'iOS');
    expect(filterMatches(ios, galaxy)).toBe(false);
    expect(assignmentFilterPasses(ios, 'include', galaxy)).toBe(false);
    expect(assignmentFilterPasses(ios, 'exclude', galaxy)).toBe(false);
    const personal = parseFilterRule('(device.manufacturer -eq "samsung")', 'androidWorkProfile');
    expect(assignmentFilterPasses(personal, 'include', galaxy)).toBe(false);
    const enterprise = parseFilterRule('(device.manufacturer -eq "samsung")', 'androidForWork');
    expect(assignmentFilterPasses(enterprise, 'include', galaxy)).toBe(true);
    expect(assignmentFilterPasses(enterprise, 'exclude', galaxy)).toBe(false);
    const aosp = {
      ...galaxy,
      platform: 'androidAOSP' as const,
      enrollmentMode: 'corporateOwnedAOSPUserlessDevice' as const,
    };
    expect(assignmentFilterPasses(enterprise, 'include', aosp)).toBe(false);
  });
});

describe('what Intune filter rules refuse, naming the property or operator and its position', () => {
  it.each([
    [
      '(device.model -notStartsWith "Pixel")',
      15,
      /-notStartsWith is not an operator of Intune filter rules \(Entra membership rules have it/,
    ],
    ['(device.model -endsWith "7")', 15, /-endsWith is not an operator of Intune filter rules \(Entra/],
    ['(device.model -match "^Pix")', 15, /-match is not an operator of Intune filter rules/],
    [
      'not (device.model -eq "x")',
      1,
      /"not" is not an operator of Intune filter rules; use -ne, -notIn or -notContains/,
    ],
    ['-not (device.model -eq "x")', 1, /-not is not an operator of Intune filter rules/],
    [
      '(device.deviceOSVersion -startsWith "13")',
      2,
      /unknown property "device\.deviceOSVersion"; Android Enterprise \(androidForWork\) filters offer device\.deviceCategory, /,
    ],
    ['(device.serialNumber -eq "R58N")', 2, /unknown property "device\.serialNumber"/],
    [
      '(app.appVersion -eq "1")',
      2,
      /take device\.\* properties, found "app\.appVersion"; app\.\* properties are for filters on managed apps/,
    ],
    ['(user.department -eq "x")', 2, /take device\.\* properties, found "user\.department"/],
    [
      '(device.model -gt "x")',
      15,
      /-gt is not supported on device\.model; it takes -eq, -ne, -in, -notIn, -startsWith, -contains, -notContains/,
    ],
    [
      '(device.deviceOwnership -contains "Corp")',
      25,
      /-contains is not supported on device\.deviceOwnership; it takes -eq, -ne/,
    ],
    [
      '(device.operatingSystemVersion -startsWith "13")',
      32,
      /-startsWith is not supported on device\.operatingSystemVersion/,
    ],
    [
      '(device.deviceOwnership -eq "Company")',
      29,
      /"Company" is not a value of device\.deviceOwnership \(Company is how Entra membership rules write it; Intune filters write Corporate\)/,
    ],
    [
      '(device.isRooted -eq "yes")',
      22,
      /"yes" is not a value of device\.isRooted; expected one of "True", "False", "Unknown"/,
    ],
    ['(device.model -startsWith $null)', 27, /\$null goes with -eq and -ne only, not -startsWith/],
    [
      '(device.operatingSystemVersion -gt 13.x)',
      36,
      /expected a version such as 10\.0\.22000\.1000 after -gt, found "13\.x"/,
    ],
    ['(device.manufacturer -eq samsung)', 26, /expected a value in double quotes after -eq, found "samsung"/],
    ['(device.model -eq ["a"])', 19, /a list needs -in or -notIn/],
    ['(device.model -in ["a" "b"])', 24, /expected "," or "\]" in the list/],
    ['(device.model -eq "x"', 22, /expected "\)" to close the "\(" at position 1/],
    [
      '(device.model -eq "x") xor (device.model -eq "y")',
      24,
      /expected "and", "or" or the end of the rule, found "xor"/,
    ],
    ["(device.model -eq 'x')", 19, /straight double quotes/],
    ['(device.model –eq "x")', 15, /operators start with a hyphen \(-\), found the dash –/],
    ['', 1, /the rule is empty/],
  ])('%s: position %d', (rule, position, message) => {
    const text = refusal(rule, 'androidForWork');
    expect(text).toMatch(new RegExp(`^rule error at position ${position}: `));
    expect(text).toMatch(message);
  });

  it('refuses rules longer than 3072 characters or nested deeper than 50', () => {
    const long = `(device.model -eq "${'x'.repeat(3100)}")`;
    expect(refusal(long, 'androidForWork')).toMatch(/at most 3072 characters/);
    const deep = `${'('.repeat(60)}device.model -eq "x"${')'.repeat(60)}`;
    expect(refusal(deep, 'androidForWork')).toMatch(/nest more than 50 deep/);
  });
});
