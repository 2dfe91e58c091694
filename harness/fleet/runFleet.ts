import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { StagesimError } from '../../agent/errors';
import { startEmbeddedBackend, type EmbeddedBackend } from './embeddedBackend';
import { createFleetProfile, existingFleetProfile, type FleetPlan } from './fleetSetup';
import { EMBEDDED_PROFILE, type FleetOptions } from './options';
import { RETRY_BUDGET, waitBounds } from '../../agent/channel/retryPolicy';
import type { ShardInput, ShardResult } from './runShard';
import type { TransitionKind } from './fleetDevice';
import type { FromWorker, ShardProgress, ToWorker } from './shardWorker';
import { shardRange, split } from './shardRange';
import { siblingEntry, workerExecArgv } from './sourceEntry';
import { latencyFigures, mergeShards, round, type FleetSummary, type MergedShards } from './summary';

export interface FleetProgress {
  total: number;
  succeeded: number;
  failed: number;
  /** Devices started and not yet done. */
  inFlight: number;
  failures: Record<string, number>;
}

export interface FleetHooks {
  /** Stage 1 is done and the devices are about to start. */
  onStart?(plan: FleetPlan & { serialPrefix: string; embedded: EmbeddedBackend['where'] | null }): void;
  onProgress?(progress: FleetProgress): void;
  /** Latencies of transitions as devices complete them (asked for only when given: it costs a little). */
  onLatencies?(latencies: Partial<Record<TransitionKind, number[]>>): void;
}

/**
 * Runs a fleet: the backend (the embedded one, or a running one with one of its profiles), the profile's
 * QR code read once, then every device through the stages on `workers` threads. Devices that fail are
 * counted by reason; only setting the fleet up can throw (StagesimError: EMBEDDED_BACKEND_FAILED,
 * BACKEND_UNREACHABLE, ADMIN_API_ERROR, PROFILE_NOT_FOUND, PROFILE_MISMATCH, PROFILE_HAS_NO_TOKEN,
 * FLEET_WORKER_FAILED).
 */
