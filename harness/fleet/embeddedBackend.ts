import { fork } from 'node:child_process';
import { StagesimError } from '../../agent/errors';
import { startBackend } from '../backend/server';
import type { BackendProcessMessage, EmbeddedBackendOptions, StartMessage } from './backendProcess';
import { siblingEntry, sourceExecArgv } from './sourceEntry';

/**
 * The backend a fleet starts for itself when it is not given one: in memory (or options.dbPath), on a
 * free loopback port, serving options.tls when given.
 */
export interface EmbeddedBackend {
  url: string;
  where: 'child' | 'inline';
  /** The backend process's peak resident memory and CPU time so far; null when it shares this process. */
  stats(): Promise<{ peakRssMb: number; cpuMs: number } | null>;
  close(): Promise<void>;
}

export async function startEmbeddedBackend(
  where: 'child' | 'inline',
  options: EmbeddedBackendOptions = {},
): Promise<EmbeddedBackend> {
  if (where === 'inline') {
    const backend = await startBackend(options);
    return { url: backend.url, where, stats: async () => null, close: () => backend.close() };
  }
  return startChildBackend(options);
}

const START_TIMEOUT_MS = 30_000;

/**
 * A child process of its own: on a machine with few cores, the devices and the backend then run on
 * different cores instead of taking turns on one event loop.
 */
async function startChildBackend(options: EmbeddedBackendOptions): Promise<EmbeddedBackend> {
  const child = fork(siblingEntry(__filename, 'backendProcess'), [], {
    execArgv: sourceExecArgv(__filename),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.send({ type: 'start', options } satisfies StartMessage);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (type: BackendProcessMessage['type'], timeoutMs: number) =>
    new Promise<BackendProcessMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(
            new StagesimError(
              'EMBEDDED_BACKEND_FAILED',
              `the embedded backend did not answer ${type} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const onMessage = (message: BackendProcessMessage) => {
        if (message.type === type || message.type === 'failed') done(null, message);
      };
      const onExit = (code: number | null) =>
        done(
          new StagesimError(
            'EMBEDDED_BACKEND_FAILED',
            `the embedded backend exited (${code}) before it answered ${type}`,
          ),
        );
      const done = (error: Error | null, message?: BackendProcessMessage) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else if (message!.type === 'failed')
          reject(
            // A database file that cannot be used is the user's input: its own code, its own line.
            message!.code === 'DB_OPEN_FAILED'
              ? new StagesimError('DB_OPEN_FAILED', message!.message)
              : new StagesimError(
                  'EMBEDDED_BACKEND_FAILED',
                  `the embedded backend did not start: ${message!.message}`,
                ),
          );
        else resolve(message!);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  let ready: BackendProcessMessage;
  try {
    ready = await next('ready', START_TIMEOUT_MS);
  } catch (error) {
    child.kill();
    throw error;
  }
  if (ready.type !== 'ready')
    throw new StagesimError('EMBEDDED_BACKEND_FAILED', 'the embedded backend answered out of turn');
  let closing: Promise<void> | null = null;
  return {
    url: ready.url,
    where: 'child',
    async stats() {
      if (!child.connected) return null;
      const stats = next('stats', 5_000);
      child.send({ type: 'stats' });
      const answer = await stats;
      return answer.type === 'stats' ? { peakRssMb: answer.peakRssMb, cpuMs: answer.cpuMs } : null;
    },
    close() {
      closing ??= (async () => {
        if (child.connected) child.send({ type: 'close' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
