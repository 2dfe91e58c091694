import { parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { deviceConfigurationSchema } from '../../agent/provisioning/deviceConfiguration';
import { fleetProvisioningSchema } from './options';
import type { TransitionKind } from './fleetDevice';
import { runShard, type ShardResult } from './runShard';

/**
 * Entry of a fleet worker thread. It loads the device runtime and says 'ready' (the fleet starts its
 * workers while the backend starts and stage 1 runs), then runs the share of devices it is sent, with
 * channel clients of its own, reporting how many are done (at most every PROGRESS_MS) and its result.
 */
export const shardInputSchema = z.object({
  url: z.string(),
  /** The CA of the backend's certificate (the local CA of --tls), trusted besides Node's. */
  ca: z.string().optional(),
  provisioningText: z.string(),
  until: z.enum(['staged', 'enrolled']),
  provisioning: fleetProvisioningSchema,
  configuration: deviceConfigurationSchema.nullable(),
  first: z.number().int().min(0),
  count: z.number().int().min(1),
  concurrency: z.number().int().min(1),
  serialPrefix: z.string(),
  domain: z.string(),
  /** Send each transition's latency with the progress reports (for a live metrics endpoint). */
  streamLatencies: z.boolean().default(false),
});

export type ToWorker = { type: 'start'; input: z.input<typeof shardInputSchema> };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: ShardProgress }
  | { type: 'done'; result: ShardResult }
  | { type: 'crashed'; message: string };

/** Where a shard stands: counts so far, and the latencies measured since the last report. */
export interface ShardProgress {
  succeeded: number;
  failed: number;
  inFlight: number;
  failures: Record<string, number>;
  latencies: Partial<Record<TransitionKind, number[]>>;
}

const PROGRESS_MS = 100;

function tell(message: FromWorker): void {
  parentPort!.postMessage(message);
}

async function run(raw: unknown): Promise<void> {
  const progress: ShardProgress = { succeeded: 0, failed: 0, inFlight: 0, failures: {}, latencies: {} };
  let reported = 0;
  const report = () => {
    reported = Date.now();
    tell({ type: 'progress', progress });
    progress.latencies = {};
  };
  try {
    const input = shardInputSchema.parse(raw);
    const result = await runShard(input, {
      started: () => {
        progress.inFlight += 1;
      },
      done: (outcome) => {
        progress.inFlight -= 1;
        if (outcome.ok) progress.succeeded += 1;
        else {
          progress.failed += 1;
          progress.failures[outcome.reason] = (progress.failures[outcome.reason] ?? 0) + 1;
        }
        if (Date.now() - reported >= PROGRESS_MS) report();
      },
      ...(input.streamLatencies
        ? { latency: (kind: TransitionKind, ms: number) => (progress.latencies[kind] ??= []).push(ms) }
        : {}),
    });
    report();
    tell({ type: 'done', result });
  } catch (error) {
    tell({ type: 'crashed', message: (error as Error).message });
  }
}

if (parentPort) {
  // Errors are created and dropped by the thousand here (ws makes one for every closing stream) and only
  // their code and message are ever reported; capturing their stacks was 3 % of this thread's time.
  // The limit is this thread's own: the main thread keeps full stacks.
  Error.stackTraceLimit = 0;
  parentPort.once('message', (message: ToWorker) => void run(message.input));
  tell({ type: 'ready' });
}
