import { deviceModel } from '../../agent/model/deviceModel';
import { startBackend } from '../backend/server';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { computeCoverage } from './coverage';
import { planSuite, runPlannedPath } from './runModelSuite';
import type { PathRun } from './runPath';

/**
 * The model-based suite inside jest: one test per generated path, each on a fresh device against its
 * own backend, then the coverage of all of them (the README shows how CI shards the suite).
 */
const SEED = 20240622;
const { planned, infeasible } = planSuite('shortest', SEED);

const selected = planned;
const target = new HeadlessTarget();
const taken: PathRun['taken'] = [];

afterAll(() => target.close());

test('every generated path is one a device can take', () => {
  expect(infeasible).toEqual([]);
  expect(planned.length).toBeGreaterThan(30);
});

describe.each(selected.map((item) => [item.path.id, item] as const))('model path %s', (_id, item) => {
  test('the device and the backend follow the model at every step', async () => {
    const backend = await startBackend();
    const run = await runPlannedPath(item, { target, seed: SEED }, planned.indexOf(item), backend).finally(
      () => backend.close(),
    );
    taken.push(...run.taken);
    if (run.result.failure)
      throw new Error(`${run.result.failure.message}\n${run.result.failure.replay ?? ''}`);
    expect(run.result.steps.every((step) => step.status === 'passed')).toBe(true);
  });
});

interface StateConfig {
  on?: Record<string, unknown>;
  states?: Record<string, StateConfig>;
}

/**
 * The model's transitions counted from its definition as written (`on` blocks of the config passed to
 * createMachine, one per branch), not from xstate's state nodes that coverage reads: if either side
 * dropped or doubled a transition, the totals differ.
 */
function transitionsInDefinition(config: StateConfig, path: string[] = []): string[] {
  const own = Object.entries(config.on ?? {}).flatMap(([event, branches]) =>
    (Array.isArray(branches) ? branches : [branches]).map(() => `${path.join('.') || '(any)'} ${event}`),
  );
  const children = Object.entries(config.states ?? {}).flatMap(([name, child]) =>
    transitionsInDefinition(child, [...path, name]),
  );
  return [...own, ...children];
}

test('together the paths exercise every transition of the device model', () => {
  const coverage = computeCoverage(taken);
  expect(coverage.uncoveredTransitions).toEqual([]);
  expect(coverage.uncoveredStates).toEqual([]);
  const defined = transitionsInDefinition(deviceModel.config as StateConfig);
  expect(coverage.transitions.total).toBe(defined.length);
  // Covered and total agree, and each covered id names a transition the definition has.
  expect(coverage.transitions.covered).toBe(defined.length);
  const definedKeys = new Set(defined);
  expect(coverage.coveredTransitions.filter((id) => !definedKeys.has(id.replace(/ #\d+$/, '')))).toEqual([]);
});
