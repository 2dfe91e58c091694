import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DEVICE_CHANNEL_PATH } from '../backend/channel/ChannelServer';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import type { ReplyTable } from './replyTable';

/** The stub backend (replyStub.ts) in a process of its own, answering from `replies`. */
export interface ReplyStub {
  /** Its base URL (http://127.0.0.1:PORT), as a device channel client is given a backend's. */
  url: string;
  /** Its channel's own URL (ws://127.0.0.1:PORT/device), for a plain ws client. */
  channelUrl: string;
  pid: number;
  /** Its CPU time (user + system) so far, milliseconds, as it reads its own. */
  cpuMs(): Promise<number>;
  /** Ends its stdin, which ends it; killed if it has not gone within a second. */
  stop(): Promise<void>;
}

/** The node arguments of the stub's process, in the form (.js or .ts) this module runs in. */
export function replyStubArgs(): string[] {
  return [...sourceExecArgv(__filename), siblingEntry(__filename, 'replyStub')];
}

/**
 * Starts the stub and answers once it has printed its port. Rejects with one line if it exits first
 * (a table it refuses: its own line from stderr).
 */
export async function startReplyStub(replies: ReplyTable): Promise<ReplyStub> {
  const child = spawn(process.execPath, replyStubArgs(), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A stub that has exited answers its pending lines with why; a write to its stdin then is moot.
  child.stdin.on('error', () => undefined);
  let ended: Error | null = null;
  const waiting: Array<{ resolve(line: string): void; reject(error: Error): void }> = [];
  const closed = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      ended = new Error(`the reply stub exited (${code ?? signal}): ${stderr.trim().split('\n')[0] ?? ''}`);
      for (const waiter of waiting.splice(0)) waiter.reject(ended);
      resolve();
    }),
  );
  child.once('error', (error) => {
    ended = new Error(`the reply stub could not be started: ${error.message}`);
    for (const waiter of waiting.splice(0)) waiter.reject(ended);
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line.trim()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => (ended ? reject(ended) : waiting.push({ resolve, reject })));

  const portLine = nextLine();
  child.stdin.write(`${JSON.stringify(replies)}\n`);
  let port: number;
  try {
    const line = await portLine;
    if (!/^\d+$/.test(line)) throw new Error(`the reply stub printed ${JSON.stringify(line)} for its port`);
    port = Number(line);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    channelUrl: `ws://127.0.0.1:${port}${DEVICE_CHANNEL_PATH}`,
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
