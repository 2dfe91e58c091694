import { parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { deviceConfigurationSchema } from '../../agent/provisioning/deviceConfiguration';
import { fleetProvisioningSchema } from './options';
import { runShard, type ShardResult } from './runShard';

/**
 * Entry of a fleet worker thread. It loads the device runtime and says 'ready' (the fleet starts its
 * workers while the backend starts and stage 1 runs), then runs the share of devices it is sent, with
 * channel clients of its own, reporting how many are done (at most every PROGRESS_MS) and its result.
 */
export const shardInputSchema = z.object({
  url: z.string(),
  provisioningText: z.string(),
  until: z.enum(['staged', 'enrolled']),
  provisioning: fleetProvisioningSchema,
  configuration: deviceConfigurationSchema.nullable(),
  first: z.number().int().min(0),
  count: z.number().int().min(1),
  concurrency: z.number().int().min(1),
  serialPrefix: z.string(),
  domain: z.string(),
});

export type ToWorker = { type: 'start'; input: z.input<typeof shardInputSchema> };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; succeeded: number; failed: number }
  | { type: 'done'; result: ShardResult }
  | { type: 'crashed'; message: string };

const PROGRESS_MS = 100;

function tell(message: FromWorker): void {
  parentPort!.postMessage(message);
}

async function run(raw: unknown): Promise<void> {
  let succeeded = 0;
  let failed = 0;
  let reported = 0;
  const report = () => {
    reported = Date.now();
    tell({ type: 'progress', succeeded, failed });
  };
  try {
    const input = shardInputSchema.parse(raw);
    const result = await runShard(input, (ok) => {
      if (ok) succeeded += 1;
      else failed += 1;
      if (Date.now() - reported >= PROGRESS_MS) report();
    });
    report();
    tell({ type: 'done', result });
  } catch (error) {
    tell({ type: 'crashed', message: (error as Error).message });
  }
}

if (parentPort) {
  parentPort.once('message', (message: ToWorker) => void run(message.input));
  tell({ type: 'ready' });
}
