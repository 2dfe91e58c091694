import type { AddressInfo } from 'node:net';
import { StagesimError } from '../../agent/errors';
import { ChannelServer, DEVICE_CHANNEL_PATH } from './channel/ChannelServer';
import { Clock } from './clock';
import { AdminConsole } from './console/adminConsole';
import { DeviceEnrollment } from './deviceEnrollment';
import { buildAdminApp } from './http/app';
import { resolveBackendOptions, type BackendOptions, type ResolvedBackendOptions } from './options';
import { BackendMetrics } from './metrics/backendMetrics';
import { SqliteStore } from './store/SqliteStore';
import type { BackendStore } from './store/repository';
import { Targeting } from './targeting/deliveries';

export type { BackendOptions } from './options';

export interface RunningBackend {
  /** Base URL of the admin API, e.g. http://127.0.0.1:40123 (https:// with TLS); devices connect to `${url}/device`. */
  url: string;
  /** The device channel's URL (ws://…/device, wss:// with TLS). */
  channelUrl: string;
  /** The admin console in the browser (`${url}/`). */
  consoleUrl: string;
  port: number;
  host: string;
  store: BackendStore;
  clock: Clock;
  channel: ChannelServer;
  metrics: BackendMetrics;
  options: ResolvedBackendOptions;
  /**
   * Forgets everything, as a new backend on the same port would know nothing: every profile, token,
   * device, ledger entry, state report and targeting object is deleted, device connections are cut, the
   * clock is put back on its source and the metrics start again from 0. The admin API's rate limit on
   * wrong admin keys is kept (it guards the backend, not a tenant). Also POST /simulator/reset.
   * Throws BACKEND_CLOSED once close() was called.
   */
  reset(): Promise<void>;
  /** Closes device connections (1001), the HTTP server and the database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The mock Intune backend: Graph-shaped admin API (fastify) and the device channel (ws) on one port,
 * over one SQLite store. Throws StagesimError (see options.ts, plus DB_OPEN_FAILED and LISTEN_FAILED).
 */
export async function startBackend(input: BackendOptions = {}): Promise<RunningBackend> {
  const options = resolveBackendOptions(input);
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? new Clock();
  const store = new SqliteStore(options.dbPath, {
    synchronous: options.dbSynchronous,
    deviceCacheSize: options.deviceCacheSize,
  });
  const metrics = new BackendMetrics(() => store.countDevicesByStage());
  const enrollment = new DeviceEnrollment({
    store,
    clock,
    targeting: new Targeting(store),
    nameTemplates: options.nameTemplates,
    timeZone: options.timeZone,
    tenantDomains: options.tenantDomains,
    onTransition: (entry) => metrics.transition(entry.toStage),
  });
  const adminConsole = new AdminConsole(store);
  const channel = new ChannelServer({
    enrollment,
    redemptionLimit: options.redemptionLimit,
    now: () => clock.now(),
    beforeReply: options.beforeReply,
    observer: metrics,
    onStateReport: (report) => adminConsole.onStateReport(report),
    onDeviceRequest: () => adminConsole.onDeviceRequest(),
    replyCacheSize: options.deviceCacheSize,
  });
  const app = buildAdminApp({
    deps: { store, clock, accountId: options.accountId, log },
    console: { state: adminConsole, channel },
    adminKey: options.adminKey ?? null,
    bodyLimitBytes: options.bodyLimitBytes,
    authLimit: options.adminAuthLimit,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    metrics,
    reset: () => reset(),
  });
  channel.attach(app.server);

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await channel.close();
    store.close();
    throw new StagesimError(
      'LISTEN_FAILED',
      `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const { port } = app.server.address() as AddressInfo;
  const host =
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const secure = options.tls !== undefined;
  const url = `${secure ? 'https' : 'http'}://${host}:${port}`;
  const consoleUrl = `${url}/`;
  log(
    `backend listening on ${url} (database ${options.dbPath}, time zone ${options.timeZone}${options.adminKey ? ', admin key required' : ''})`,
  );

  let closing: Promise<void> | null = null;
  // A model path or a scenario each needs a backend that knows nothing; resetting one is a fraction of
  // the cost of starting one (fastify compiles every route anew for each app).
  const refuseClosed = () => {
    if (closing)
      throw new StagesimError(
        'BACKEND_CLOSED',
        'the backend was closed; start a new one instead of resetting it',
      );
  };
  async function reset(): Promise<void> {
    refuseClosed();
    await channel.reset();
    // Closed while the connections were being cut: the database may be gone by now.
    refuseClosed();
    store.clear();
    adminConsole.reset();
    metrics.reset();
    clock.reset();
    log('backend reset: every profile, device, ledger entry and targeting object forgotten');
  }

  return {
    url,
    channelUrl: `${secure ? 'wss' : 'ws'}://${host}:${port}${DEVICE_CHANNEL_PATH}`,
    consoleUrl,
    port,
    host: options.host,
    store,
    clock,
    channel,
    metrics,
    options,
    reset,
    close() {
      closing ??= (async () => {
        await channel.close();
        adminConsole.close();
        await app.close();
        store.close();
      })();
      return closing;
    },
  };
}
