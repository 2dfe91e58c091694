import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A loopback server of the bench's in a process of its own (the raw baseline's echo server, the reply
 * stub): it reads what it is given as its first line on stdin (if anything), prints its port, answers a
 * line "cpu" with its CPU time so far (milliseconds), and exits when stdin ends. One process each, so its
 * CPU time is its own and not the measuring side's.
 */
export interface ServerProcess {
  port: number;
  pid: number;
  /** Its CPU time (user + system) so far, milliseconds, as it reads its own. */
  cpuMs(): Promise<number>;
  /** Ends its stdin, which ends it; killed if it has not gone within a second. */
  stop(): Promise<void>;
}

/**
 * Starts `node args` (`name` says which server in every error), writes `input` as its first line when
 * given, and answers once it has printed its port. Rejects with one line if it exits first (its own first
 * line of stderr after the exit code) or prints something else.
 */
export async function startServerProcess(
  name: string,
  args: readonly string[],
  input?: string,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A server that has exited answers its pending lines with why; a write to its stdin then is moot.
  child.stdin.on('error', () => undefined);
  let ended: Error | null = null;
  const waiting: Array<{ resolve(line: string): void; reject(error: Error): void }> = [];
  const closed = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      ended = new Error(`${name} exited (${code ?? signal}): ${stderr.trim().split('\n')[0] ?? ''}`);
      for (const waiter of waiting.splice(0)) waiter.reject(ended);
      resolve();
    }),
  );
  child.once('error', (error) => {
    ended = new Error(`${name} could not be started: ${error.message}`);
    for (const waiter of waiting.splice(0)) waiter.reject(ended);
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line.trim()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => (ended ? reject(ended) : waiting.push({ resolve, reject })));

  const portLine = nextLine();
  if (input !== undefined) child.stdin.write(`${input}\n`);
  let port: number;
  try {
    const line = await portLine;
    if (!/^\d+$/.test(line)) throw new Error(`${name} printed ${JSON.stringify(line)} for its port`);
    port = Number(line);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    port,
    pid: child.pid!,
    async cpuMs() {
      const answer = nextLine();
      child.stdin.write('cpu\n');
      return Number(await answer);
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 1_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
