import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import { startServerProcess } from './serverProcess';

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
  /** CPU time (user + system) per device of the clients (this process) and of the echo server. */
  cpuMsPerDevice: { client: number; server: number };
}

export async function runWsBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const server = await startServerProcess('the echo server', [
    ...sourceExecArgv(__filename),
    siblingEntry(__filename, 'wsEchoServer'),
  ]);
  try {
    const url = `ws://127.0.0.1:${server.port}`;
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
        socket.on('close', () =>
          left === 0 ? resolve() : reject(new Error('the echo server closed a connection early')),
        );
        socket.on('error', reject);
      });
    let next = 0;
    const lane = async () => {
      while (next < options.devices) {
        next += 1;
        await device();
      }
    };
    const serverBefore = await server.cpuMs();
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.devices) }, lane));
    const wallMs = performance.now() - started;
    const client = process.cpuUsage(clientBefore);
    const serverMs = (await server.cpuMs()) - serverBefore;
    return {
      ...options,
      wallMs,
      devicesPerSecond: (options.devices / wallMs) * 1000,
      cpuMsPerDevice: {
        client: (client.user + client.system) / 1000 / options.devices,
        server: serverMs / options.devices,
      },
    };
  } finally {
    await server.stop();
  }
}
