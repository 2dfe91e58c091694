import path from 'node:path';
import { isStagesimError } from '../../agent/errors';
import {
  findScenarioFiles,
  formatProblem,
  loadScenarioFile,
  loadScenarios,
  MAX_SCENARIO_BYTES,
  ScenarioFileError,
  type ScenarioProblem,
} from './loader';
import { useTempFiles } from './testing/tempFiles';

const files = useTempFiles();

const VALID = `# yaml-language-server: $schema=./scenario.schema.json
name: Valid
description: A valid scenario.
steps:
  - admin: { createProfile: Frontline staging }
  - vendor: [unboxAndPowerOn, completeSetupWizard, scanQrCode]
  - expect: { screen: staged, stage: staged }
`;

async function problemsOf(file: string): Promise<ScenarioProblem[]> {
  try {
    await loadScenarioFile(file);
  } catch (error) {
    if (error instanceof ScenarioFileError) return error.problems;
    throw error;
  }
  throw new Error(`${file} loaded without problems`);
}

async function linesOf(file: string): Promise<string[]> {
  return (await problemsOf(file)).map(formatProblem);
}

describe('loading scenario files', () => {
  it('loads a YAML scenario and knows the line of every step', async () => {
    const file = files.write('ok.yaml', VALID);
    const loaded = await loadScenarioFile(file);
    expect(loaded.scenario.name).toBe('Valid');
    expect(loaded.steps.map(({ step, line }) => `${line} ${step.role} ${step.command}`)).toEqual([
      '5 admin createProfile',
      '6 vendor unboxAndPowerOn',
      '6 vendor completeSetupWizard',
      '6 vendor scanQrCode',
      '7 expect expect',
    ]);
  });

  it('reports every problem of an invalid file as path:line:column: field: expected', async () => {
    const file = files.write(
      'bad.yaml',
      [
        'name: Bad',
        'description: Several mistakes',
        'devices:',
        '  - serial: XX1',
        '    wiffi: true',
        'steps:',
        '  - admin:',
        '      - createProfile: { name: P, mode: fullyManagd }',
        '  - vendor:',
        '      - unboxAndPowerOn',
        '      - scanQR',
        '  - expect:',
        '      stage: stage2',
        '',
      ].join('\n'),
    );
    expect(await linesOf(file)).toEqual([
      `${file}:5:5: devices[0].wiffi: unknown device field "wiffi"; did you mean wifi? expected one of: serial, manufacturer, model, androidVersion, wifi, cellular`,
      `${file}:8:41: steps[0].admin[0].createProfile.mode: expected fullyManaged, workProfile, dedicated, aospUserless, aospUserAssociated`,
      `${file}:11:9: steps[1].vendor[1]: unknown vendor command "scanQR"; did you mean scanQrCode? expected one of: unboxAndPowerOn, powerOn, completeSetupWizard, connectWifi, scanQrCode, enterToken, tryAgain, powerOff`,
      `${file}:13:14: steps[2].expect.stage: expected a stage: none, tokenCreated, staged, adminProvisioned, enrolled, factoryReset`,
    ]);
    expect((await problemsOf(file)).every((problem) => problem.code === 'SCENARIO_INVALID')).toBe(true);
  });

  it('points a reference to a device that is not in the scenario at its line', async () => {
    const file = files.write(
      'ref.yaml',
      `${VALID}  - user:\n      - signIn: { device: NOPE, upn: john@contoso.com }\n`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:9:27: steps[3].user[0].signIn.device: no device NOPE in this scenario; expected one of: XX1234`,
    ]);
  });

  it('points a malformed assignment step at its line: a filter on an excluded group, two targets', async () => {
    const file = files.write(
      'assign.yaml',
      `${VALID}  - admin:
      - createUserGroup: { name: Staff, members: [john@contoso.com] }
      - createAssignmentFilter: { name: Pixels, rule: '(device.model -eq "Pixel 8")' }
      - assignPolicy: { name: Kiosk, excludeGroup: Staff, filter: Pixels }
      - assignApp: { name: Teams, allDevices: true, allUsers: true }
`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:11:67: steps[3].admin[2].assignPolicy.filter: an excluded group cannot have an assignment filter (Intune offers filters on included groups only)`,
      `${file}:12:63: steps[3].admin[3].assignApp.allUsers: one assignment per step: allDevices and allUsers given; use one step for each`,
    ]);
  });

  it("throws a StagesimError whose code is the first problem's", async () => {
    const file = files.write('empty.yaml', '');
    const error = await loadScenarioFile(file).catch((e: unknown) => e);
    expect(isStagesimError(error, 'SCENARIO_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      `${file}: name: missing; expected text\n${file}: description: missing; expected text\n${file}: steps: missing; expected a list`,
    );
  });

  it('loads JSON scenarios (with $schema) and gives lines for their problems too', async () => {
    const json = {
      $schema: './scenario.schema.json',
      name: 'JSON',
      description: 'A JSON scenario.',
      steps: [{ admin: { createProfile: 'P' } }, { vendor: ['unboxAndPowerOn', 'scanQrCod'] }],
    };
    const bad = files.write('bad.json', JSON.stringify(json, null, 2));
    expect(await linesOf(bad)).toEqual([
      `${bad}:14:9: steps[1].vendor[1]: unknown vendor command "scanQrCod"; did you mean scanQrCode? expected one of: unboxAndPowerOn, powerOn, completeSetupWizard, connectWifi, scanQrCode, enterToken, tryAgain, powerOff`,
    ]);
    json.steps[1]!.vendor![1] = 'scanQrCode';
    const good = files.write('good.json', JSON.stringify(json));
    expect((await loadScenarioFile(good)).steps.map(({ step }) => step.command)).toEqual([
      'createProfile',
      'unboxAndPowerOn',
      'scanQrCode',
    ]);
  });

  it('reports JSON syntax errors with their line', async () => {
    const file = files.write('syntax.json', '{\n  "name": "x",\n  "steps": [\n}\n');
    const [problem] = await problemsOf(file);
    expect(problem).toMatchObject({ code: 'SCENARIO_JSON_SYNTAX', line: 4 });
    expect(formatProblem(problem!)).not.toContain('\n');
  });
});

