import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { StagesimError } from '../../../agent/errors';
import { projectRoot } from '../../../agent/projectRoot';

/**
 * A local Appium server with the stagesim driver, started from code and stopped by its own process.
 *
 * Appium finds the driver because this repository is its home (APPIUM_HOME = the project root: the
 * driver is a `file:` dependency, linked into node_modules). Appium caches its driver list and rescans
 * only when package.json changes, so the cache is deleted before every start.
 *
 * Two ways to start it: in this process (`startAppiumInProcess`, for jest's globalSetup, which runs
 * outside the test sandbox), or as a child process of its own (`startAppiumProcess`, for the CLI), so
 * stopping it is killing one known pid and nothing is left running.
 *
 * Error codes: APPIUM_START_FAILED.
 */

export interface LocalAppium {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The server's own process (a child), or null when it runs in this process. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/** Makes this repository Appium's home and drops Appium's cached driver list. */
export function prepareAppiumHome(root: string = projectRoot()): string {
  process.env.APPIUM_HOME = root;
  rmSync(join(root, 'node_modules', '.cache', 'appium', 'extensions.yaml'), { force: true });
  return root;
}

/** Appium's entry script, as its package's `bin` names it. */
export function appiumEntry(root: string = projectRoot()): string {
  return join(root, 'node_modules', 'appium', 'index.js');
}

const SERVER_ARGS = {
  address: '127.0.0.1',
  loglevel: 'error',
  allowInsecure: ['*:session_discovery'],
} as const;

interface InProcessServer {
  address(): AddressInfo | string | null;
  close(): Promise<void>;
  closeAllConnections?(): void;
}

/** Starts Appium in this process on a free loopback port (jest globalSetup). */
export async function startAppiumInProcess(): Promise<LocalAppium> {
  prepareAppiumHome();
  // Loaded only here: Appium is big, and the CLI never loads it into its own process.
  const { main } = (await import('appium')) as {
    main: (args: Record<string, unknown>) => Promise<InProcessServer>;
  };
  let server: InProcessServer;
  try {
    server = await main({ port: 0, ...SERVER_ARGS });
  } catch (error) {
    throw new StagesimError('APPIUM_START_FAILED', `Appium did not start: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const address = server.address();
  if (!address || typeof address === 'string')
    throw new StagesimError('APPIUM_START_FAILED', 'Appium started but has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    port: address.port,
    pid: null,
    async stop() {
      await deleteSessions(url);
      // Appium's close() waits for open connections and, past its shutdown timeout, calls process.exit():
      // in jest's process that would end the run with the wrong exit code. Idle keep-alive sockets go first.
      server.closeAllConnections?.();
      await server.close();
    },
  };
}

/** A port free on 127.0.0.1 right now (the OS picks it; Appium binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface AppiumProcessOptions {
  /** How long to wait for GET /status to answer. */
  startTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL. */
  stopTimeoutMs?: number;
}

/** Starts Appium as a child process (node + Appium's entry script) on a free loopback port. */
export async function startAppiumProcess(options: AppiumProcessOptions = {}): Promise<LocalAppium> {
  const root = prepareAppiumHome();
  let lastError: Error | null = null;
  // Another process may take the free port between the probe and Appium's bind: try a few ports.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await spawnAppium(root, port, options);
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw lastError ?? new StagesimError('APPIUM_START_FAILED', 'Appium did not start');
}

async function spawnAppium(root: string, port: number, options: AppiumProcessOptions): Promise<LocalAppium> {
  const args = [
    appiumEntry(root),
    'server',
    '--address',
    SERVER_ARGS.address,
    '--port',
    String(port),
    '--log-level',
    SERVER_ARGS.loglevel,
    '--allow-insecure',
    SERVER_ARGS.allowInsecure.join(','),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, APPIUM_HOME: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // If this process ends without stopping the server (an uncaught error, Ctrl-C), the server goes too.
  const orphanGuard = guardAgainstOrphan(child);
  const stop = async () => {
    try {
      await stopChild(child, exited, options.stopTimeoutMs ?? 10_000);
    } finally {
      orphanGuard();
    }
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) {
      throw new StagesimError(
        'APPIUM_START_FAILED',
        `Appium exited (code ${exitCode}) before it answered on ${url}: ${output.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
    if (await ready(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new StagesimError(
        'APPIUM_START_FAILED',
        `Appium did not answer on ${url} within ${options.startTimeoutMs ?? 60_000} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, pid: child.pid ?? null, stop };
}

/** Kills the child when this process exits or is interrupted; answers the function that undoes that. */
function guardAgainstOrphan(child: ChildProcess): () => void {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    remove();
    // With our listener gone, the signal does what it would have done.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const remove = () => {
    process.off('exit', kill);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('exit', kill);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return remove;
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Deletes every session the server still has (needs the session_discovery feature). */
export async function deleteSessions(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/appium/sessions`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return 0;
    const body = (await response.json()) as { value?: Array<{ id?: string }> };
    const ids = (body.value ?? [])
      .map((session) => session.id)
      .filter((id): id is string => typeof id === 'string');
    await Promise.all(
      ids.map((id) =>
        fetch(`${url}/session/${id}`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(
          () => undefined,
        ),
      ),
    );
    return ids.length;
  } catch {
    return 0;
  }
}
