import { parentPort } from 'node:worker_threads';
import type { EmbeddedTls } from '../backend/tls/serverTls';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { serveItems } from '../threads/sharedRun';
import type { LoadedScenario } from './loader';
import { recordingRunner } from './runner';

/** What a scenario worker is sent once (by runScenarios): its share is asked for by index. */
export interface ScenarioWorkerInput {
  scenarios: LoadedScenario[];
  tls?: EmbeddedTls;
  stepTimeoutMs?: number;
}

/**
 * Entry of a scenario worker thread: the scenarios it is asked for, loaded and checked by the main
 * thread, on a headless target and embedded backends of its own.
 */
if (parentPort)
  serveItems(parentPort, (raw) => {
    const input = raw as ScenarioWorkerInput;
    const target = new HeadlessTarget();
    const runner = recordingRunner(input.scenarios, {
      target,
      ...(input.tls ? { tls: input.tls } : {}),
      ...(input.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: input.stepTimeoutMs }),
    });
    return { run: (index) => runner.run(index), close: () => target.close() };
  });
