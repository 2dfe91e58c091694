import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { enrollmentStageSchema, type EnrollmentStage } from '../../../agent/protocol/enrollment';
import type { DeviceMessageType } from '../../../agent/protocol/messages';
import type { ChannelObserver } from '../channel/ChannelServer';
import type { RequestOutcome } from '../channel/ChannelSession';

/**
 * The backend's Prometheus metrics (prom-client), served at /metrics on the admin API's port, as load
 * tools and device simulators expose theirs (k6, flightctl's device simulator). Each backend has a
 * registry of its own, so several backends in one process (tests, the embedded one) keep apart figures;
 * the process's figures are the process's, shared by them (processRegistry).
 *
 * Counters count what this process saw since it started, as Prometheus counters do; the devices-by-stage
 * gauge is read from the store at scrape time, so it is right after a restart too.
 */

/** The reply types that refuse a request, and so count as refusals by reason. */
const REFUSALS = new Set(['tokenRejected', 'signInRejected', 'error']);

// Seconds. The channel's requests take well under a millisecond on a quiet machine and tens of
// milliseconds under load; admin calls that list pages of devices take longer.
const DEVICE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The process's own figures (CPU, memory, event-loop lag, collections), prefixed as the backend's: one
 * registry per process, whatever number of backends it starts. collectDefaultMetrics starts an
 * event-loop monitor and a GC observer that are never stopped, so calling it per backend left every
 * closed backend's observer running (a model suite starts 53 backends in one process) and measured the
 * same process many times over.
 */
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'stagesim_backend_' });
  }
  return processMetrics;
}

export class BackendMetrics implements ChannelObserver {
  readonly registry = new Registry();
  private readonly transitions: Counter<'stage'>;
  private readonly redemptions: Counter<'result'>;
  private readonly refusals: Counter<'request' | 'reason'>;
  private readonly deviceRequests: Histogram<'request'>;
  private readonly httpRequests: Histogram<'method' | 'route' | 'status_code'>;
  private readonly connections: Gauge;
  private readonly connectionsOpened: Counter;

  /** `devicesByStage` is asked at every scrape. */
  constructor(devicesByStage: () => Partial<Record<EnrollmentStage, number>>) {
    const registers = [this.registry];
    processRegistry();
    new Gauge({
      name: 'stagesim_backend_devices',
      help: 'Devices the backend knows, by the enrollment stage its ledger last recorded (none: registered only)',
      labelNames: ['stage'],
      registers,
      collect() {
        const counts = devicesByStage();
        for (const stage of [...enrollmentStageSchema.options, 'none'] as const)
          this.set({ stage }, counts[stage as EnrollmentStage] ?? 0);
      },
    });
    this.transitions = new Counter({
      name: 'stagesim_backend_transitions_total',
      help: 'Stage transitions recorded in the ledger, by the stage reached',
      labelNames: ['stage'],
      registers,
    });
    this.redemptions = new Counter({
      name: 'stagesim_backend_token_redemptions_total',
      help: 'Enrollment tokens devices presented, by result (accepted or rejected)',
      labelNames: ['result'],
      registers,
    });
    this.refusals = new Counter({
      name: 'stagesim_backend_refusals_total',
      help: 'Device requests the backend refused, by request type and reason (token rejections, sign-in rejections, channel errors)',
      labelNames: ['request', 'reason'],
      registers,
    });
    this.deviceRequests = new Histogram({
      name: 'stagesim_backend_device_request_duration_seconds',
      help: 'Time the backend took to answer a device-channel request (a transition when it records one), by request type',
      labelNames: ['request'],
      buckets: DEVICE_BUCKETS,
      registers,
    });
    this.httpRequests = new Histogram({
      name: 'stagesim_backend_http_request_duration_seconds',
      help: 'Time to answer an admin API request, by method, route and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.connections = new Gauge({
      name: 'stagesim_backend_device_connections',
      help: 'Device-channel WebSocket connections open now',
      registers,
    });
    this.connectionsOpened = new Counter({
      name: 'stagesim_backend_device_connections_opened_total',
      help: 'Device-channel WebSocket connections accepted',
      registers,
    });
    this.reset();
  }

  /** Every figure back to where a new backend's start (counters at 0, as a restarted process's). */
  reset(): void {
    this.registry.resetMetrics();
    for (const stage of enrollmentStageSchema.options) this.transitions.inc({ stage }, 0);
  }

  transition(stage: EnrollmentStage): void {
    this.transitions.inc({ stage });
  }

  deviceRequest(
    request: DeviceMessageType | 'stateReport' | 'invalid',
    outcome: RequestOutcome,
    seconds: number,
  ): void {
    this.deviceRequests.observe({ request }, seconds);
    if (request === 'redeemToken' && (outcome.reply === 'tokenAccepted' || outcome.reply === 'tokenRejected'))
      this.redemptions.inc({ result: outcome.reply === 'tokenAccepted' ? 'accepted' : 'rejected' });
    if (REFUSALS.has(outcome.reply)) this.refusals.inc({ request, reason: outcome.reason ?? outcome.reply });
  }

  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpRequests.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  connectionOpened(): void {
    this.connections.inc();
    this.connectionsOpened.inc();
  }

  connectionClosed(): void {
    this.connections.dec();
  }

  /** The path Prometheus scrapes, on the admin API's port. */
  static readonly PATH = '/metrics';

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    const both = Registry.merge([processRegistry(), this.registry]);
    return { contentType: both.contentType, text: await both.metrics() };
  }
}
