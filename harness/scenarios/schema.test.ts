import { flattenSteps, scenarioSchema, type ScenarioInput, type ScenarioStep } from './schema';
import { resolveIssues, formatField } from './issues';

/** The problems zod reports for `input`, as "field: message" lines. */
function problems(input: unknown): string[] {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return [];
  return resolveIssues(result.error.issues, input).map(
    (issue) => `${formatField(issue.path)}: ${issue.message}`,
  );
}

function steps(input: ScenarioInput): ScenarioStep[] {
  return flattenSteps(scenarioSchema.parse(input)).map(({ step }) => step);
}

const base = { name: 'n', description: 'd' };
const withProfile = (...rest: unknown[]) => ({
  ...base,
  steps: [{ admin: { createProfile: 'Frontline staging' } }, ...rest],
});

describe('scenario schema', () => {
  it('reads the bare, short and map forms of a command as the same step', () => {
    const bare = steps(withProfile({ vendor: 'scanQrCode' }) as ScenarioInput)[1];
    const short = steps(withProfile({ vendor: { scanQrCode: 'Frontline staging' } }) as ScenarioInput)[1];
    const map = steps(
      withProfile({
        vendor: [{ scanQrCode: { profile: 'Frontline staging', token: 'current' } }],
      }) as ScenarioInput,
    )[1];
    expect(bare).toEqual({ role: 'vendor', command: 'scanQrCode', token: 'current' });
    expect(short).toEqual({
      role: 'vendor',
      command: 'scanQrCode',
      profile: 'Frontline staging',
      token: 'current',
    });
    expect(map).toEqual(short);
  });

  it('fills in defaults: one default device, a fully managed staging profile', () => {
    const scenario = scenarioSchema.parse(withProfile());
    expect(scenario.devices).toEqual([
      {
        serial: 'XX1234',
        manufacturer: 'Google',
        model: 'Pixel 8',
        androidVersion: '14',
        wifi: true,
        cellular: true,
      },
    ]);
    expect(flattenSteps(scenario)[0]!.step).toEqual({
      role: 'admin',
      command: 'createProfile',
      name: 'Frontline staging',
      mode: 'fullyManaged',
      token: 'staging',
    });
  });

  it('expands a batch into numbered serials and reads Android versions written as numbers', () => {
    const scenario = scenarioSchema.parse({
      ...withProfile(),
      devices: { count: 10, serialPrefix: 'FLW-', androidVersion: 8.1, model: 'XCover7' },
    });
    expect(scenario.devices.map((device) => device.serial)).toEqual([
      'FLW-01',
      'FLW-02',
      'FLW-03',
      'FLW-04',
      'FLW-05',
      'FLW-06',
      'FLW-07',
      'FLW-08',
      'FLW-09',
      'FLW-10',
    ]);
    expect(scenario.devices[9]).toEqual({
      serial: 'FLW-10',
      manufacturer: 'Google',
      model: 'XCover7',
      androidVersion: '8.1',
      wifi: true,
      cellular: true,
    });
  });

  it('turns durations into seconds and keeps expectations as written', () => {
    const flat = steps(
      withProfile(
        { environment: { advanceClock: '1d12h' } },
        {
          expect: [
            { screen: 'staged', policies: ['A'] },
            { managedDevices: 3, ledger: ['tokenCreated', { stage: 'staged', actor: 'vendor' }] },
          ],
        },
      ) as ScenarioInput,
    );
    expect(flat[1]).toEqual({ role: 'environment', command: 'advanceClock', by: 129_600 });
    expect(flat[2]).toEqual({
      role: 'expect',
      command: 'expect',
      expect: { screen: 'staged', policies: ['A'] },
    });
    expect(flat[3]).toEqual({
      role: 'expect',
      command: 'expect',
      expect: {
        managedDevices: { count: 3 },
        ledger: [{ stage: 'tokenCreated' }, { stage: 'staged', actor: 'vendor' }],
      },
    });
  });

  it('names an unknown command with the closest one and the allowed ones', () => {
    expect(problems(withProfile({ vendor: ['scanQR'] }))).toEqual([
      'steps[1].vendor[0]: unknown vendor command "scanQR"; did you mean scanQrCode? expected one of: unboxAndPowerOn, powerOn, completeSetupWizard, connectWifi, scanQrCode, enterToken, tryAgain, powerOff',
    ]);
  });

  it('says which role a command belongs to when it is used under another', () => {
    expect(problems(withProfile({ vendor: [{ signIn: 'john@contoso.com' }] }))).toEqual([
      'steps[1].vendor[0].signIn: "signIn" is a command of the user, not of the vendor; give it its own "- user: ..." step',
    ]);
  });

  it('asks for the value of a command that needs one', () => {
    expect(problems(withProfile({ user: 'signIn' }))).toEqual([
      'steps[1].user: the user command "signIn" needs a value; write it as "signIn: ..." (see its map form in scenarios/README.md)',
    ]);
  });

  it('reports a bad value in the short form and in the map form at its field', () => {
    expect(problems(withProfile({ user: { signIn: 'john' } }))).toEqual([
      'steps[1].user.signIn: expected a work or school account such as john@contoso.com',
    ]);
    expect(problems(withProfile({ user: { signIn: { upn: 'john', device: 'XX1234' } } }))).toEqual([
      'steps[1].user.signIn.upn: expected a work or school account such as john@contoso.com',
    ]);
    expect(problems(withProfile({ vendor: { enterToken: 'upperCase' } }))).toEqual([
      'steps[1].vendor.enterToken: expected exact, lowerCase, withSpaces or lowerCaseWithSpaces',
    ]);
  });

  it('refuses two commands in one list item and two roles in one step', () => {
    expect(problems(withProfile({ vendor: [{ unboxAndPowerOn: {}, scanQrCode: {} }] }))).toEqual([
      'steps[1].vendor[0]: expected one vendor command per list item, found 2 (unboxAndPowerOn, scanQrCode); put each on its own "- " line',
    ]);
    expect(problems(withProfile({ vendor: 'powerOff', user: 'powerOn' }))).toEqual([
      'steps[1]: expected one role per step, found vendor, user; give each its own "- " line',
    ]);
  });

  it('names an unknown role, device field or check with a suggestion', () => {
    expect(problems(withProfile({ vendr: 'powerOff' }))).toEqual([
      'steps[1].vendr: unknown role "vendr"; did you mean vendor? expected one of: admin, vendor, user, environment, expect',
    ]);
    expect(problems({ ...withProfile(), devices: [{ serial: 'A1', wiffi: false }] })[0]).toBe(
      'devices[0].wiffi: unknown device field "wiffi"; did you mean wifi? expected one of: serial, manufacturer, model, androidVersion, wifi, cellular',
    );
    expect(problems(withProfile({ expect: { screne: 'staged' } }))[0]).toMatch(
      /^steps\[1\]\.expect\.screne: unknown expectation "screne"; did you mean screen\?/,
    );
  });

  it('checks expectation values: screen ids, stages, regular expressions, userless with a user', () => {
    expect(problems(withProfile({ expect: { screen: 'stagd' } }))[0]).toMatch(
      /^steps\[1\]\.expect\.screen: expected a screen id: powered-off, welcome, /,
    );
    expect(problems(withProfile({ expect: { stage: 'stage2' } }))).toEqual([
      'steps[1].expect.stage: expected a stage: none, tokenCreated, staged, adminProvisioned, enrolled, factoryReset',
    ]);
    expect(problems(withProfile({ expect: { deviceName: '(Staging' } }))[0]).toMatch(
      /^steps\[1\]\.expect\.deviceName: expected a valid regular expression: .*Unterminated group/,
    );
    expect(problems(withProfile({ expect: { userless: true, user: 'john@contoso.com' } }))).toEqual([
      'steps[1].expect.userless: a device cannot be userless and have a user; use one of them',
    ]);
    expect(problems(withProfile({ expect: {} }))[0]).toMatch(
      /^steps\[1\]\.expect: expected at least one check: screen, title, stage/,
    );
  });

  it('refuses references to devices, profiles, filters, groups and tokens that do not exist yet', () => {
    const scenario = {
      ...base,
      devices: ['A1', 'A2'],
      steps: [
        { vendor: 'scanQrCode' },
        {
          admin: [
            { createProfile: 'P' },
            { assignPolicy: { name: 'X', filter: 'F' } },
            { assignApp: { name: 'Y', group: 'G' } },
          ],
        },
        {
          vendor: [
            { scanQrCode: { device: 'B9' } },
            { scanQrCode: { profile: 'Q' } },
            { enterToken: { token: 'previous' } },
          ],
        },
        { expect: { device: 'B9', stage: 'staged' } },
      ],
    };
    expect(problems(scenario)).toEqual([
      'steps[0].vendor.scanQrCode: no profile is created before this step; add "- admin: { createProfile: ... }" first',
      'steps[1].admin[1].assignPolicy.filter: no assignment filter "F" is created before this step; expected one of: (none: add createAssignmentFilter first)',
      'steps[1].admin[2].assignApp.group: no group "G" is created before this step; expected one of: (none: add createDynamicDeviceGroup or createUserGroup first)',
      'steps[2].vendor[0].scanQrCode.device: no device B9 in this scenario; expected one of: A1, A2',
      'steps[2].vendor[1].scanQrCode.profile: no profile "Q" is created before this step; expected one of: P',
      'steps[2].vendor[2].enterToken.token: profile "P" has no previous token before this step; replace its token first (replaceToken)',
      'steps[3].expect.device: no device B9 in this scenario; expected one of: A1, A2',
    ]);
  });

  it('refuses the same serial twice, too many devices, and an assignment without or with two targets', () => {
    expect(problems({ ...withProfile(), devices: ['A1', 'A1'] })).toEqual([
      'devices[1].serial: serial A1 is used twice; every device needs its own',
    ]);
    expect(problems({ ...withProfile(), devices: { count: 101, serialPrefix: 'B' } })).toEqual([
      'devices.count: expected at most 100 devices',
    ]);
    expect(problems(withProfile({ admin: { assignPolicy: { name: 'X' } } }))).toEqual([
      'steps[1].admin.assignPolicy.filter: expected where to assign: filter (all devices through it), group, allDevices, allUsers or excludeGroup',
    ]);
  });

  describe('assignPolicy and assignApp onto Graph resources', () => {
    const withTargets = (...admin: unknown[]) =>
      withProfile({
        admin: [
          { createAssignmentFilter: { name: 'F', rule: '(device.model -eq "Pixel 8")' } },
          { createUserGroup: { name: 'Staff', members: ['john@contoso.com'] } },
          {
            createDynamicDeviceGroup: {
              name: 'Devices',
              membershipRule: '(device.deviceModel -eq "Pixel 8")',
            },
          },
          ...admin,
        ],
      });
    const adminSteps = (...admin: unknown[]) =>
      steps(withTargets(...admin) as ScenarioInput).filter((step) => step.command.startsWith('assign'));

    it('reads all devices, all users, a group with a filter and an exclusion, with Graph types and intents', () => {
      expect(
        adminSteps(
          { assignPolicy: { name: 'Kiosk', allDevices: true } },
          { assignPolicy: { name: 'Kiosk', excludeGroup: 'Devices' } },
          {
            assignPolicy: {
              name: 'Compliant',
              type: 'androidDeviceOwnerCompliancePolicy',
              allUsers: true,
              filter: 'F',
            },
          },
          {
            assignApp: {
              name: 'Teams',
              packageId: 'com.microsoft.teams',
              group: 'Staff',
              filter: 'F',
              filterMode: 'exclude',
            },
          },
          { assignApp: { name: 'Teams', intent: 'uninstall', allDevices: true } },
        ),
      ).toEqual([
        { role: 'admin', command: 'assignPolicy', name: 'Kiosk', filterMode: 'include', allDevices: true },
        expect.objectContaining({ command: 'assignPolicy', name: 'Kiosk', excludeGroup: 'Devices' }),
        expect.objectContaining({
          type: 'androidDeviceOwnerCompliancePolicy',
          allUsers: true,
          filter: 'F',
          filterMode: 'include',
        }),
        expect.objectContaining({
          command: 'assignApp',
          intent: 'required',
          group: 'Staff',
          filter: 'F',
          filterMode: 'exclude',
        }),
        expect.objectContaining({ command: 'assignApp', intent: 'uninstall', allDevices: true }),
      ]);
    });

    it('refuses two targets in one step, a filter on an exclusion, unknown types, groups and intents', () => {
      expect(
        problems(
          withTargets(
            { assignPolicy: { name: 'A', group: 'Staff', allUsers: true } },
            { assignPolicy: { name: 'B', excludeGroup: 'Staff', filter: 'F' } },
            { assignPolicy: { name: 'C', type: 'iosGeneralDeviceConfiguration', allDevices: true } },
            { assignApp: { name: 'E', allDevices: false } },
            { assignApp: { name: 'F1', intent: 'install', allUsers: true } },
            { assignApp: { name: 'G', packageId: 'not a package', allUsers: true } },
          ),
        ),
      ).toEqual([
        'steps[1].admin[3].assignPolicy.allUsers: one assignment per step: group and allUsers given; use one step for each',
        'steps[1].admin[4].assignPolicy.filter: an excluded group cannot have an assignment filter (Intune offers filters on included groups only)',
        expect.stringMatching(
          /^steps\[1\]\.admin\[5\]\.assignPolicy\.type: expected one of: androidDeviceOwnerGeneralDeviceConfiguration, .*androidDeviceOwnerCompliancePolicy/,
        ),
        'steps[1].admin[6].assignApp.allDevices: expected true',
        'steps[1].admin[7].assignApp.intent: expected required, available or uninstall',
        'steps[1].admin[8].assignApp.packageId: an Android package name such as com.microsoft.teams',
      ]);
      // Checked across steps once every step reads.
      expect(
        problems(
          withTargets(
            { assignPolicy: { name: 'D', excludeGroup: 'Nobody' } },
            { assignPolicy: { name: 'H', allDevices: true } },
            { assignPolicy: { name: 'H', type: 'androidDeviceOwnerWiFiConfiguration', allUsers: true } },
          ),
        ),
      ).toEqual([
        'steps[1].admin[3].assignPolicy.excludeGroup: no group "Nobody" is created before this step; expected one of: Staff, Devices',
        'steps[1].admin[5].assignPolicy.type: "H" was created as androidDeviceOwnerGeneralDeviceConfiguration by an earlier step; one name, one type',
      ]);
    });
  });

  it('reports a missing required field as missing', () => {
    expect(problems({ description: 'd', steps: [{ vendor: 'powerOff' }] })).toEqual([
      'name: missing; expected text',
    ]);
    expect(problems({ ...base })).toEqual(['steps: missing; expected a list']);
  });

  it('reports a value of the wrong kind with what it got', () => {
    expect(problems({ ...base, steps: 'scanQrCode' })).toEqual([
      'steps: expected a list, got text "scanQrCode"',
    ]);
    expect(problems(withProfile({ environment: { advanceClock: true } }))).toEqual([
      'steps[1].environment.advanceClock: expected a duration such as 30m, 12h, 90d, 1d12h or 65y (s, m, h, d, w, y; a year is 365 days), or whole seconds, or a map; got true',
    ]);
  });
});
