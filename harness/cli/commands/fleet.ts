import { z } from 'zod';
import { isStagesimError, oneLine } from '../../../agent/errors';
import {
  EMBEDDED_PROFILE,
  fleetFlowSchema,
  fleetModeSchema,
  fleetOptionsSchema,
  fleetProvisioningSchema,
  type FleetOptions,
} from '../../fleet/options';
import type { FleetHooks } from '../../fleet/runFleet';
import type { FleetSummary } from '../../fleet/summary';
import { EXIT_FAILED, EXIT_OK, printErrorLine, UsageError } from '../exit';
import { withDefault } from '../schemaDefaults';
import { addTlsOptions, embeddedTlsFrom, flagOf, printLocalCa } from '../sharedOptions';
import type { RegisterCommand } from './index';

/**
 * stagesim fleet: N simulated devices through device staging against the embedded backend or a running
 * one, with throughput, latency and memory figures. Exit 0 when every device made it, 1 when one did not
 * (the reasons are counted), 2 for bad input.
 */
const digits = (what: string) => z.string().regex(/^\d+$/, `expected ${what}`).transform(Number);

const flagsSchema = z.object({
  devices: digits('a whole number of devices'),
  concurrency: digits('a whole number').optional(),
  workers: digits('a whole number').optional(),
  flow: z.string().optional(),
  mode: z.string().optional(),
  until: z.string().optional(),
  provisioning: z.string().optional(),
  backend: z.string().optional(),
  profile: z.string().optional(),
  adminKey: z.string().optional(),
  embedded: z.string().optional(),
  domain: z.string().optional(),
  shard: z.string().optional(),
  serialPrefix: z.string().optional(),
  db: z.string().optional(),
  json: z.boolean().optional(),
  metricsPort: digits('a port number (0 for any free one)')
    .pipe(z.number().max(65535, 'expected a port number up to 65535'))
    .optional(),
});

/** Codes of a fleet that could not be set up because of what it was given. */
const BAD_INPUT = new Set([
  'PROFILE_NOT_FOUND',
  'PROFILE_MISMATCH',
  'PROFILE_HAS_NO_TOKEN',
  'BACKEND_UNREACHABLE',
  'ADMIN_API_ERROR',
  'DB_OPEN_FAILED',
]);

