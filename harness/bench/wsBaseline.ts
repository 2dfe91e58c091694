import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';

/**
 * The raw limit of this machine for a fleet's traffic: `devices` WebSocket connections on loopback to a
 * plain ws echo server in its own process, `concurrency` at a time, each sending `roundTrips` messages
 * of `messageBytes` one after another (each waits for its echo) and then closing. No device, no JSON, no
 * database: what is left is the cost of connections and frames, which a fleet cannot go below.
 */
export interface BaselineOptions {
  devices: number;
  roundTrips: number;
  messageBytes: number;
  concurrency: number;
}

export interface BaselineResult extends BaselineOptions {
  wallMs: number;
  devicesPerSecond: number;
}

export async function runWsBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const server = spawn(process.execPath, [...sourceExecArgv(__filename), siblingEntry(__filename, 'wsEchoServer')], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      server.once('exit', (code) => reject(new Error(`the echo server exited (${code})`)));
    });
    const url = `ws://127.0.0.1:${port}`;
    const payload = 'x'.repeat(options.messageBytes);
    const device = () =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(url, { perMessageDeflate: false });
        let left = options.roundTrips;
        socket.on('open', () => socket.send(payload));
        socket.on('message', () => {
          left -= 1;
          if (left > 0) socket.send(payload);
          else socket.close();
        });
        socket.on('close', () => (left === 0 ? resolve() : reject(new Error('the echo server closed a connection early'))));
        socket.on('error', reject);
      });
    let next = 0;
    const lane = async () => {
      while (next < options.devices) {
        next += 1;
        await device();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.devices) }, lane));
    const wallMs = performance.now() - started;
    return { ...options, wallMs, devicesPerSecond: (options.devices / wallMs) * 1000 };
  } finally {
    server.stdin.end();
    server.kill();
  }
}
