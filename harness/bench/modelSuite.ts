import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { runModelSuite } from '../model-testing/runModelSuite';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import { workersSchema } from '../threads/sharedRun';
import { runNodeProcess, type CliRun } from './cliProcess';

/** One timing of the model suite; what modelSuiteProcess prints, checked when it is read back. */
export const modelSuiteRunSchema = z.object({
  wallMs: z.number().nonnegative(),
  /** The whole process's CPU time, worker threads included. */
  cpuMs: z.number().nonnegative(),
  workers: z.number().int().min(1),
  paths: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type ModelSuiteRun = z.infer<typeof modelSuiteRunSchema>;

/**
 * Wall time of the headless model suite (shortest paths covering every transition), as `stagesim model`
 * runs it: on its default threads, in this process, its modules already loaded.
 */
export async function runModelSuiteBench(
  seed = 1,
  workers = workersSchema.parse(undefined),
): Promise<ModelSuiteRun> {
  const target = new HeadlessTarget();
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const report = await runModelSuite({ target, strategy: 'shortest', seed, reporter: {}, workers });
    const used = process.cpuUsage(cpu);
    return {
      wallMs: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      workers,
      paths: report.paths,
      passed: report.passed,
      failed: report.failed,
    };
  } finally {
    await target.close();
  }
}

/**
 * The same timing in a new Node process (modelSuiteProcess): every repetition starts as cold as the
 * first, and none is slowed or sped up by what the bench ran before it in its own process.
 */
export async function runModelSuiteInNewProcess(): Promise<ModelSuiteRun> {
  const entry = siblingEntry(__filename, 'modelSuiteProcess');
  return readModelSuiteRun(await runNodeProcess([...sourceExecArgv(__filename), entry]));
}

/** The timing modelSuiteProcess printed as its last line; a process that failed or printed none throws. */
export function readModelSuiteRun(run: CliRun): ModelSuiteRun {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  const parsed = run.code === 0 ? modelSuiteRunSchema.safeParse(jsonOrUndefined(line)) : null;
  if (!parsed?.success) {
    const why = run.stderr.trim().split('\n')[0] || `it printed ${JSON.stringify(line.slice(0, 80))}`;
    throw new Error(`the model suite's process exited ${run.code} without its timing: ${why}`);
  }
  return parsed.data;
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
