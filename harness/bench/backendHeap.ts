import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startBackend } from '../backend/server';
import type { SqliteStore } from '../backend/store/SqliteStore';
import { AdminClient } from '../world/AdminClient';
import { EnrollmentWorld } from '../world/EnrollmentWorld';

/**
 * The backend's live heap as devices accumulate: the backend in this process, `devices` raw channel
 * connections (64 at a time) that each say hello, redeem the profile's token and record stage 2, and
 * every 10,000 devices a full collection (needs --expose-gc) and the heap, resident memory and device
 * cache after it. The raw clients share the process, so resident memory here is theirs too; the heap
 * after a full collection is what the backend keeps.
 *
 *   node --expose-gc dist/harness/bench/backendHeap.js [devices=50000] [dbFile=:memory:]
 */
async function main(devices: number, dbPath: string): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  const backend = await startBackend({ dbPath });
  try {
    const profile = await new EnrollmentWorld(new AdminClient(backend.url), 'Heap bench').profileFor({
      tokenType: 'deviceStaging',
      mode: 'corporateOwnedFullyManaged',
    });
    const token = profile.tokenValue!;
    const device = (index: number) =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(backend.channelUrl, { perMessageDeflate: false });
        const messages = [
          {
            type: 'hello',
            requestId: 'h',
            device: {
              serialNumber: `HEAP-${index}`,
              manufacturer: 'Google',
              model: 'Pixel 8',
              osVersion: '14',
            },
          },
          { type: 'redeemToken', requestId: 'r', token, method: 'qr' },
          { type: 'completeStage', requestId: 's', stage: 'staged' },
        ];
        let sent = 0;
        socket.on('open', () => socket.send(JSON.stringify(messages[sent++])));
        socket.on('message', (data) => {
          const reply = JSON.parse(data.toString()) as { type: string };
          if (reply.type === 'error' || reply.type === 'tokenRejected')
            reject(new Error(`device ${index}: ${data.toString()}`));
          else if (sent < messages.length) socket.send(JSON.stringify(messages[sent++]));
          else socket.close();
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    const started = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < devices) {
        const index = next;
        next += 1;
        await device(index);
        if ((index + 1) % 10_000 === 0) {
          collect();
          const memory = process.memoryUsage();
          process.stdout.write(
            `${index + 1} devices (${((performance.now() - started) / 1000).toFixed(1)} s): heap after a full collection ${mb(memory.heapUsed)} MB, resident ${mb(memory.rss)} MB, device cache ${JSON.stringify((backend.store as SqliteStore).deviceCacheStats())}\n`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
  } finally {
    await backend.close();
  }
}

if (require.main === module) {
  main(Number(process.argv[2] ?? 50_000), process.argv[3] ?? ':memory:').catch((error: unknown) => {
    process.stderr.write(`backendHeap: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
