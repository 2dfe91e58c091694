import { join } from 'node:path';
import { PNG } from 'pngjs';
import { projectRoot } from '../../../agent/projectRoot';
import type { CaseResult } from '../../reporters/report';
import { loadScenarios, type LoadedScenario } from '../../scenarios/loader';
import { runScenario } from '../../scenarios/runner';
import { useTempFiles } from '../../scenarios/testing/tempFiles';
import { HeadlessTarget } from '../headless/HeadlessTarget';
import type { Target } from '../target';
import { testAppiumTarget } from './testing/appiumServer';
import pLimit from 'p-limit';

/**
 * The shipped scenario library through webdriverio, a real Appium server and the stagesim driver: each
 * scenario passes or fails as on the headless target, with the same device states at every step.
 */
// Two cores: more sessions at once only add contention (see the README's measured times).
const SESSIONS = 2;

type Outcome = Pick<CaseResult, 'status'> & {
  steps: Array<{
    action: string;
    device: string | null;
    state: string | null;
    screen: string | null;
    status: string;
  }>;
};

const outcomeOf = (result: CaseResult): Outcome => ({
  status: result.status,
  steps: result.steps.map((step) => ({
    action: step.action,
    device: step.device,
    state: step.state,
    screen: step.screen?.id ?? null,
    status: step.status,
  })),
});

let scenarios: LoadedScenario[] = [];
let headless: CaseResult[] = [];
let throughAppium: CaseResult[] = [];
const targets: Target[] = [];

beforeAll(async () => {
  const loaded = await loadScenarios([join(projectRoot(), 'scenarios')]);
  expect(loaded.problems).toEqual([]);
  scenarios = loaded.scenarios;
  const headlessTarget = new HeadlessTarget();
  const appiumTarget = await testAppiumTarget({ parallel: SESSIONS });
  targets.push(headlessTarget, appiumTarget);
  const runAll = (target: Target) => {
    const limit = pLimit(SESSIONS);
    return Promise.all(scenarios.map((scenario) => limit(() => runScenario(scenario, { target }))));
  };
  [headless, throughAppium] = await Promise.all([runAll(headlessTarget), runAll(appiumTarget)]);
}, 300_000);

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
});

test('the whole library ran through Appium', () => {
  expect(scenarios.length).toBeGreaterThan(20);
  expect(throughAppium).toHaveLength(scenarios.length);
});

test('every scenario passes or fails as on the headless target, with the same states at every step', () => {
  const differences = scenarios
    .map((scenario, index) => ({
      file: scenario.file,
      appium: outcomeOf(throughAppium[index]!),
      headless: outcomeOf(headless[index]!),
      failure: throughAppium[index]!.failure?.message,
    }))
    .filter(({ appium, headless: expected }) => JSON.stringify(appium) !== JSON.stringify(expected));
  expect(differences).toEqual([]);
});

describe('a scenario that fails', () => {
  const files = useTempFiles();

  test('fails through Appium as on the headless target, and reports the screenshot and the page source of the device', async () => {
    const file = files.write(
      'wrong-expectation.yaml',
      [
        'name: Expects the wrong screen',
        'description: After the setup wizard the device is on the sign-in screen, not enrolled.',
        'devices: [{ serial: FAIL-1, manufacturer: Samsung, model: Galaxy XCover6 Pro, androidVersion: 13 }]',
        'steps:',
        '  - vendor: [unboxAndPowerOn, completeSetupWizard]',
        '  - expect: { screen: enrolled }',
      ].join('\n'),
    );
    const {
      scenarios: [scenario],
    } = await loadScenarios([file]);
    const [onAppium, onHeadless] = [
      await runScenario(scenario!, { target: targets[1]! }),
      await runScenario(scenario!, { target: targets[0]! }),
    ];
    expect(outcomeOf(onAppium)).toEqual(outcomeOf(onHeadless));
    expect(onAppium.status).toBe('failed');
    expect(onAppium.failure?.message).toMatch(/screen is "sign-in"/);
    // Samsung's setup wizard, as android-13-samsung.json renders it, in the report.
    expect(onAppium.artifacts?.pageSource).toMatch(/^<\?xml[\s\S]*<hierarchy[\s\S]*identifier_field/);
    const png = PNG.sync.read(Buffer.from(onAppium.artifacts!.screenshotPng!, 'base64'));
    expect([png.width, png.height]).toEqual([720, 1600]);
  });
});