export async function runFleet(options: FleetOptions, hooks: FleetHooks = {}): Promise<FleetSummary> {
  const serialPrefix = options.serialPrefix ?? newSerialPrefix();
  const range = shardRange(options.devices, options.shard);
  // Workers load the device runtime while the backend starts and stage 1 runs.
  const workers = Array.from({ length: options.workers }, startShardWorker);
  let embedded: EmbeddedBackend | null = null;
  try {
    let plan: FleetPlan;
    if (options.backend !== undefined) {
      plan = await existingFleetProfile(options.backend, options.profile!, {
        ...(options.adminKey ? { adminKey: options.adminKey } : {}),
        ...(options.flow ? { flow: options.flow } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
        provisioning: options.provisioning,
      });
    } else {
      embedded = await startEmbeddedBackend(options.embedded, {
        ...(options.db === undefined ? {} : { dbPath: options.db }),
        ...(options.tls ? { tls: options.tls.server } : {}),
      });
      plan = await createFleetProfile(embedded.url, {
        ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
        flow: options.flow ?? EMBEDDED_PROFILE.flow,
        mode: options.mode ?? EMBEDDED_PROFILE.mode,
        serialPrefix,
        domain: options.domain,
        provisioning: options.provisioning,
      });
    }
    hooks.onStart?.({ ...plan, serialPrefix, embedded: embedded?.where ?? null });

    await Promise.all(workers.map((worker) => worker.ready));
    const backendBefore = embedded ? await embedded.stats() : null;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const shards = await runShards(workers, plan, options, serialPrefix, range, hooks);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const merged = mergeShards(shards);
    if (merged.backendLost) throw backendLost(plan.url, merged, options.devices);
    const backendAfter = embedded ? await embedded.stats() : null;
    const messages = merged.traffic.sent + merged.traffic.received;
    const devices = range.size;
    return {
      devices,
      succeeded: merged.succeeded,
      failed: merged.failed,
      failures: merged.failures,
      wallMs: round(wallMs, 1),
      devicesPerSecond: round((devices / wallMs) * 1000, 1),
      ...latencyFigures(merged.latencies),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
      backendPeakRssMb: backendAfter ? round(backendAfter.peakRssMb, 1) : null,
      cpuMsPerDevice: {
        fleet: round((cpu.user + cpu.system) / 1000 / devices, 3),
        backend:
          backendBefore && backendAfter
            ? round((backendAfter.cpuMs - backendBefore.cpuMs) / devices, 3)
            : null,
      },
      channel: {
        messagesPerDevice: round(messages / devices, 2),
        bytesPerMessage:
          messages === 0 ? 0 : round((merged.traffic.bytesSent + merged.traffic.bytesReceived) / messages, 1),
      },
      flow: plan.tokenType === 'deviceStaging' ? 'staging' : plan.tokenType,
      mode:
        { corporateOwnedFullyManaged: 'fullyManaged', corporateOwnedWorkProfile: 'workProfile' }[
          plan.enrollmentMode
        ] ?? plan.enrollmentMode,
      until: options.until,
      provisioning: options.provisioning,
      backend: { url: plan.url, embedded: embedded?.where ?? null },
      profileId: plan.profileId,
      serialPrefix,
      shard: options.shard
        ? { ...options.shard, fleetDevices: options.devices, firstDevice: range.first + 1 }
        : null,
      database: embedded ? (options.db ?? ':memory:') : null,
      concurrency: options.concurrency,
      workers: options.workers,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await embedded?.close();
  }
}

/**
 * The fleet gave up on a backend that stopped answering: its devices spent the one retry budget
 * (RETRY_BUDGET, agent/channel/retryPolicy.ts) and the fleet started no more. One line for the CLI.
 */
function backendLost(url: string, merged: MergedShards, devices: number): StagesimError {
  const { leastMs, mostMs } = waitBounds(RETRY_BUDGET);
  return new StagesimError(
    'BACKEND_LOST',
    `the backend at ${url} stopped answering; gave up after the retry budget (${RETRY_BUDGET.attempts} attempts, ${(leastMs / 1000).toFixed(1)}-${(mostMs / 1000).toFixed(1)} s of waiting): ${merged.succeeded} of ${devices} devices got through, ${merged.notStarted} never started`,
  );
}

/**
 * Unique per run, so fleets on several machines can share one backend: serial numbers are
 * `${prefix}-000001`, and a serial number is a device for good in the backend's ledger.
 */
function newSerialPrefix(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return `FL${[...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

/**
 * Young generation of a worker's heap. Every device in flight keeps its model, channel client and socket
 * for a while (tens of milliseconds), long enough to outlive V8's default 16 MB semi-space and be copied
 * and promoted; with 64 MB semi-spaces most of it dies young (measured: scavenge time down by two thirds
 * and CPU per device by a tenth). V8 sizes the young generation at three semi-spaces.
 */
const YOUNG_GENERATION_MB = 3 * 64;

interface ShardWorker {
  ready: Promise<void>;
  run(input: ShardInput, onProgress: (progress: ShardProgress) => void): Promise<ShardResult>;
  stop(): Promise<void>;
}

/** A worker thread that loads the device runtime now and runs its share of the fleet when told. */
function startShardWorker(): ShardWorker {
  const worker = new Worker(siblingEntry(__filename, 'shardWorker'), {
    ...(workerExecArgv(__filename) ? { execArgv: workerExecArgv(__filename) } : {}),
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  let onMessage: (message: FromWorker) => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  let finished = false;
  worker.on('message', (message: FromWorker) => onMessage(message));
  worker.once('error', (error) =>
    onFailure(
      new StagesimError('FLEET_WORKER_FAILED', `a fleet worker failed: ${error.message}`, { cause: error }),
    ),
  );
  worker.once('exit', (code) => {
    if (!finished)
      onFailure(new StagesimError('FLEET_WORKER_FAILED', `a fleet worker exited (${code}) without a result`));
  });
  const ready = new Promise<void>((resolve, reject) => {
    onMessage = (message) => {
      if (message.type === 'ready') resolve();
    };
    onFailure = reject;
  });
  // Seen by whoever awaits it; a worker failing while setup fails first must not crash the process.
  ready.catch(() => undefined);
  return {
    ready,
    run(input, onProgress) {
      return new Promise((resolve, reject) => {
        onFailure = reject;
        onMessage = (message) => {
          if (message.type === 'progress') onProgress(message.progress);
          else if (message.type === 'done') {
            finished = true;
            resolve(message.result);
          } else if (message.type === 'crashed')
            reject(new StagesimError('FLEET_WORKER_FAILED', `a fleet worker failed: ${message.message}`));
        };
        worker.postMessage({ type: 'start', input } satisfies ToWorker);
      });
    },
    async stop() {
      finished = true;
      await worker.terminate();
    },
  };
}

async function runShards(
  workers: ShardWorker[],
  plan: FleetPlan,
  options: FleetOptions,
  serialPrefix: string,
  range: { first: number; size: number },
  hooks: FleetHooks,
): Promise<ShardResult[]> {
  const base = {
    url: plan.url,
    ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
    provisioningText: plan.provisioningText,
    configuration: plan.configuration,
    provisioning: options.provisioning,
    until: options.until,
    serialPrefix,
    domain: options.domain,
    streamLatencies: hooks.onLatencies !== undefined,
  };
  const total = range.size;
  const counts = split(total, workers.length);
  const concurrencies = split(options.concurrency, workers.length).map((c) => Math.max(1, c));
  const done = counts.map((): Omit<ShardProgress, 'latencies'> => ({
    succeeded: 0,
    failed: 0,
    inFlight: 0,
    failures: {},
  }));
  let first = range.first;
  return Promise.all(
    workers.map((worker, index) => {
      const input: ShardInput = { ...base, first, count: counts[index]!, concurrency: concurrencies[index]! };
      first += counts[index]!;
      return worker.run(input, ({ latencies, ...counts }) => {
        done[index] = counts;
        if (hooks.onLatencies && Object.keys(latencies).length > 0) hooks.onLatencies(latencies);
        const failures: Record<string, number> = {};
        for (const shard of done)
          for (const [reason, n] of Object.entries(shard.failures))
            failures[reason] = (failures[reason] ?? 0) + n;
        hooks.onProgress?.({
          total,
          succeeded: done.reduce((sum, d) => sum + d.succeeded, 0),
          failed: done.reduce((sum, d) => sum + d.failed, 0),
          inFlight: done.reduce((sum, d) => sum + d.inFlight, 0),
          failures,
        });
      });
    }),
  );
}
