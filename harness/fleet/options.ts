import { z } from 'zod';
import { embeddedTlsSchema } from '../backend/tls/serverTls';
import { shardRange } from './shardRange';

/**
 * What a fleet run is asked to do. The CLI parses its flags into this (one line and exit 2 on the
 * first bad one); runFleet takes it as it is, so a benchmark or a test asks for exactly what a user can.
 */
export const fleetFlowSchema = z.enum(['staging', 'default']);
export const fleetModeSchema = z.enum(['fullyManaged', 'workProfile']);
/**
 * How each device gets its token: scanning the profile's QR code, or from a zero-touch or Knox Mobile
 * Enrollment configuration holding the token's exported JSON, found on first boot with a network.
 */
export const fleetProvisioningSchema = z.enum(['qr', 'zero-touch', 'kme']);
export type FleetProvisioning = z.infer<typeof fleetProvisioningSchema>;
export type FleetFlow = z.infer<typeof fleetFlowSchema>;
export type FleetMode = z.infer<typeof fleetModeSchema>;

export const MAX_FLEET_DEVICES = 1_000_000;

/** The profile the embedded backend gets when neither --flow nor --mode names another (the document's main flow). */
export const EMBEDDED_PROFILE = { flow: 'staging', mode: 'fullyManaged' } as const satisfies {
  flow: FleetFlow;
  mode: FleetMode;
};

/**
 * `--shard i/n`: this process runs part i (0 to n-1, Kubernetes' JOB_COMPLETION_INDEX) of n of a fleet of
 * `devices`; the parts of all n processes make up the fleet, every device in exactly one of them.
 */
export const shardSchema = z
  .string()
  .regex(/^\d+\/\d+$/, 'i/n: part i (from 0) of n, such as 0/4')
  .transform((text) => {
    const [index, count] = text.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((shard) => shard.count >= 1 && shard.count <= 10_000, 'i/n: n from 1 to 10000')
  .refine((shard) => shard.index < shard.count, 'i/n: i from 0 to n-1 (a Job completion index)');
export type Shard = z.output<typeof shardSchema>;

export const fleetOptionsSchema = z
  .object({
    devices: z
      .number()
      .int()
      .min(1, 'at least 1 device')
      .max(MAX_FLEET_DEVICES, `at most ${MAX_FLEET_DEVICES.toLocaleString('en-US')} devices`),
    /** Devices in flight at once, over all workers. */
    concurrency: z
      .number()
      .int()
      .min(1, 'at least 1 device at a time')
      .max(10_000, 'at most 10,000 devices at a time')
      .default(64),
    /** Which token the embedded backend's profile gets; with --profile, the profile's own (given: must match). */
    flow: fleetFlowSchema.optional(),
    mode: fleetModeSchema.optional(),
    until: z.enum(['staged', 'enrolled']).default('enrolled'),
    provisioning: fleetProvisioningSchema.default('qr'),
    /** A running `stagesim backend`; without it the fleet starts the embedded one. */
    backend: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:3000' })
      .optional(),
    profile: z.string().min(1).max(200).optional(),
    adminKey: z.string().min(1).max(512).optional(),
    /** Worker threads the devices are spread over (the main thread only starts them and counts). */
    workers: z
      .number()
      .int()
      .min(1, 'at least 1 worker thread')
      .max(64, 'at most 64 worker threads')
      .default(1),
    /**
     * Where the embedded backend runs: in a child process of its own (the default: on a machine with
     * two cores the devices and the backend then each have one), or inline in this process.
     */
    embedded: z.enum(['child', 'inline']).default('child'),
    /** Part of a fleet shared out over several processes (with --backend: they share one backend). */
    shard: shardSchema.optional(),
    /**
     * Serial numbers are `${prefix}-000001` and on: random per run unless given. Shards of one fleet may
     * share a prefix (their device numbers never overlap) or each have their own.
     */
    serialPrefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,23}$/, 'upper-case letters and digits, 2 to 24, starting with a letter')
      .optional(),
    /** SQLite file of the embedded backend (in memory without it); memory then stays bounded at any size. */
    db: z.string().min(1).optional(),
    /** TLS the embedded backend serves (--tls, --tls-cert); the fleet's clients trust its CA. */
    tls: embeddedTlsSchema.optional(),
    /** The tenant domain of the users who sign in (the embedded backend's is contoso.com). */
    domain: z
      .string()
      .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'a domain such as contoso.com')
      .default('contoso.com'),
  })
  .superRefine((options, context) => {
    if ((options.backend === undefined) !== (options.profile === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [options.backend === undefined ? 'backend' : 'profile'],
        message: '--backend and --profile go together',
      });
    }
    if (options.backend === undefined && options.adminKey !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['adminKey'],
        message: 'an admin key is for a running backend (--backend)',
      });
    }
    if (options.backend !== undefined && options.db !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['db'],
        message:
          "a database file is for the embedded backend; a running backend has its own (--db of 'stagesim backend')",
      });
    }
    if (options.backend !== undefined && options.tls !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['tls'],
        message:
          "TLS is for the embedded backend; a running backend serves its own (--tls of 'stagesim backend')",
      });
    }
    if (options.shard !== undefined && options.backend === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['shard'],
        message: 'the shards of a fleet share one running backend: give --backend and --profile',
      });
    }
    if (options.shard !== undefined && options.shard.count > options.devices) {
      context.addIssue({
        code: 'custom',
        path: ['shard'],
        message: `more shards (${options.shard.count}) than devices (${options.devices})`,
      });
    }
    const here = shardRange(options.devices, options.shard).size;
    if (options.workers > here) {
      context.addIssue({
        code: 'custom',
        path: ['workers'],
        message: `more workers (${options.workers}) than devices (${here}${options.shard ? ' in this shard' : ''})`,
      });
    }
  });

export type FleetOptionsInput = z.input<typeof fleetOptionsSchema>;
export type FleetOptions = z.output<typeof fleetOptionsSchema>;

/**
 * A fleet as its schema has it when only its size is given (its concurrency, domain, provisioning and
 * until): the bench makes and walks its devices as such a fleet does.
 */
export const FLEET_DEFAULTS: FleetOptions = fleetOptionsSchema.parse({ devices: 1 });
