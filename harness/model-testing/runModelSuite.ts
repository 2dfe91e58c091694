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
import { siblingEntry } from '../fleet/sourceEntry';
import { runShared, type ItemRunner } from '../threads/sharedRun';
import type { SabotageFault } from './sabotage';
import { toWire, type PathWorkerInput } from './pathWire';

export interface ModelSuiteOptions {
  target: Target;
  strategy: PathStrategy;
  maxPaths?: number;
  seed: number;
  reporter: Reporter;
  /** Starts the backend the paths run against, reset before each path; the embedded in-memory one by default. */
  startBackend?: () => Promise<RunningBackend>;
  /** TLS those backends serve (stagesim model --tls); the devices and the admin trust its CA. */
  tls?: EmbeddedTls;
  /** Only paths whose id is listed (a jest test runs one path at a time). */
  only?: string[];
  /**
   * Threads that run the paths, this one included (1 by default). The other threads run the headless
   * target of their own, sabotaged with `sabotage`: with more than 1, `target` must be that target.
   */
  workers?: number;
  /** The fault `target` was sabotaged with (for the other threads' targets). */
  sabotage?: SabotageFault;
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

/** Runs one planned path on a fresh device against `backend`, which the path has to itself (new or reset). */
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
      devicesRevision: () => backend.store.devicesRevision,
      replay: (path, failedAt) => replayText(path, planned.plan, options.seed, failedAt),
    });
  } finally {
    await device.close();
  }
}

/**
 * Runs planned paths on this thread one after another against one backend, reset before every path but
 * the first: each path still meets a backend that knows nothing, and a reset costs a fraction of a start
 * (the suite took 0.76-0.90 of the time of a backend started per path: bench README step 25).
 */
export function pathRunner(
  paths: readonly IndexedPath[],
  options: Pick<ModelSuiteOptions, 'target' | 'seed' | 'tls' | 'startBackend'>,
): ItemRunner<PathRun> {
  const tls = options.tls?.server;
  const start = options.startBackend ?? (() => startBackend(tls ? { tls } : {}));
  let backend: Promise<RunningBackend> | null = null;
  return {
    async run(index) {
      let running: RunningBackend;
      if (backend) {
        running = await backend;
        await running.reset();
      } else {
        backend = start();
        running = await backend;
      }
      const { item, plannedIndex } = paths[index]!;
      return runPlannedPath(item, options, plannedIndex, running);
    },
    async close() {
      await backend?.then((running) => running.close());
      backend = null;
    },
  };
}

/** A path to run with its place among the planned ones (its devices' seed and serial numbers). */
export interface IndexedPath {
  item: PlannedPath;
  plannedIndex: number;
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
  const paths = selected.map((item) => ({ item, plannedIndex: planned.indexOf(item) }));
  const here = pathRunner(paths, options);
  const report = (run: PathRun) => {
    run.result.steps.forEach((step) => options.reporter.onStepEnd?.(run.result.id, step));
    options.reporter.onCaseEnd?.(run.result);
    results.push(run.result);
    taken.push(...run.taken);
  };
  const workers = options.workers ?? 1;
  if (workers > 1) {
    if (options.startBackend)
      throw new Error('runModelSuite: workers > 1 start their own backends; startBackend needs workers 1');
    const input: PathWorkerInput = {
      paths: paths.map(({ item, plannedIndex }) => ({ item: toWire(item), plannedIndex })),
      seed: options.seed,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.sabotage ? { sabotage: options.sabotage } : {}),
    };
    await runShared({
      items: paths.length,
      threads: workers,
      entry: siblingEntry(__filename, 'pathWorker'),
      input,
      here,
      inOrder: (index, run) => {
        options.reporter.onCaseBegin?.({ id: paths[index]!.item.path.id, title: paths[index]!.item.path.id });
        report(run);
      },
    });
  } else {
    try {
      for (const { item } of paths) {
        options.reporter.onCaseBegin?.({ id: item.path.id, title: item.path.id });
        report(await here.run(results.length));
      }
    } finally {
      await here.close();
    }
  }
  const runReport: RunReport = {
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
  await options.reporter.onEnd?.(runReport);
  return runReport;
}
