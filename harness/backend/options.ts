import { isIP } from 'node:net';
import { z } from 'zod';
import { StagesimError, oneLine } from '../../agent/errors';
import type { BeforeReply } from './channel/ChannelServer';
import { Clock } from './clock';
import { DEFAULT_NAME_TEMPLATES, checkNameTemplates, checkTimeZone } from './naming';
import { DEFAULT_DEVICE_CACHE_SIZE } from './store/repository';

/** Graph's accountId of every simulated profile unless the options name another tenant. */
export const DEFAULT_ACCOUNT_ID = '5e1f0b6a-5a7e-4a9e-9d2c-000000000001';

const rateLimitSchema = z.object({
  maxFailures: z.number().int().min(1).max(1_000_000),
  windowMs: z.number().int().min(1),
});

export const backendOptionsSchema = z.object({
  /** Interface to listen on; anything but loopback needs an admin key. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests, in-process harness). */
  port: z.number().int().min(0).max(65535).default(0),
  /** SQLite file; ':memory:' keeps nothing after close. */
  dbPath: z.string().min(1).default(':memory:'),
  /** SQLite synchronous for a file database: both survive kill -9; only 'normal' survives power loss. */
  dbSynchronous: z.enum(['normal', 'off']).default('normal'),
  /**
   * Device records the backend keeps in memory, least recently used out first; the rest are read from
   * SQLite when a device comes back. Memory stays bounded however many devices enroll.
   */
  deviceCacheSize: z.number().int().min(1).max(10_000_000).default(DEFAULT_DEVICE_CACHE_SIZE),
  adminKey: z.string().min(16, 'the admin key must have at least 16 characters').max(512).optional(),
  /** IANA time zone of the dates and times in device names. */
  timeZone: z.string().min(1).default('UTC'),
  nameTemplates: z
    .object({ staged: z.string(), adminProvisioned: z.string(), enrolled: z.string() })
    .partial()
    .default({})
    .transform((templates) => ({ ...DEFAULT_NAME_TEMPLATES, ...templates })),
  accountId: z.string().min(1).default(DEFAULT_ACCOUNT_ID),
  /**
   * The tenant's domains: a sign-in with an account of any other domain is refused as accountNotFound.
   * contoso.com is the example tenant of Microsoft's documentation (and of john@contoso.com).
   */
  tenantDomains: z
    .array(z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'a domain such as contoso.com'))
    .min(1)
    .default(['contoso.com'])
    .transform((domains) => domains.map((domain) => domain.toLowerCase())),
  /** Largest admin request body; bigger ones are answered 413. */
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  /** Failed token redemptions (backend clock) before 'rateLimited', per device connection and per serial number. */
  redemptionLimit: rateLimitSchema.default({ maxFailures: 5, windowMs: 60_000 }),
  /** Wrong admin keys per remote address (wall clock) before 429. */
  adminAuthLimit: rateLimitSchema.default({ maxFailures: 10, windowMs: 60_000 }),
  /**
   * Serve the admin API over HTTPS and the device channel over WSS with this certificate and key (PEM);
   * tls/serverTls.ts makes them from the local CA or reads the user's. caPath is printed for users.
   */
  tls: z
    .object({ cert: z.string().min(1), key: z.string().min(1), caPath: z.string().optional() })
    .optional(),
  clock: z.instanceof(Clock).optional(),
  /** One line per notable event (start, token changes masked, clock moves); nothing per device message. */
  log: z
    .custom<(line: string) => void>((value) => typeof value === 'function', 'expected a function')
    .optional(),
  /** Fault injection for harnesses: drop a device connection instead of replying. */
  beforeReply: z
    .custom<BeforeReply>((value) => typeof value === 'function', 'expected a function')
    .optional(),
});

export type BackendOptions = z.input<typeof backendOptionsSchema>;
export type ResolvedBackendOptions = z.output<typeof backendOptionsSchema>;

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return /^::ffff:127\./.test(bare);
}

/**
 * Checks the options as a whole; throws StagesimError with one line:
 * BACKEND_OPTIONS_INVALID, ADMIN_KEY_REQUIRED, INVALID_TIME_ZONE or NAME_TEMPLATE_INVALID.
 */
export function resolveBackendOptions(input: BackendOptions): ResolvedBackendOptions {
  const parsed = backendOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StagesimError(
      'BACKEND_OPTIONS_INVALID',
      `backend option ${issue.path.map(String).join('.') || ''}: ${oneLine(issue.message)}`,
    );
  }
  const options = parsed.data;
  if (!isLoopbackHost(options.host) && options.adminKey === undefined) {
    throw new StagesimError(
      'ADMIN_KEY_REQUIRED',
      `listening on ${options.host} (not loopback) needs an admin key (--admin-key)`,
    );
  }
  checkTimeZone(options.timeZone);
  checkNameTemplates(options.nameTemplates);
  return options;
}
