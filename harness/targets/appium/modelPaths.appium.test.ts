import { startBackend } from '../../backend/server';
import { planSuite, runPlannedPath, type PlannedPath } from '../../model-testing/runModelSuite';
import type { PathRun } from '../../model-testing/runPath';
import type { CaseResult } from '../../reporters/report';
import { HeadlessTarget } from '../headless/HeadlessTarget';
import type { Target } from '../target';
import type { AppiumTarget } from './AppiumTarget';
import { testAppiumTarget } from './testing/appiumServer';
import pLimit from 'p-limit';

/**
 * The model-based paths through webdriverio, a real Appium server and the stagesim driver, against the
 * same paths on the headless target: every path must end the same way (pass or fail, the same states at
 * every step). Then with the state read from the screens alone, as on a real device, on paths that
 * together pass through every state of the model.
 */
const SEED = 20240622;
// Two cores: more sessions at once only add contention (see the README's measured times).
const SESSIONS = 2;
const { planned } = planSuite('shortest', SEED);

/** Paths picked greedily until every state of the paths is visited by one of them. */
function pathsThroughEveryState(paths: readonly PlannedPath[]): Set<PlannedPath> {
  const seen = new Set<string>();
  const chosen = new Set<PlannedPath>();
  for (;;) {
    const gain = (item: PlannedPath) =>
      new Set(item.path.steps.map((step) => step.path).filter((state) => !seen.has(state))).size;
    const best = paths
      .filter((item) => !chosen.has(item))
      .reduce<PlannedPath | null>((top, item) => (gain(item) > (top ? gain(top) : 0) ? item : top), null);
    if (!best) return chosen;
    chosen.add(best);
    best.path.steps.forEach((step) => seen.add(step.path));
  }
}
const screensOnlyPaths = pathsThroughEveryState(planned);

type Outcome = Pick<CaseResult, 'status'> & {
  steps: Array<{ state: string | null; screen: string | null; status: string }>;
  failure: string | null;
};

const outcomeOf = (run: PathRun): Outcome => ({
  status: run.result.status,
  steps: run.result.steps.map((step) => ({
    state: step.state,
    screen: step.screen?.id ?? null,
    status: step.status,
  })),
  failure: run.result.failure?.message ?? null,
});

async function runAll(target: Target, paths: readonly PlannedPath[] = planned): Promise<Outcome[]> {
  const limit = pLimit(SESSIONS);
  return Promise.all(
    paths.map((item) =>
      limit(async () => {
        const backend = await startBackend();
        try {
          return outcomeOf(
            await runPlannedPath(item, { target, seed: SEED }, planned.indexOf(item), backend),
          );
        } finally {
          await backend.close();
        }
      }),
    ),
  );
}

let headless: Outcome[];
let throughDriver: Outcome[];
let fromScreens: Map<PlannedPath, Outcome>;
const targets: Array<Target> = [];

beforeAll(async () => {
  const headlessTarget = new HeadlessTarget();
  const driverTarget: AppiumTarget = await testAppiumTarget({ parallel: SESSIONS });
  const screensTarget: AppiumTarget = await testAppiumTarget({ parallel: SESSIONS, modelState: 'inferred' });
  targets.push(headlessTarget, driverTarget, screensTarget);
  const screensOnly = [...screensOnlyPaths];
  let screensOutcomes: Outcome[];
  [headless, throughDriver, screensOutcomes] = await Promise.all([
    runAll(headlessTarget),
    runAll(driverTarget),
    runAll(screensTarget, screensOnly),
  ]);
  fromScreens = new Map(screensOnly.map((item, i) => [item, screensOutcomes[i]!]));
}, 300_000);

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
});

test('the suite has the paths the headless suite runs; some of them pass through every state', () => {
  expect(planned.length).toBeGreaterThan(30);
  expect(throughDriver).toHaveLength(planned.length);
  const visited = new Set([...screensOnlyPaths].flatMap((item) => item.path.steps.map((step) => step.path)));
  expect(visited).toEqual(new Set(planned.flatMap((item) => item.path.steps.map((step) => step.path))));
});

describe.each(planned.map((item, index) => [item.path.id, index] as const))('model path %s', (_id, index) => {
  test('through Appium it ends as on the headless target, state by state', () => {
    expect(throughDriver[index]).toEqual(headless[index]);
  });
});

describe.each([...screensOnlyPaths].map((item) => [item.path.id, item] as const))(
  'model path %s, the state read from the screens alone',
  (_id, item) => {
    test('passes or fails as on the headless target, screen by screen', () => {
      const screensOnly = (outcome: Outcome) => ({
        status: outcome.status,
        screens: outcome.steps.map((step) => [step.screen, step.status]),
      });
      expect(screensOnly(fromScreens.get(item)!)).toEqual(screensOnly(headless[planned.indexOf(item)]!));
    });
  },
);
