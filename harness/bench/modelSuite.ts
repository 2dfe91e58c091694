import { performance } from 'node:perf_hooks';
import { runModelSuite } from '../model-testing/runModelSuite';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';

/** Wall time of the headless model suite (shortest paths covering every transition), as `stagesim model` runs it. */
export async function runModelSuiteBench(
  seed = 1,
): Promise<{ wallMs: number; paths: number; passed: number; failed: number }> {
  const target = new HeadlessTarget();
  const started = performance.now();
  try {
    const report = await runModelSuite({ target, strategy: 'shortest', seed, reporter: {} });
    return {
      wallMs: performance.now() - started,
      paths: report.paths,
      passed: report.passed,
      failed: report.failed,
    };
  } finally {
    await target.close();
  }
}
