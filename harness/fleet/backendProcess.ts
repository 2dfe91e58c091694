import { z } from 'zod';
import { startBackend } from '../backend/server';

/**
 * Entry of the embedded backend's child process (see embeddedBackend.ts): starts the backend on a free
 * loopback port, tells the parent its URL over IPC, answers its peak memory when asked, and closes when
 * told to or when the parent goes away, so a fleet that dies leaves no backend behind.
 */
const requestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('close') }),
]);

export type BackendProcessMessage =
  | { type: 'ready'; url: string }
  | { type: 'stats'; peakRssMb: number; cpuMs: number }
  | { type: 'failed'; message: string };

function tell(message: BackendProcessMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  let backend;
  try {
    backend = await startBackend();
  } catch (error) {
    tell({ type: 'failed', message: (error as Error).message });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  const running = backend;
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await running.close();
    process.disconnect?.();
  };
  process.on('message', (raw) => {
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) return;
    if (parsed.data.type === 'stats') {
      const cpu = process.cpuUsage();
      tell({
        type: 'stats',
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
    } else void close();
  });
  process.on('disconnect', () => void close());
  tell({ type: 'ready', url: running.url });
}

if (require.main === module) void main();
