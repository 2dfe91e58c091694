import { z } from 'zod';
import type { ChannelTraffic } from '../../agent/channel/DeviceChannelClient';
import { percentilesOf } from '../statistics/percentile';
import { LEDGER_TRANSITIONS, TRANSITION_KINDS, type TransitionKind } from './fleetDevice';
import { LatencyHistogram } from '../statistics/latencyHistogram';
import type { ShardResult } from './runShard';
import { fleetProvisioningSchema } from './options';

/**
 * The figures of a fleet run, as `stagesim fleet --json` prints them.
 *
 * Latency is what each device saw: for every stage transition the backend records for it, the time
 * from the device entering the progress screen that asks for the transition to the device taking the
 * backend's answer (performance.now() in the device's own thread, taken when its model changes state).
 * tokenCreated is the checking-token screen (the device's hello on first contact plus the token
 * redemption), staged or adminProvisioned the enrollment-in-progress screen of stage 2, enrolled that of
 * stage 3. latencyMs is over all of those samples; latencyByTransitionMs has each kind apart, plus
 * signIn (the checking-info screen before stage 3 enrolls). Percentiles are nearest-rank, read from a
 * histogram of fixed size (statistics/latencyHistogram.ts: exact below 2.048 ms, within 0.1 % above), so
 * a fleet's memory for them does not grow with its devices; null when there are no samples.
 */
const percentile = z.number().nullable();
export const percentilesSchema = z.object({ p50: percentile, p95: percentile, p99: percentile });
export const transitionLatencySchema = percentilesSchema.extend({ count: z.number().int() });

export const fleetSummarySchema = z.object({
  devices: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** Why devices failed: the reason (an error screen's reason, or an error code) and how many. */
  failures: z.record(z.string(), z.number().int()),
  /** From the first device starting to the last one finishing (backend start and stage 1 not counted). */
  wallMs: z.number(),
  devicesPerSecond: z.number(),
  latencyMs: percentilesSchema,
  latencyByTransitionMs: z.record(z.enum(TRANSITION_KINDS), transitionLatencySchema),
  /** Peak resident memory of the fleet process (its worker threads included). */
  peakRssMb: z.number(),
  /** Peak resident memory of the embedded backend's child process; null when there is none. */
  backendPeakRssMb: z.number().nullable(),
  /**
   * CPU time (user and system) per device while the devices ran: of the fleet process (all its threads,
   * the inline backend included) and of the embedded backend's child process (null without one).
   */
  cpuMsPerDevice: z.object({ fleet: z.number(), backend: z.number().nullable() }),
  /** What went over the device channel, per device and per message (both directions, resends included). */
  channel: z.object({ messagesPerDevice: z.number(), bytesPerMessage: z.number() }),
  flow: z.string(),
  mode: z.string(),
  until: z.enum(['staged', 'enrolled']),
  provisioning: fleetProvisioningSchema,
  backend: z.object({ url: z.string(), embedded: z.enum(['child', 'inline']).nullable() }),
  profileId: z.string(),
  serialPrefix: z.string(),
  /**
   * This process's part of a fleet shared out with --shard: part `index` of `count` of a fleet of
   * `fleetDevices`, from device number `firstDevice` (`devices` of them); null when it ran the whole fleet.
   */
  shard: z
    .object({
      index: z.number().int(),
      count: z.number().int(),
      fleetDevices: z.number().int(),
      firstDevice: z.number().int(),
    })
    .nullable(),
  /** The embedded backend's SQLite database (a file with --db, else ':memory:'); null with --backend. */
  database: z.string().nullable(),
  concurrency: z.number().int(),
  workers: z.number().int(),
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;
export type Percentiles = z.infer<typeof percentilesSchema>;

/** The fleet's percentiles of `samples` (nearest rank), in milliseconds to two decimals. */
export function percentiles(samples: ArrayLike<number>): Percentiles {
  const at = percentilesOf(samples, [50, 95, 99] as const);
  const rounded = (value: number | null) => (value === null ? null : round(value));
  return { p50: rounded(at[50]), p95: rounded(at[95]), p99: rounded(at[99]) };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The shards of all workers added up; their latencies stay histograms (a shard's cross threads encoded). */
export type MergedShards = Omit<ShardResult, 'latencies'> & {
  latencies: Record<TransitionKind, LatencyHistogram>;
};

/** Nothing counted yet: where a shard's tally and the merge of all shards start. */
export function emptyTally(): MergedShards {
  return {
    succeeded: 0,
    failed: 0,
    failures: {},
    traffic: { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 },
    backendLost: false,
    notStarted: 0,
    latencies: Object.fromEntries(TRANSITION_KINDS.map((kind) => [kind, LatencyHistogram.empty()])) as Record<
      TransitionKind,
      LatencyHistogram
    >,
  };
}

/** Adds one device's or one shard's channel traffic to a tally's. */
export function addTraffic(into: ChannelTraffic, more: ChannelTraffic): void {
  into.sent += more.sent;
  into.received += more.received;
  into.bytesSent += more.bytesSent;
  into.bytesReceived += more.bytesReceived;
}

/** One result from the shards of all workers. */
export function mergeShards(shards: ShardResult[]): MergedShards {
  const { latencies, ...merged } = emptyTally();
  for (const shard of shards) {
    merged.backendLost ||= shard.backendLost;
    merged.notStarted += shard.notStarted;
    merged.succeeded += shard.succeeded;
    merged.failed += shard.failed;
    for (const [reason, count] of Object.entries(shard.failures))
      merged.failures[reason] = (merged.failures[reason] ?? 0) + count;
    for (const kind of TRANSITION_KINDS) latencies[kind].add(LatencyHistogram.decode(shard.latencies[kind]));
    addTraffic(merged.traffic, shard.traffic);
  }
  return { ...merged, latencies };
}

/** The fleet's latency percentiles: of the ledger's transitions together, and of each kind. */
export function latencyFigures(
  latencies: Record<TransitionKind, LatencyHistogram>,
): Pick<FleetSummary, 'latencyMs' | 'latencyByTransitionMs'> {
  const ledger = LatencyHistogram.empty();
  for (const kind of LEDGER_TRANSITIONS) ledger.add(latencies[kind]);
  const byTransition = Object.fromEntries(
    TRANSITION_KINDS.map((kind) => [
      kind,
      { ...histogramPercentiles(latencies[kind]), count: latencies[kind].count },
    ]),
  ) as FleetSummary['latencyByTransitionMs'];
  return { latencyMs: histogramPercentiles(ledger), latencyByTransitionMs: byTransition };
}

function histogramPercentiles(histogram: LatencyHistogram): Percentiles {
  const at = (p: number) => {
    const value = histogram.percentileMs(p);
    return value === null ? null : round(value);
  };
  return { p50: at(50), p95: at(95), p99: at(99) };
}
