import { startBackend, type RunningBackend } from '../backend/server';
import type { EmbeddedTls } from '../backend/tls/serverTls';
import type { Reporter, RunReport } from '../reporters/report';
import type { Target } from '../targets/target';
import { AdminClient } from '../world/AdminClient';
import { computeCoverage } from './coverage';
import { generatePaths, type ModelPath, type PathStrategy } from './paths';
import { InfeasiblePathError, planPath, type PathPlan } from './planner';
import { seededRandom } from '../../agent/seededRandom';
import { pick } from './random';
import { replayText } from './replay';
import { runPath, type PathRun } from './runPath';
import { SAMPLE_HARDWARE } from '../../agent/device/deviceProfile';

export interface ModelSuiteOptions {
  target: Target;
  strategy: PathStrategy;
  maxPaths?: number;
  seed: number;
  reporter: Reporter;
  /** Starts the isolated backend each path runs against; the embedded in-memory one by default. */
  startBackend?: () => Promise<RunningBackend>;
  /** TLS those backends serve (stagesim model --tls); the devices and the admin trust its CA. */
  tls?: EmbeddedTls;
  /** Only paths whose id is listed (a jest test runs one path at a time). */
  only?: string[];
}

export interface PlannedPath {
  path: ModelPath;
  plan: PathPlan;
}

/** The paths of a suite with their plans; paths no device could take are left out, with the reason. */
export function planSuite(
  strategy: PathStrategy,
  seed: number,
  maxPaths?: number,
): { planned: PlannedPath[]; infeasible: Array<{ path: ModelPath; reason: string }> } {
  const paths = generatePaths({
    strategy,
    random: seededRandom(seed),
    ...(maxPaths === undefined ? {} : { maxPaths }),
  });
  const planned: PlannedPath[] = [];
  const infeasible: Array<{ path: ModelPath; reason: string }> = [];
  for (const path of paths) {
    try {
      planned.push({ path, plan: planPath(path) });
    } catch (error) {
      if (!(error instanceof InfeasiblePathError)) throw error;
      infeasible.push({ path, reason: error.message });
    }
  }
  return { planned, infeasible };
}

/** Runs one planned path on a fresh device against `backend`, which the path has to itself. */
export async function runPlannedPath(
  planned: PlannedPath,
  options: Pick<ModelSuiteOptions, 'target' | 'seed' | 'tls'>,
  index: number,
  backend: RunningBackend,
): Promise<PathRun> {
  const random = seededRandom(options.seed + index);
  const hardware = pick(SAMPLE_HARDWARE, random);
  const device = await options.target.createDevice(
    {
      serialNumber: `MT${String(index + 1).padStart(3, '0')}S${options.seed}`,
      ...hardware,
      // Knox Mobile Enrollment is for Samsung devices; the plan says when the path needs one.
      ...(planned.plan.manufacturer && planned.plan.manufacturer !== hardware.manufacturer
        ? SAMPLE_HARDWARE.find((sample) => sample.manufacturer === planned.plan.manufacturer)
        : {}),
      osVersion: planned.plan.osVersion,
    },
    backend.url,
    options.tls?.ca,
  );
  try {
    return await runPath({
      path: planned.path,
      plan: planned.plan,
      device,
      admin: new AdminClient(backend.url, undefined, options.tls?.ca),
      replay: (path, failedAt) => replayText(path, planned.plan, options.seed, failedAt),
    });
  } finally {
    await device.close();
  }
}

export async function runModelSuite(options: ModelSuiteOptions): Promise<RunReport> {
  const startedAt = new Date();
  const { planned } = planSuite(options.strategy, options.seed, options.maxPaths);
  const selected = options.only ? planned.filter((p) => options.only!.includes(p.path.id)) : planned;
  options.reporter.onBegin?.({
    kind: 'model',
    target: options.target.name,
    total: selected.length,
    seed: options.seed,
  });
  const results: RunReport['cases'] = [];
  const taken: PathRun['taken'] = [];
  const tls = options.tls?.server;
  const start = options.startBackend ?? (() => startBackend(tls ? { tls } : {}));
  // Every path gets a backend of its own; the next one starts while the current path runs.
  let next: Promise<RunningBackend> | null = selected.length > 0 ? start() : null;
  for (const [index, item] of selected.entries()) {
    options.reporter.onCaseBegin?.({ id: item.path.id, title: item.path.id });
    const backend = await next!;
    next = index + 1 < selected.length ? start() : null;
    const run = await runPlannedPath(item, options, planned.indexOf(item), backend).finally(() =>
      backend.close(),
    );
    run.result.steps.forEach((step) => options.reporter.onStepEnd?.(run.result.id, step));
    options.reporter.onCaseEnd?.(run.result);
    results.push(run.result);
    taken.push(...run.taken);
  }
  const report: RunReport = {
    kind: 'model',
    target: options.target.name,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    seed: options.seed,
    paths: results.length,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: 0,
    coverage: computeCoverage(taken),
    cases: results,
  };
  await options.reporter.onEnd?.(report);
  return report;
}
