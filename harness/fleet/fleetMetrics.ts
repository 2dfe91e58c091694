import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StagesimError } from '../../agent/errors';
import { TRANSITION_KINDS, type TransitionKind } from './fleetDevice';
import type { FleetHooks, FleetProgress } from './runFleet';

/**
 * The fleet's own Prometheus metrics (prom-client), as load tools expose theirs while they run (k6's
 * Prometheus output, flightctl's device simulator): devices in flight, done, failed by reason, and the
 * latency of each stage transition as the devices saw it. `stagesim fleet --metrics-port N` serves them.
 */

// Seconds. A transition takes a few milliseconds on a quiet machine and up to seconds on a loaded one
// with thousands of devices in flight.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class FleetMetrics {
  readonly registry = new Registry();
  private readonly inFlight: Gauge;
  private readonly done: Counter;
  private readonly failed: Counter<'reason'>;
  private readonly latency: Histogram<'transition'>;
  private counted = { succeeded: 0, failures: {} as Record<string, number> };

  constructor(devices: number) {
    const registers = [this.registry];
    new Gauge({ name: 'stagesim_fleet_devices', help: 'Devices in this fleet run', registers }).set(devices);
    this.inFlight = new Gauge({
      name: 'stagesim_fleet_devices_in_flight',
      help: 'Devices started and not yet done',
      registers,
    });
    this.done = new Counter({
      name: 'stagesim_fleet_devices_done_total',
      help: 'Devices that went through every stage asked for (--until)',
      registers,
    });
    this.failed = new Counter({
      name: 'stagesim_fleet_devices_failed_total',
      help: 'Devices that stopped short, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.latency = new Histogram({
      name: 'stagesim_fleet_transition_duration_seconds',
      help: 'Time a device waited on a progress screen for the backend to record a transition, by transition',
      labelNames: ['transition'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    for (const transition of TRANSITION_KINDS) this.latency.zero({ transition });
  }

  /** The hooks that keep these metrics current during runFleet. */
  hooks(): Required<Pick<FleetHooks, 'onProgress' | 'onLatencies'>> {
    return {
      onProgress: (progress) => this.progress(progress),
      onLatencies: (latencies) => this.latencies(latencies),
    };
  }

  private progress(progress: FleetProgress): void {
    this.inFlight.set(progress.inFlight);
    // Progress reports carry totals; counters only go up by what is new since the last one.
    this.done.inc(progress.succeeded - this.counted.succeeded);
    for (const [reason, n] of Object.entries(progress.failures)) {
      const added = n - (this.counted.failures[reason] ?? 0);
      if (added > 0) this.failed.inc({ reason }, added);
    }
    this.counted = { succeeded: progress.succeeded, failures: { ...progress.failures } };
  }

  private latencies(latencies: Partial<Record<TransitionKind, number[]>>): void {
    for (const [transition, samples] of Object.entries(latencies))
      for (const ms of samples) this.latency.observe({ transition }, ms / 1000);
  }
}

export interface MetricsEndpoint {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the registry at /metrics on `host:port` (port 0: any free one). A port that cannot be had is
 * StagesimError METRICS_LISTEN_FAILED.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsEndpoint> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: the metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new StagesimError(
          'METRICS_LISTEN_FAILED',
          `cannot serve metrics on ${host}:${port}: ${error.message}`,
          {
            cause: error,
          },
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
