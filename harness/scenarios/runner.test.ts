import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { startBackend, type RunningBackend } from '../backend/server';
import type { CaseResult, Reporter, RunReport } from '../reporters/report';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { loadScenarioFile, parseScenarioText, type LoadedScenario } from './loader';
import { isScenarioFileName } from './scenarioFiles';
import { runScenario, runScenarios } from './runner';

const LIBRARY = join(projectRoot(), 'scenarios');
const libraryFiles = readdirSync(LIBRARY).filter(isScenarioFileName).sort();

let target: HeadlessTarget;
beforeAll(() => {
  target = new HeadlessTarget();
});
afterAll(async () => {
  await target.close();
});

/** A scenario from text, with a file name for the messages. */
function scenario(yaml: string, file = 'inline.yaml'): LoadedScenario {
  return parseScenarioText(yaml, file);
}

const STAGED = `name: Staged
description: One device staged with a staging token.
devices: [A1, A2]
steps:
  - admin: { createProfile: Frontline staging }
  - vendor: [unboxAndPowerOn, completeSetupWizard, scanQrCode]
`;

describe('the shipped library, headless', () => {
  it('has files to run', () => {
    expect(libraryFiles.length).toBeGreaterThanOrEqual(22);
  });

  test.each(libraryFiles)('%s passes', async (name) => {
    const result = await runScenario(await loadScenarioFile(join(LIBRARY, name)), { target });
    if (result.status !== 'passed') throw new Error(result.failure?.message ?? 'failed without a message');
    expect(result.steps.length).toBeGreaterThan(0);
    expect(result.steps.every((step) => step.status === 'passed')).toBe(true);
  });
});

describe('running a scenario', () => {
  it('records every step per device with the screen, the stage and what the backend recorded', async () => {
    const result = await runScenario(scenario(`${STAGED}  - expect: { screen: staged, stage: staged }\n`), {
      target,
    });
    expect(result.status).toBe('passed');
    const scans = result.steps.filter((step) => step.action === "vendor scans the current token's QR code");
    expect(scans.map((step) => step.device)).toEqual(['A1', 'A2']);
    expect(scans[0]).toMatchObject({
      kind: 'action',
      state: 'stagingStage2.readyToPowerOff',
      screen: { id: 'staged' },
      stage: 'stagingStage2',
      userless: true,
      backend: {
        stage: 'staged',
        userPrincipalName: null,
        deviceName: expect.stringMatching(/^Staging_A1_AndroidEnterprise_/),
      },
      status: 'passed',
    });
    expect(result.steps[0]).toMatchObject({
      action: 'admin creates profile "Frontline staging" (fullyManaged, staging token)',
      kind: 'admin',
      device: null,
    });
    expect(result.steps.map((step) => step.index)).toEqual(result.steps.map((_, i) => i));
  });

  it('stops at a wrong expectation with a message that names the file, line, device, what was seen and what was expected', async () => {
    const result = await runScenario(
      scenario(
        `${STAGED}  - expect: { device: A2, screen: enrolled, stage: enrolled }\n  - vendor: powerOff\n`,
        'scenarios/wrong.yaml',
      ),
      { target },
    );
    expect(result.status).toBe('failed');
    expect(result.failure!.message).toBe(
      'scenarios/wrong.yaml:7: expect screen enrolled, stage enrolled [A2]: screen is "staged" (Device staged: turn it off and hand it over), expected "enrolled"; backend stage is staged, expected enrolled',
    );
    const failed = result.steps[result.failure!.stepIndex!]!;
    expect(failed).toMatchObject({
      kind: 'expect',
      device: 'A2',
      status: 'failed',
      screen: { id: 'staged' },
      backend: { stage: 'staged' },
    });
    // Nothing after the failing step ran, and the device's page source was kept.
    expect(result.steps.at(-1)).toBe(failed);
    expect(JSON.parse(result.artifacts!.pageSource!)).toMatchObject({
      serialNumber: 'A2',
      screen: { id: 'staged' },
    });
  });

  it('fails a step the device refuses, with the device error', async () => {
    const result = await runScenario(
      scenario(`${STAGED}  - user: { signIn: { device: A1, upn: john@contoso.com } }\n`),
      { target },
    );
    expect(result.status).toBe('failed');
    expect(result.failure!.message).toMatch(
      /^inline\.yaml:7: user signs in as john@contoso\.com \[A1\]: SIGN_IN is not possible on screen "staged"/,
    );
  });

  it('fails a step that starts from the wrong screen, naming the screen', async () => {
    const result = await runScenario(scenario(`${STAGED}  - vendor: { enterToken: { device: A1 } }\n`), {
      target,
    });
    expect(result.failure!.message).toBe(
      'inline.yaml:7: vendor types the current token (exact) [A1]: enterToken: the device shows "staged"; the token is entered from the sign-in screen',
    );
  });

  it('fails an exported token that does not carry what was expected', async () => {
    const yaml = `name: Export\ndescription: d\nsteps:\n  - admin: [{ createProfile: P }, { exportToken: { format: knoxMobileEnrollment, expect: { hasKeys: [android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE] } } }]\n`;
    const result = await runScenario(scenario(yaml), { target });
    expect(result.failure!.message).toMatch(
      /^inline\.yaml:4: admin exports the token for knoxMobileEnrollment: the export has no key android\.app\.extra\.PROVISIONING_ADMIN_EXTRAS_BUNDLE \(it has com\.google\.android\.apps\.work\.clouddpc\.EXTRA_ENROLLMENT_TOKEN\)/,
    );
  });

  describe('against a backend it does not own (--backend)', () => {
    let backend: RunningBackend;
    beforeAll(async () => {
      backend = await startBackend();
    });
    afterAll(async () => {
      await backend.close();
    });

    it('runs the scenario there', async () => {
      const result = await runScenario(scenario(`${STAGED}  - expect: { stage: staged }\n`), {
        target,
        backendUrl: backend.url,
      });
      expect(result.status).toBe('passed');
      expect((await backend.store.listManagedDevices()).map((device) => device.serialNumber)).toEqual([
        'A1',
        'A2',
      ]);
    });

    it('refuses to restart it or set its clock', async () => {
      const result = await runScenario(
        scenario(`name: R\ndescription: d\nsteps:\n  - environment: restartBackend\n`),
        { target, backendUrl: backend.url },
      );
      expect(result.failure!.message).toBe(
        'inline.yaml:4: the backend restarts: restartBackend needs a backend this run starts itself; run without --backend',
      );
    });
  });
});

