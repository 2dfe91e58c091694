import { z } from 'zod';
import { isStagesimError } from '../../../agent/errors';
import { backendOptionsSchema } from '../../backend/options';
import { boundHeapGrowth } from '../../backend/heapGrowth';
import { withDefault } from '../schemaDefaults';
import { trustInstructions } from '../../backend/tls/serverTls';
import { UsageError } from '../exit';
import { addTlsOptions, flagOf, tlsFrom } from '../sharedOptions';
import type { RegisterCommand } from './index';

/** The flags as typed; what they leave out, backendOptionsSchema fills in (and help says so). */
const optionsSchema = z.object({
  host: z.string().min(1).optional(),
  port: z
    .string()
    .regex(/^\d{1,5}$/, 'a port number from 0 to 65535')
    .transform(Number)
    .refine((port) => port <= 65535, 'a port number from 0 to 65535')
    .optional(),
  db: z.string().min(1).optional(),
  adminKey: z.string().optional(),
  timeZone: z.string().min(1).optional(),
  tenantDomains: z.string().min(1).optional(),
});

/** Codes startBackend uses for input it cannot run with: one line, exit 2. */
const BAD_INPUT = new Set([
  'BACKEND_OPTIONS_INVALID',
  'ADMIN_KEY_REQUIRED',
  'INVALID_TIME_ZONE',
  'NAME_TEMPLATE_INVALID',
  'DB_OPEN_FAILED',
  'LISTEN_FAILED',
  'TLS_CA_INVALID',
  'TLS_CERT_INVALID',
]);

export const registerBackend: RegisterCommand = (program) => {
  const command = program
    .command('backend')
    .description(
      'run the mock Intune backend (Graph-shaped admin API and the device channel) until SIGINT or SIGTERM',
    )
    .option(
      '--host <host>',
      withDefault(
        'interface to listen on; anything but loopback needs an admin key',
        backendOptionsSchema,
        'host',
      ),
    )
    .option(
      '--port <port>',
      withDefault('port to listen on (0 picks a free one)', backendOptionsSchema, 'port'),
    )
    .option(
      '--db <file>',
      withDefault('SQLite database file to keep everything in', backendOptionsSchema, 'dbPath').replace(
        '(default :memory:)',
        '(default: in memory)',
      ),
    )
    .option(
      '--admin-key <key>',
      'require "Authorization: Bearer <key>" on admin calls (or set STAGESIM_ADMIN_KEY)',
    )
    .option(
      '--time-zone <zone>',
      withDefault('IANA time zone of the dates in device names', backendOptionsSchema, 'timeZone'),
    )
    .option(
      '--tenant-domains <domains>',
      withDefault(
        'comma-separated domains whose accounts can sign in',
        backendOptionsSchema,
        'tenantDomains',
      ),
    )
    .action(async (raw: Record<string, unknown>) => {
      const parsed = optionsSchema.safeParse({
        ...raw,
        adminKey: raw.adminKey ?? process.env.STAGESIM_ADMIN_KEY ?? undefined,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new UsageError(`${flagOf(issue.path[0])}: expected ${issue.message}`);
      }
      const options = parsed.data;
      // Loaded here, not to register: `stagesim backend --help` and a malformed flag start no server.
      const { startBackend } = await import('../../backend/server');
      boundHeapGrowth();
      let backend;
      try {
        const tls = tlsFrom(raw, options.host ?? backendOptionsSchema.shape.host.parse(undefined))?.server;
        backend = await startBackend({
          ...(tls ? { tls } : {}),
          ...(options.host !== undefined ? { host: options.host } : {}),
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(options.db !== undefined ? { dbPath: options.db } : {}),
          ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
          ...(options.tenantDomains
            ? { tenantDomains: options.tenantDomains.split(',').map((domain) => domain.trim()) }
            : {}),
          ...(options.adminKey ? { adminKey: options.adminKey } : {}),
          log: (line) => process.stderr.write(`stagesim backend: ${line}\n`),
        });
      } catch (error) {
        if (isStagesimError(error) && BAD_INPUT.has(error.code)) throw new UsageError(error.message);
        throw error;
      }
      process.stdout.write(
        `stagesim backend listening on ${backend.url} (devices: ${backend.channelUrl}, metrics: ${backend.url}/metrics)\n`,
      );
      const caPath = backend.options.tls?.caPath;
      if (caPath) process.stdout.write(`${trustInstructions(caPath).join('\n')}\n`);
      process.stdout.write(`stagesim backend: admin console at ${backend.consoleUrl}\n`);

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const stop = (received: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(received);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await backend.close();
      process.stderr.write(`stagesim backend: ${signal}, closed\n`);
    });
  addTlsOptions(command, 'serve', 'its path and how to trust it are printed');
};
