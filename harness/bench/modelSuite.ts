import { performance } from 'node:perf_hooks';
import { runModelSuite } from '../model-testing/runModelSuite';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { workersSchema } from '../threads/sharedRun';

/**
 * Wall time of the headless model suite (shortest paths covering every transition), as `stagesim model`
 * runs it: on its default threads. CPU time is the whole process's, worker threads included.
 */
export async function runModelSuiteBench(
  seed = 1,
  workers = workersSchema.parse(undefined),
): Promise<{
  wallMs: number;
  cpuMs: number;
  workers: number;
  paths: number;
  passed: number;
  failed: number;
}> {
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