describe('running several scenarios', () => {
  const pass = () => scenario(`${STAGED}  - expect: { stage: staged }\n`, 'pass.yaml');
  const failing = () => scenario(`${STAGED}  - expect: { stage: enrolled }\n`, 'fail.yaml');

  function recorder(): { reporter: Reporter; events: string[]; report: () => RunReport | null } {
    const events: string[] = [];
    let report: RunReport | null = null;
    return {
      events,
      report: () => report,
      reporter: {
        onBegin: (info) => events.push(`begin ${info.kind} ${info.total}`),
        onCaseBegin: (c) => events.push(`case ${c.id}`),
        onCaseEnd: (result: CaseResult) => events.push(`end ${result.id} ${result.status}`),
        onEnd: (r) => {
          report = r;
          events.push('done');
        },
      },
    };
  }

  it('runs them all and reports each to the reporter', async () => {
    const { reporter, events, report } = recorder();
    const result = await runScenarios([failing(), pass()], { target, reporter });
    expect(result).toMatchObject({
      kind: 'scenarios',
      target: 'headless',
      paths: 2,
      passed: 1,
      failed: 1,
      skipped: 0,
      seed: null,
    });
    expect(events).toEqual([
      'begin scenarios 2',
      'case fail.yaml',
      'end fail.yaml failed',
      'case pass.yaml',
      'end pass.yaml passed',
      'done',
    ]);
    expect(report()).toBe(result);
  });

  it('with bail, skips what comes after the first failure', async () => {
    const { reporter, events } = recorder();
    const result = await runScenarios([pass(), failing(), pass()], { target, reporter, bail: true });
    expect(result.cases.map((c) => c.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(events.filter((event) => event.startsWith('end'))).toEqual([
      'end pass.yaml passed',
      'end fail.yaml failed',
      'end pass.yaml skipped',
    ]);
  });
});

describe('a scenario that restarts its backend', () => {
  it('goes on with an admin step right after the restart, on the data the backend kept', async () => {
    const result = await runScenario(
      scenario(
        `name: Restart then admin\ndescription: d\ndevices: [A1]\nsteps:\n  - admin: { createProfile: Frontline staging }\n  - environment: restartBackend\n  - admin: { createProfile: Second profile }\n  - expect: { enrollmentProfile: { profile: Frontline staging, fields: { displayName: Frontline staging } } }\n`,
        'restart-then-admin.yaml',
      ),
      { target },
    );
    expect([result.status, result.failure?.message ?? null]).toEqual(['passed', null]);
  });
});

describe('the embedded backend scenarios share', () => {
  // The reference for "knows nothing" is the same scenario run on a backend of its own.
  const after = (name: string) =>
    scenario(
      `name: After\ndescription: d\ndevices: [A1]\nsteps:\n  - expect: { managedDevices: 0 }\n  - admin: { createProfile: Frontline staging }\n  - vendor: [unboxAndPowerOn, completeSetupWizard, scanQrCode]\n  - expect: { managedDevices: 1, stage: staged }\n`,
      name,
    );
  const dirty = () => scenario(`${STAGED}  - environment: { advanceClock: 40d }\n`, 'dirty.yaml');
  const restarting = () =>
    scenario(
      `name: Restart\ndescription: d\ndevices: [A1]\nsteps:\n  - expect: { managedDevices: 0 }\n  - environment: restartBackend\n`,
      'restart.yaml',
    );

  it('is started once and reset for each scenario: each meets a backend as new, clock included', async () => {
    const started: string[] = [];
    const startCounting = async (options: Parameters<typeof startBackend>[0]) => {
      const backend = await startBackend(options);
      started.push(backend.url);
      return backend;
    };
    const shared = await runScenarios([dirty(), after('after.yaml'), restarting(), after('last.yaml')], {
      target,
      startBackend: startCounting,
    });
    expect(shared.cases.map((c) => [c.id, c.status, c.failure?.message ?? null])).toEqual([
      ['dirty.yaml', 'passed', null],
      ['after.yaml', 'passed', null],
      ['restart.yaml', 'passed', null],
      ['last.yaml', 'passed', null],
    ]);
    // One shared in-memory backend; the restarting scenario starts one on a file, and again on restart.
    expect(started).toHaveLength(3);
    expect(started[0]).not.toBe(started[1]);

    const alone = await runScenario(after('alone.yaml'), { target });
    const deviceNames = (result: CaseResult) =>
      result.steps.filter((step) => step.backend).map((step) => step.backend!.deviceName);
    // The device's name carries the enrollment date: 40 days on, had the clock kept its move.
    expect(deviceNames(shared.cases[1]!)).toEqual(deviceNames(alone));
    expect(deviceNames(shared.cases[3]!)).toEqual(deviceNames(alone));
  });
});
