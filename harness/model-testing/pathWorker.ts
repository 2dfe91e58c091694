import { parentPort } from 'node:worker_threads';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { serveItems } from '../threads/sharedRun';
import type { PathWorkerInput } from './pathWire';
import { pathRunner } from './runModelSuite';
import { sabotage } from './sabotage';

/**
 * Entry of a model-suite worker thread: the paths it is asked for, on a headless target and backends of
 * its own (sabotaged like the main thread's). Planning happened in the main thread; it is not loaded here.
 */
if (parentPort)
  serveItems(parentPort, (raw) => {
    const input = raw as PathWorkerInput;
    const healthy = new HeadlessTarget();
    const target = input.sabotage ? sabotage(healthy, input.sabotage) : healthy;
    const runner = pathRunner(input.paths, {
      target,
      seed: input.seed,
      ...(input.tls ? { tls: input.tls } : {}),
    });
    return { run: (index) => runner.run(index), close: () => runner.close().finally(() => target.close()) };
  });
