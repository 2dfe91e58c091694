import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { workerExecArgv } from '../fleet/sourceEntry';

/**
 * Runs independent items (model paths, scenarios) on this thread and on worker threads, the way jest
 * spreads test files: every thread takes the next item when it has finished one, so a thread that
 * starts late (a worker loads its modules first) or runs long items takes fewer. Which thread ran an
 * item never shows: each item brings everything it depends on (its seed, its own backend and device),
 * and results are handed on in the items' order.
 */

/** More threads than this gain little: every item is CPU-bound, and each thread pays its start-up. */
export const MAX_WORKERS = 4;

/**
 * --workers: threads that run items, this one included (1: all of them here, as before workers).
 *
 * The default leaves one core free, as jest's does (its maxWorkers defaults to the cores less one): a
 * thread running items keeps more than one core busy, with V8's collector and compiler threads and
 * libuv's pool beside it. On this project's 2-core machine two threads used 25-35 % more CPU for no
 * shorter a run (harness/bench/runs/2026-12-06T2244Z-workers-quiet.txt).
 */
export const workersSchema = z
  .number()
  .int()
  .min(1)
  .default(() => Math.max(1, Math.min(availableParallelism() - 1, MAX_WORKERS)));

export const WORKERS_HELP = `threads that run them at once, this one included (default: the cores available less one, 1 to ${MAX_WORKERS}; here ${workersSchema.parse(undefined)}); 1 runs them all in this thread`;

export type ToWorker = { type: 'start'; input: unknown } | { type: 'run'; index: number } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; index: number; result: unknown }
  | { type: 'closed' }
  | { type: 'crashed'; message: string };

/** What runs items on one thread: one at a time, then closed once. */
export interface ItemRunner<R> {
  run(index: number): Promise<R>;
  close(): Promise<void>;
}

export interface SharedRun<R> {
  items: number;
  threads: number;
  /** The worker module (it calls serveItems); .ts under ts-node, .js from dist. */
  entry: string;
  /** Sent to every worker once; structured-cloneable. */
  input: unknown;
  /** Runs items on this thread. */
  here: ItemRunner<R>;
  /** Called once per item in the items' order, as soon as it and every item before it are done. */
  inOrder: (index: number, result: R) => void;
  /** True for a result after which no later item is run (bail); later results are dropped. */
  last?: (result: R) => boolean;
}

/** Runs the items; answers how many were handed to inOrder (all of them unless one was `last`). */
export async function runShared<R>(run: SharedRun<R>): Promise<number> {
  const results = new Map<number, R>();
  let next = 0;
  let stopAfter = run.items - 1;
  let emitted = 0;
  let failure: Error | null = null;

  const take = (): number | null => (failure || next > stopAfter ? null : next++);
  const store = (index: number, result: R) => {
    if (index > stopAfter) return;
    if (run.last?.(result)) stopAfter = Math.min(stopAfter, index);
    results.set(index, result);
    while (emitted <= stopAfter && results.has(emitted)) {
      run.inOrder(emitted, results.get(emitted)!);
      results.delete(emitted);
      emitted += 1;
    }
  };

  const workers = Array.from({ length: Math.min(run.threads, run.items) - 1 }, () =>
    startWorker(run, take, store, (error) => (failure ??= error)),
  );
  try {
    for (let index = take(); index !== null; index = take()) store(index, await run.here.run(index));
  } catch (error) {
    failure ??= error as Error;
  } finally {
    await Promise.all([...workers, run.here.close()]);
  }
  if (failure) throw failure;
  return emitted;
}

function startWorker<R>(
  run: SharedRun<R>,
  take: () => number | null,
  store: (index: number, result: R) => void,
  fail: (error: Error) => void,
): Promise<void> {
  const execArgv = workerExecArgv(run.entry);
  const worker = new Worker(run.entry, execArgv ? { execArgv } : {});
  const send = (message: ToWorker) => worker.postMessage(message);
  const ask = () => {
    const index = take();
    send(index === null ? { type: 'stop' } : { type: 'run', index });
  };
  return new Promise<void>((done) => {
    let ended = false;
    const end = (error?: Error) => {
      // terminate() ends the thread with exit code 1, after 'closed' or a failure already ended it.
      if (ended) return;
      ended = true;
      if (error) fail(error);
      void worker.terminate().then(() => done());
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          send({ type: 'start', input: run.input });
          return ask();
        case 'done':
          store(message.index, message.result as R);
          return ask();
        case 'closed':
          return end();
        case 'crashed':
          return end(new Error(`a worker thread failed: ${message.message}`));
      }
    });
    worker.once('error', (error) => end(error));
    worker.once('exit', (code) =>
      end(code === 0 ? undefined : new Error(`a worker thread exited with ${code}`)),
    );
  });
}

/**
 * The worker's side: says 'ready' once its modules are loaded, makes its runner from the input it is
 * sent, runs the items it is asked for, and closes the runner when told to stop.
 */
export function serveItems<R>(
  port: import('node:worker_threads').MessagePort,
  setup: (input: unknown) => ItemRunner<R>,
): void {
  let runner: ItemRunner<R> | null = null;
  const tell = (message: FromWorker) => port.postMessage(message);
  port.on('message', (message: ToWorker) => {
    void (async () => {
      try {
        switch (message.type) {
          case 'start':
            runner = setup(message.input);
            return;
          case 'run':
            return tell({ type: 'done', index: message.index, result: await runner!.run(message.index) });
          case 'stop':
            await runner?.close();
            return tell({ type: 'closed' });
        }
      } catch (error) {
        tell({ type: 'crashed', message: (error as Error).message });
      }
    })();
  });
  tell({ type: 'ready' });
}
