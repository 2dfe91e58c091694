import { z } from 'zod';
import { isStagesimError } from '../../agent/errors';
import { backendOptionsSchema } from '../backend/options';
import { boundHeapGrowth } from '../backend/heapGrowth';
import { startBackend } from '../backend/server';

/**
 * Entry of the embedded backend's child process (see embeddedBackend.ts): starts the backend on a free
 * loopback port as the parent's first message says, tells the parent its URL over IPC, answers its peak memory when asked, and closes when
 * told to or when the parent goes away, so a fleet that dies leaves no backend behind.
 */
const requestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('close') }),
]);

/**
 * What the parent may choose about the embedded backend, sent as its first message: over IPC rather than
 * on the command line, where other users of the machine could read a TLS key.
 */
export const embeddedBackendOptionsSchema = z
  .object({ dbPath: z.string().min(1).optional(), tls: backendOptionsSchema.shape.tls })
  .strict();
export type EmbeddedBackendOptions = z.infer<typeof embeddedBackendOptionsSchema>;
const startSchema = z.object({ type: z.literal('start'), options: embeddedBackendOptionsSchema });
export type StartMessage = z.input<typeof startSchema>;

export type BackendProcessMessage =
  | { type: 'ready'; url: string }
  | { type: 'stats'; peakRssMb: number; cpuMs: number }
  /** `code`: the StagesimError code when there is one (DB_OPEN_FAILED: the --db file cannot be used). */
  | { type: 'failed'; message: string; code: string | null };

function tell(message: BackendProcessMessage): void {
  if (process.connected) process.send?.(message);
}

/** The parent may be gone already (it was killed): disconnecting twice is an error event, not a no-op. */
function leave(): void {
  if (process.connected) process.disconnect?.();
}

async function main(): Promise<void> {
  // Listening before anything is awaited: a message that arrives with no listener is lost.
  const start = new Promise<unknown>((resolve) => process.once('message', resolve));
  boundHeapGrowth();
  let backend;
  try {
    const { options } = startSchema.parse(await start);
    backend = await startBackend(options);
  } catch (error) {
    tell({
      type: 'failed',
      message: (error as Error).message,
      code: isStagesimError(error) ? error.code : null,
    });
    process.exitCode = 1;
    leave();
    return;
  }
  const running = backend;
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await running.close();
    leave();
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
