import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { runShard, type ShardInput, type ShardResult } from './runShard';

/**
 * Entry of a fleet worker thread: runs its share of the devices with channel clients of its own and
 * reports how many are done (at most every PROGRESS_MS) and, at the end, its result.
 */
export const shardInputSchema = z.object({
  url: z.string(),
  provisioningText: z.string(),
  until: z.enum(['staged', 'enrolled']),
  first: z.number().int().min(0),
  count: z.number().int().min(1),
  concurrency: z.number().int().min(1),
  serialPrefix: z.string(),
  domain: z.string(),
});

export type WorkerMessage =
  | { type: 'progress'; succeeded: number; failed: number }
  | { type: 'done'; result: ShardResult }
  | { type: 'crashed'; message: string };

const PROGRESS_MS = 100;

async function main(): Promise<void> {
  const input: ShardInput = shardInputSchema.parse(workerData);
  const port = parentPort!;
  let succeeded = 0;
  let failed = 0;
  let reported = 0;
  const report = () => {
    reported = Date.now();
    port.postMessage({ type: 'progress', succeeded, failed } satisfies WorkerMessage);
  };
  try {
    const result = await runShard(input, (ok) => {
      if (ok) succeeded += 1;
      else failed += 1;
      if (Date.now() - reported >= PROGRESS_MS) report();
    });
    report();
    port.postMessage({ type: 'done', result } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ type: 'crashed', message: (error as Error).message } satisfies WorkerMessage);
  }
}

if (parentPort) void main();
