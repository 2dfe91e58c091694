import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Other programs the harness starts (the stagesim CLI, its backend, a bench's node): run to their end
 * with their output kept, or started and held until they print that they are ready. One place for what
 * was written out in a test file, a bench module and a test helper each.
 */

export interface Ended {
  /** The exit code; null when a signal ended it (the timeout's SIGKILL included). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A program's output is a report or a JSON summary, not a stream to bound: this only stops a runaway. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Runs `command args` to its end (execFile: output collected, stdin closed at once), and answers how it
 * ended, whatever the exit code. Rejects only when the program could not be started at all (ENOENT) or
 * wrote more than MAX_OUTPUT_BYTES. After `timeoutMs` it is killed (SIGKILL) and answers code null.
 */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: ChildOptions & { timeoutMs?: number } = {},
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        ...options,
        encoding: 'utf8',
        maxBuffer: MAX_OUTPUT_BYTES,
        timeout: options.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && !error.signal) {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  /** The ready pattern's match, in the output named by `on`. */
  match: RegExpExecArray;
  /** What it has printed so far: everything, up to the last KEPT_OUTPUT_CHARS of each stream. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * How much of each stream of a started program is kept: a backend held for a whole bench prints for as
 * long as it runs, and what a caller reads (its ready line, a summary, an error) is far shorter.
 */
export const KEPT_OUTPUT_CHARS = 4 * 1024 * 1024;

/**
 * Starts `command args` and answers once `ready` matches what it has printed on `on` (stdout unless
 * said), its output kept from the start (the last KEPT_OUTPUT_CHARS of each stream). Rejects with one line, the program's stderr after it, if the
 * program exits first or prints no match within `timeoutMs` (30 s unless said; then it is killed).
 */
export function startUntil(
  command: string,
  args: readonly string[],
  options: ChildOptions & { ready: RegExp; on?: 'stdout' | 'stderr'; timeoutMs?: number; name?: string },
): Promise<Started> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
  child.stdin.end();
  const name = options.name ?? command;
  const printed = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    // Decoded as a stream: a character whose bytes come in two chunks is one character, not two U+FFFDs.
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk: string) => {
      const kept = printed[stream] + chunk;
      printed[stream] = kept.length > KEPT_OUTPUT_CHARS ? kept.slice(-KEPT_OUTPUT_CHARS) : kept;
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const on = options.on ?? 'stdout';
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${name} printed nothing matching ${options.ready} within ${timeoutMs} ms: ${printed.stderr}`,
        ),
      );
    }, timeoutMs);
    const check = () => {
      const match = options.ready.exec(printed[on]);
      if (!match) return;
      clearTimeout(timer);
      child[on].off('data', check);
      resolve({
        child,
        match,
        stdout: () => printed.stdout,
        stderr: () => printed.stderr,
        exited,
      });
    };
    child[on].on('data', check);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited (${code ?? signal}) before printing ${options.ready}: ${printed.stderr}`),
      );
    });
  });
}