describe('YAML safe mode', () => {
  it.each([
    [
      'a JavaScript function tag',
      'name: !!js/function "function () { return process.exit(1) }"',
      '!!js/function',
    ],
    ['a custom tag', 'name: !Ref Something', '!Ref'],
    ['a YAML 1.1 binary tag', 'name: !!binary aGVsbG8=', '!!binary'],
    ['an explicit core tag', 'name: !!str Tagged', '!!str'],
  ])('refuses %s with its line', async (_what, line, tag) => {
    const file = files.write('tag.yaml', `description: d\n${line}\nsteps: [{ vendor: powerOff }]\n`);
    const problems = await problemsOf(file);
    expect(problems.map((problem) => [problem.code, problem.line])).toContainEqual(['SCENARIO_YAML_TAG', 2]);
    expect(problems.find((problem) => problem.code === 'SCENARIO_YAML_TAG')!.message).toContain(
      `the tag ${tag} is not allowed`,
    );
  });

  it('refuses a "billion laughs" file of nested aliases', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ]) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const file = files.write(
      'bomb.yaml',
      `${bomb.join('\n')}\nname: n\ndescription: d\nsteps: [{ vendor: powerOff }]\n`,
    );
    const problems = await problemsOf(file);
    expect(problems).toEqual([expect.objectContaining({ code: 'SCENARIO_YAML_ALIAS_LIMIT', file })]);
    expect(formatProblem(problems[0]!)).toMatch(/more than 50 times; refused as a resource-exhaustion risk$/);
  });

  it('still allows a few aliases to reuse a block', async () => {
    const file = files.write(
      'alias.yaml',
      'name: n\ndescription: d\nsteps:\n  - vendor: &stage2 [unboxAndPowerOn, completeSetupWizard]\n  - environment: factoryReset\n  - vendor: *stage2\n',
    );
    expect((await loadScenarioFile(file)).steps.map(({ step }) => step.command)).toEqual([
      'unboxAndPowerOn',
      'completeSetupWizard',
      'factoryReset',
      'unboxAndPowerOn',
      'completeSetupWizard',
    ]);
  });

  it('refuses duplicate keys and several documents in one file', async () => {
    const duplicate = files.write(
      'dup.yaml',
      'name: a\nname: b\ndescription: d\nsteps: [{ vendor: powerOff }]\n',
    );
    expect(await problemsOf(duplicate)).toEqual([
      expect.objectContaining({ code: 'SCENARIO_YAML_SYNTAX', line: 2, message: 'Map keys must be unique' }),
    ]);
    const documents = files.write('docs.yaml', `${VALID}---\n${VALID}`);
    expect((await problemsOf(documents))[0]).toMatchObject({ code: 'SCENARIO_YAML_SYNTAX', line: 8 });
  });

  it('does not let a __proto__ key reach an object prototype', async () => {
    const file = files.write('proto.yaml', `${VALID}__proto__: { polluted: true }\n`);
    expect(await linesOf(file)).toEqual([
      expect.stringMatching(/:8:1: __proto__: unknown top-level field "__proto__"/),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses files over the size limit without parsing them, and files that are not UTF-8', async () => {
    const big = files.write('big.yaml', `${VALID}# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    expect(await problemsOf(big)).toEqual([
      expect.objectContaining({ code: 'SCENARIO_FILE_TOO_LARGE', line: null }),
    ]);
    const latin1 = files.write('latin1.yaml', Buffer.from('name: Caf\xe9\n', 'latin1'));
    expect(await problemsOf(latin1)).toEqual([expect.objectContaining({ code: 'SCENARIO_NOT_UTF8' })]);
  });
});

describe('finding scenario files', () => {
  it('walks folders recursively in sorted order, taking only scenario files', async () => {
    files.write('b.yaml', VALID);
    files.write('a.yml', VALID);
    files.write(
      'nested/c.json',
      JSON.stringify({ name: 'c', description: 'd', steps: [{ vendor: 'powerOff' }] }),
    );
    files.write('scenario.schema.json', '{}');
    files.write('README.md', '# not a scenario');
    files.write('.hidden.yaml', 'not: parsed');
    const { files: found, problems } = await findScenarioFiles([files.dir()]);
    expect(problems).toEqual([]);
    expect(found.map((file) => path.relative(files.dir(), file))).toEqual([
      'a.yml',
      'b.yaml',
      path.join('nested', 'c.json'),
    ]);
  });

  it('reports paths that do not exist and folders without scenarios', async () => {
    files.write('empty/README.md', 'nothing here');
    const missing = path.join(files.dir(), 'missing.yaml');
    const { files: found, problems } = await findScenarioFiles([missing, path.join(files.dir(), 'empty')]);
    expect(found).toEqual([]);
    expect(problems.map((problem) => problem.code)).toEqual(['SCENARIO_PATH_NOT_FOUND', 'SCENARIO_NO_FILES']);
  });

  it('collects the problems of every file and still returns the valid ones, each file once', async () => {
    const good = files.write('good.yaml', VALID);
    files.write('bad1.yaml', 'name: x\n');
    files.write('bad2.yaml', 'name: !!js/function x\n');
    const { scenarios, problems } = await loadScenarios([files.dir(), good]);
    expect(scenarios.map((loaded) => path.basename(loaded.file))).toEqual(['good.yaml']);
    expect(problems.map((problem) => `${path.basename(problem.file)} ${problem.code}`)).toEqual([
      'bad1.yaml SCENARIO_INVALID',
      'bad1.yaml SCENARIO_INVALID',
      'bad2.yaml SCENARIO_YAML_TAG',
    ]);
  });
});

describe('zero-touch, KME, refusals, field checks and profile edits in a file', () => {
  const HEAD = `name: New commands
description: Mistakes in the commands of issue 15.
devices: [ZT-1]
steps:
`;

  it('points a registerConfiguration without an earlier export, or with both export and json, at its line', async () => {
    const file = files.write(
      'zt.yaml',
      `${HEAD}  - admin:
      - createProfile: Frontline
      - registerConfiguration: frontline-zt
      - registerConfiguration: { export: x, json: "{}" }
      - registerConfiguration: { json: "{}" }
      - exportToken: { format: zeroTouch, as: "not a name" }
`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:8:32: steps[0].admin[2].registerConfiguration.format: missing; json needs format (zeroTouch or knoxMobileEnrollment)`,
      `${file}:8:51: steps[0].admin[2].registerConfiguration.json: expected either export (an exported JSON, by name) or json (text), one of the two`,
      `${file}:9:32: steps[0].admin[3].registerConfiguration.format: missing; json needs format (zeroTouch or knoxMobileEnrollment)`,
      `${file}:10:47: steps[0].admin[4].exportToken.as: expected a name of letters, digits, - and _ (at most 64)`,
    ]);
  });

  it('names an export that was never kept, and a profile that was deleted or renamed', async () => {
    const file = files.write(
      'refs.yaml',
      `${HEAD}  - admin:
      - createProfile: Frontline
      - exportToken: { format: knoxMobileEnrollment, as: kme }
      - registerConfiguration: zt
      - editProfile: { name: Frontline renamed }
      - revokeToken: Frontline
      - deleteProfile: Frontline renamed
      - deleteProfile: Frontline renamed
`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:8:32: steps[0].admin[2].registerConfiguration.export: no export "zt" is kept before this step; add "as: zt" to an exportToken first (kept: kme)`,
      `${file}:10:22: steps[0].admin[4].revokeToken.profile: no profile "Frontline" is created before this step; expected one of: Frontline renamed`,
      `${file}:12:24: steps[0].admin[6].deleteProfile.profile: no profile "Frontline renamed" is created before this step; expected one of: (none)`,
    ]);
  });

  it('points an enrollmentProfile check at a profile that no longer exists', async () => {
    const file = files.write(
      'gone.yaml',
      `${HEAD}  - admin: [{ createProfile: Frontline }, { deleteProfile: Frontline }]
  - expect: { enrollmentProfile: { profile: Frontline, fields: { enrolledDeviceCount: 0 } } }
`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:6:45: steps[1].expect.enrollmentProfile.profile: no profile "Frontline" exists at this check; expected one of: (none)`,
    ]);
  });

  it('says what a refusal, a field check and an edit must hold', async () => {
    const file = files.write(
      'checks.yaml',
      `${HEAD}  - admin:
      - createProfile: { name: Kiosk, mode: kiosk, refused: 400 }
      - editProfile: { profile: Kiosk }
  - expect: { managedDevice: { "bad name": 1 } }
  - expect: { enrollmentProfile: { fields: { enrolledDeviceCount: [1] } } }
  - expect: { enrollmentProfile: { fields: {} } }
`,
    );
    expect(await linesOf(file)).toEqual([
      `${file}:6:45: steps[0].admin[0].createProfile.mode: expected fullyManaged, workProfile, dedicated, aospUserless, aospUserAssociated`,
      `${file}:6:61: steps[0].admin[0].createProfile.refused: expected text, or a map; got the number 400`,
      `${file}:7:22: steps[0].admin[1].editProfile: expected something to change: name, description or deviceNameTemplate`,
      `${file}:8:44: steps[1].expect.managedDevice.bad name: expected a Graph property name such as enrolledDeviceCount`,
      `${file}:9:67: steps[2].expect.enrollmentProfile.fields.enrolledDeviceCount: expected a value (text, number, true/false, null) or { matches: REGEX }`,
      `${file}:10:44: steps[3].expect.enrollmentProfile.fields: expected at least one field to check`,
    ]);
  });
});
