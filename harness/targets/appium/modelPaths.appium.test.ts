import { startBackend } from '../../backend/server';
import { planSuite, runPlannedPath, type PlannedPath } from '../../model-testing/runModelSuite';
import type { PathRun } from '../../model-testing/runPath';
import type { CaseResult } from '../../reporters/report';
import { HeadlessTarget } from '../headless/HeadlessTarget';
import type { Target } from '../target';
import type { AppiumTarget } from './AppiumTarget';
import { testAppiumTarget } from './testing/appiumServer';
import { runPool } from './testing/pool';

/**
 * The model-based paths through webdriverio, a real Appium server and the stagesim driver, against the
 * same paths on the headless target: every path must end the same way (pass or fail, the same states at
 * every step). Twice through Appium: with the driver's model asked for the state, and with the state
 * read from the screens alone, as on a real device.
 */
const SEED = 20240622;
const SESSIONS = 3;
const { planned } = planSuite('shortest', SEED);

type Outcome = Pick<CaseResult, 'status'> & { steps: Array<{ state: string | null; screen: string | null; status: string }>; failure: string | null };

const outcomeOf = (run: PathRun): Outcome => ({
  status: run.result.status,
  steps: run.result.steps.map((step) => ({ state: step.state, screen: step.screen?.id ?? null, status: step.status })),
  failure: run.result.failure?.message ?? null,
});

async function runAll(target: Target): Promise<Outcome[]> {
  return runPool(planned, SESSIONS, async (item: PlannedPath) => {
    const backend = await startBackend();
    try {
      return outcomeOf(await runPlannedPath(item, { target, seed: SEED }, planned.indexOf(item), backend));
    } finally {
      await backend.close();
    }
  });
}

let headless: Outcome[];
let throughDriver: Outcome[];
let fromScreens: Outcome[];
const targets: Array<Target> = [];

beforeAll(async () => {
  const headlessTarget = new HeadlessTarget();
  const driverTarget: AppiumTarget = await testAppiumTarget({ parallel: SESSIONS });
  const screensTarget: AppiumTarget = await testAppiumTarget({ parallel: SESSIONS, modelState: 'inferred' });
  targets.push(headlessTarget, driverTarget, screensTarget);
  [headless, throughDriver, fromScreens] = await Promise.all([runAll(headlessTarget), runAll(driverTarget), runAll(screensTarget)]);
}, 300_000);

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
});

test('the suite has the paths the headless suite runs', () => {
  expect(planned.length).toBeGreaterThan(30);
  expect(throughDriver).toHaveLength(planned.length);
});

describe.each(planned.map((item, index) => [item.path.id, index] as const))('model path %s', (_id, index) => {
  test('through Appium it ends as on the headless target, state by state', () => {
    expect(throughDriver[index]).toEqual(headless[index]);
  });

  test('read from the screens alone, it passes or fails as on the headless target, screen by screen', () => {
    const screensOnly = (outcome: Outcome) => ({ status: outcome.status, screens: outcome.steps.map((step) => [step.screen, step.status]) });
    expect(screensOnly(fromScreens[index]!)).toEqual(screensOnly(headless[index]!));
  });
});