export function parseFleetFlags(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): FleetOptions & { json: boolean; metricsPort?: number } {
  if (raw.devices === undefined)
    throw new UsageError('--devices: expected the number of devices (--devices N)');
  const flags = flagsSchema.safeParse(raw);
  if (!flags.success) {
    const issue = flags.error.issues[0]!;
    throw new UsageError(`${flagOf(issue.path[0] ?? 'devices')}: ${oneLine(issue.message)}`);
  }
  const { json, metricsPort, ...rest } = flags.data;
  const adminKey =
    rest.adminKey ??
    (rest.backend !== undefined && env.STAGESIM_ADMIN_KEY ? env.STAGESIM_ADMIN_KEY : undefined);
  const parsed = fleetOptionsSchema.safeParse({
    ...dropUndefined(rest),
    ...(adminKey === undefined ? {} : { adminKey }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${flagOf(issue.path[0] ?? 'devices')}: ${oneLine(issue.message)}`);
  }
  // Once the rest is known to be good: the local CA is made on first use.
  const tls = embeddedTlsFrom(raw);
  return {
    ...parsed.data,
    ...(tls ? { tls } : {}),
    json: json === true,
    ...(metricsPort === undefined ? {} : { metricsPort }),
  };
}

function dropUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const registerFleet: RegisterCommand = (program) => {
  const command = program
    .command('fleet')
    .description(
      'put a fleet of simulated devices through device staging and measure throughput, latency and memory',
    )
    .option('--devices <n>', 'how many devices (each with its own serial number and connection)')
    .option('--concurrency <n>', withDefault('devices in flight at once', fleetOptionsSchema, 'concurrency'))
    .option(
      '--flow <flow>',
      `token of the profile the fleet creates: ${fleetFlowSchema.options.join(' or ')} (default ${EMBEDDED_PROFILE.flow})`,
    )
    .option(
      '--mode <mode>',
      `enrollment mode of that profile: ${fleetModeSchema.options.join(' or ')} (default ${EMBEDDED_PROFILE.mode})`,
    )
    .option(
      '--until <stage>',
      withDefault(
        'stop after stage 2 (staged: userless, Staging_ names) or go on to enrolled',
        fleetOptionsSchema,
        'until',
      ),
    )
    .option(
      '--provisioning <how>',
      `how each device gets its token: ${fleetProvisioningSchema.options.join(', ')} (default ${fleetOptionsSchema.shape.provisioning.def.defaultValue}); zero-touch and kme register every device with the token's exported JSON (kme: Samsung devices)`,
    )
    .option('--backend <url>', 'a running `stagesim backend` instead of the embedded one (with --profile)')
    .option('--profile <id>', 'the enrollment profile whose current token the devices scan (with --backend)')
    .option('--admin-key <key>', "the running backend's admin key (or STAGESIM_ADMIN_KEY)")
    .option(
      '--workers <n>',
      withDefault('spread the devices over this many threads', fleetOptionsSchema, 'workers'),
    )
    .option(
      '--embedded <where>',
      withDefault(
        'run the embedded backend in a child process (child) or in this one (inline)',
        fleetOptionsSchema,
        'embedded',
      ),
    )
    .option(
      '--domain <domain>',
      withDefault('tenant domain of the users who sign in', fleetOptionsSchema, 'domain'),
    )
    .option(
      '--shard <i/n>',
      'run part i (0 to n-1, e.g. $JOB_COMPLETION_INDEX) of n of the fleet of --devices, against the shared --backend',
    )
    .option('--serial-prefix <prefix>', 'serial numbers are PREFIX-000001 and on (default: random per run)')
    .option('--db <file>', "the embedded backend's SQLite file (default in memory)")
    .option('--json', 'print one JSON object with the figures instead of text')
    .option(
      '--metrics-port <port>',
      "serve the fleet's Prometheus metrics at http://127.0.0.1:PORT/metrics while it runs (0: any free port)",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseFleetFlags(raw);
      printLocalCa('stagesim fleet', options.tls);
      // Loaded here, not with the CLI: the fleet's device table is computed when its module loads,
      // which every other command (stagesim run, model, ...) would pay for at start-up.
      const [{ runFleet }, { FleetMetrics, serveMetrics }, { SingleBar }] = await Promise.all([
        import('../../fleet/runFleet'),
        import('../../fleet/fleetMetrics'),
        import('cli-progress'),
      ]);
      const showBar = !options.json && Boolean(process.stdout.isTTY);
      const bar = showBar
        ? new SingleBar({
            format: 'fleet [{bar}] {value}/{total} devices · {failed} failed · {rate}/s · {duration}s',
            hideCursor: true,
          })
        : null;
      let started = 0;
      const metrics = options.metricsPort === undefined ? null : new FleetMetrics(options.devices);
      const endpoint = metrics
        ? await serveMetrics(metrics.registry, options.metricsPort!).catch((error: unknown) => {
            // A port already taken is what the user asked for: bad input, one line.
            throw isStagesimError(error) ? new UsageError(error.message) : error;
          })
        : null;
      // On stderr, so that --json output stays one JSON object.
      if (endpoint) process.stderr.write(`stagesim fleet: metrics at ${endpoint.url}\n`);
      const live = metrics?.hooks();
      const hooks: FleetHooks = {
        onStart: (plan) => {
          if (!options.json) {
            const where = plan.embedded
              ? `embedded backend (${plan.embedded === 'child' ? 'child process' : 'in this process'})`
              : 'backend';
            process.stdout.write(
              `stagesim fleet: ${options.devices} devices with profile "${plan.profileName}" on the ${where} at ${plan.url}, serials ${plan.serialPrefix}-…\nstagesim fleet: admin console at ${new URL('/', plan.url).href}\n`,
            );
          } else {
            // On stderr, so that --json output stays one JSON object.
            process.stderr.write(`stagesim fleet: admin console at ${new URL('/', plan.url).href}\n`);
          }
          started = Date.now();
          bar?.start(options.devices, 0, { failed: 0, rate: 0 });
        },
        ...(live ? { onLatencies: live.onLatencies } : {}),
        onProgress: (progress) => {
          live?.onProgress(progress);
          const done = progress.succeeded + progress.failed;
          const seconds = (Date.now() - started) / 1000;
          bar?.update(done, { failed: progress.failed, rate: seconds > 0 ? Math.round(done / seconds) : 0 });
        },
      };
      let summary: FleetSummary;
      try {
        summary = await runFleet(options, hooks);
      } catch (error) {
        bar?.stop();
        if (isStagesimError(error) && BAD_INPUT.has(error.code)) throw new UsageError(error.message);
        // The backend went away for good: one line naming it and how far the fleet got, exit 1.
        if (isStagesimError(error, 'BACKEND_LOST')) {
          printErrorLine('stagesim fleet', error.message);
          process.exitCode = EXIT_FAILED;
          return;
        }
        throw error;
      } finally {
        bar?.stop();
        await endpoint?.close();
      }
      process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary));
      process.exitCode = summary.failed === 0 ? EXIT_OK : EXIT_FAILED;
    });
  addTlsOptions(command, 'the embedded backend serves');
};

function describe(summary: FleetSummary): string {
  const lines = [
    `${summary.succeeded} of ${summary.devices} devices ${summary.until === 'staged' ? 'staged' : 'enrolled'} (${summary.flow}, ${summary.mode}), ${summary.failed} failed`,
    ...(summary.shard
      ? [
          `shard ${summary.shard.index}/${summary.shard.count} of a fleet of ${summary.shard.fleetDevices}: devices ${summary.serialPrefix}-${summary.shard.firstDevice} to ${summary.shard.firstDevice + summary.devices - 1}`,
        ]
      : []),
    `wall ${(summary.wallMs / 1000).toFixed(2)} s, ${summary.devicesPerSecond} devices/s, ${summary.concurrency} at a time on ${summary.workers} thread${summary.workers === 1 ? '' : 's'}`,
    `latency of stage transitions (ms): p50 ${summary.latencyMs.p50 ?? '-'}, p95 ${summary.latencyMs.p95 ?? '-'}, p99 ${summary.latencyMs.p99 ?? '-'}`,
    `peak memory: fleet ${summary.peakRssMb} MB${summary.backendPeakRssMb === null ? '' : `, backend ${summary.backendPeakRssMb} MB`}`,
  ];
  const reasons = Object.entries(summary.failures).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0)
    lines.push(`failures: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
