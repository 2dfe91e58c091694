import { runFleet } from '../../fleet/runFleet';
import { FleetMetrics, serveMetrics, type MetricsEndpoint } from '../../fleet/fleetMetrics';
import { fleetOptionsSchema } from '../../fleet/options';
import type { FleetSummary } from '../../fleet/summary';
import { TRANSITION_KINDS } from '../../fleet/fleetDevice';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, createProfile } from '../testing/graphTestClient';
import { RawChannel } from '../testing/rawChannel';
import { parsePrometheusText, sampleValue, type Sample } from './testing/prometheusText';

async function scrape(
  url: string,
  adminKey?: string,
): Promise<{ status: number; samples: Sample[]; type: string }> {
  const response = await fetch(url, adminKey ? { headers: { authorization: `Bearer ${adminKey}` } } : {});
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    samples: response.status === 200 ? parsePrometheusText(text) : [],
  };
}

describe('Prometheus metrics of the backend and the fleet, scraped during a fleet run', () => {
  const DEVICES = 120;
  let backend: RunningBackend;
  let endpoint: MetricsEndpoint;
  let summary: FleetSummary;
  const duringRun: { fleet: Sample[]; backend: Sample[] }[] = [];

  beforeAll(async () => {
    backend = await startBackend();
    const profile = await createProfile(GraphTestClient.for(backend), {});
    const metrics = new FleetMetrics(DEVICES);
    endpoint = await serveMetrics(metrics.registry, 0);
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        duringRun.push({
          fleet: (await scrape(endpoint.url)).samples,
          backend: (await scrape(`${backend.url}/metrics`)).samples,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    summary = await runFleet(
      fleetOptionsSchema.parse({
        devices: DEVICES,
        concurrency: 16,
        backend: backend.url,
        profile: profile.id,
      }),
      metrics.hooks(),
    );
    scraping = false;
    await scraper;
  });

  afterAll(async () => {
    await endpoint?.close();
    await backend?.close();
  });

  it('the fleet ran: every device enrolled', () => {
    expect(summary).toMatchObject({ devices: DEVICES, succeeded: DEVICES, failed: 0 });
  });

  it('the fleet endpoint agrees with the fleet JSON: done, failed, in flight, and a latency sample per transition', async () => {
    const { samples, type } = await scrape(endpoint.url);
    expect(type).toContain('text/plain');
    expect(sampleValue(samples, 'stagesim_fleet_devices')).toBe(DEVICES);
    expect(sampleValue(samples, 'stagesim_fleet_devices_done_total')).toBe(summary.succeeded);
    expect(samples.filter((s) => s.name === 'stagesim_fleet_devices_failed_total')).toEqual([]);
    expect(sampleValue(samples, 'stagesim_fleet_devices_in_flight')).toBe(0);
    for (const transition of TRANSITION_KINDS) {
      const count = sampleValue(samples, 'stagesim_fleet_transition_duration_seconds_count', { transition });
      expect(count).toBe(summary.latencyByTransitionMs[transition]?.count ?? 0);
    }
    // The histogram's median bucket holds the JSON's median: the two measure the same waits (the JSON's
    // is read from a histogram of its own, within 0.1 %).
    const staged = samples.filter(
      (s) =>
        s.name === 'stagesim_fleet_transition_duration_seconds_bucket' && s.labels.transition === 'staged',
    );
    const p50 = summary.latencyByTransitionMs.staged!.p50! / 1000;
    const firstHalf = staged.find((bucket) => bucket.value >= DEVICES / 2)!;
    expect(Number(firstHalf.labels.le)).toBeGreaterThanOrEqual(p50 * 0.999);
  });

  it('while the fleet ran, its endpoint showed devices in flight and counts that only grew', () => {
    expect(duringRun.some(({ fleet }) => sampleValue(fleet, 'stagesim_fleet_devices_in_flight') > 0)).toBe(
      true,
    );
    const done = duringRun.map(({ fleet }) => sampleValue(fleet, 'stagesim_fleet_devices_done_total'));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const transitions = duringRun.map(({ backend: b }) =>
      sampleValue(b, 'stagesim_backend_transitions_total', { stage: 'staged' }),
    );
    expect(transitions).toEqual([...transitions].sort((a, b) => a - b));
    expect(
      Math.max(...duringRun.map(({ backend: b }) => sampleValue(b, 'stagesim_backend_device_connections'))),
    ).toBeGreaterThan(0);
  });

  it('the backend endpoint agrees with the fleet: devices by stage, transitions, redemptions, connections, latencies', async () => {
    const { samples } = await scrape(`${backend.url}/metrics`);
    expect(sampleValue(samples, 'stagesim_backend_devices', { stage: 'enrolled' })).toBe(DEVICES);
    expect(sampleValue(samples, 'stagesim_backend_devices', { stage: 'staged' })).toBe(0);
    for (const stage of ['tokenCreated', 'staged', 'enrolled'])
      expect(sampleValue(samples, 'stagesim_backend_transitions_total', { stage })).toBe(DEVICES);
    expect(sampleValue(samples, 'stagesim_backend_transitions_total', { stage: 'adminProvisioned' })).toBe(0);
    expect(sampleValue(samples, 'stagesim_backend_token_redemptions_total', { result: 'accepted' })).toBe(
      DEVICES,
    );
    expect(sampleValue(samples, 'stagesim_backend_device_connections_opened_total')).toBeGreaterThanOrEqual(
      DEVICES,
    );
    expect(
      sampleValue(samples, 'stagesim_backend_device_request_duration_seconds_count', {
        request: 'redeemToken',
      }),
    ).toBeGreaterThanOrEqual(DEVICES);
    expect(
      sampleValue(samples, 'stagesim_backend_device_request_duration_seconds_count', { request: 'signIn' }),
    ).toBeGreaterThanOrEqual(DEVICES);
    // The admin calls the fleet made: one series per route pattern, not per id.
    const routes = samples
      .filter((s) => s.name === 'stagesim_backend_http_request_duration_seconds_count')
      .map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status_code}`);
    expect(routes).toContain('POST /beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles 201');
    expect(routes.every((route) => !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(route))).toBe(true);
    expect(sampleValue(samples, 'stagesim_backend_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts refusals by request and reason, and rejected redemptions', async () => {
    const before = (await scrape(`${backend.url}/metrics`)).samples;
    const channel = await RawChannel.open(backend.channelUrl);
    channel.sendRaw('{not json');
    expect((await channel.next()).code).toBe('invalidJson');
    await channel.hello('METRICS-REFUSED-1');
    expect((await channel.request({ type: 'redeemToken', token: 'NOSUCHTOKEN', method: 'qr' })).reason).toBe(
      'unknown',
    );
    expect((await channel.request({ type: 'completeStage', stage: 'enrolled' })).code).toBe(
      'stageOutOfOrder',
    );
    await channel.close();
    const after = (await scrape(`${backend.url}/metrics`)).samples;
    const added = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(added('stagesim_backend_refusals_total', { request: 'invalid', reason: 'invalidJson' })).toBe(1);
    expect(added('stagesim_backend_refusals_total', { request: 'redeemToken', reason: 'unknown' })).toBe(1);
    expect(
      added('stagesim_backend_refusals_total', { request: 'completeStage', reason: 'stageOutOfOrder' }),
    ).toBe(1);
    expect(added('stagesim_backend_token_redemptions_total', { result: 'rejected' })).toBe(1);
    expect(added('stagesim_backend_devices', { stage: 'none' })).toBe(1);
  });
});

describe("the process's own metrics", () => {
  it('two backends in one process each serve their own figures and the one set of process figures', async () => {
    const [a, b] = [await startBackend(), await startBackend()];
    try {
      const channel = await RawChannel.open(a.channelUrl);
      await channel.hello('METRICS-PROCESS-1');
      await channel.close();
      const [fromA, fromB] = [
        (await scrape(`${a.url}/metrics`)).samples,
        (await scrape(`${b.url}/metrics`)).samples,
      ];
      expect(sampleValue(fromA, 'stagesim_backend_devices', { stage: 'none' })).toBe(1);
      expect(sampleValue(fromB, 'stagesim_backend_devices', { stage: 'none' })).toBe(0);
      for (const samples of [fromA, fromB]) {
        const started = samples.filter((s) => s.name === 'stagesim_backend_process_start_time_seconds');
        expect(started).toHaveLength(1);
        expect(Math.abs(started[0]!.value - (Date.now() / 1000 - process.uptime()))).toBeLessThanOrEqual(1);
        expect(
          samples.filter((s) => s.name === 'stagesim_backend_nodejs_eventloop_lag_p99_seconds'),
        ).toHaveLength(1);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('metrics endpoints refuse what they should', () => {
  it('a backend with an admin key asks for it on /metrics too', async () => {
    const adminKey = 'metrics-admin-key-0123456789';
    const backend = await startBackend({ adminKey });
    try {
      expect((await scrape(`${backend.url}/metrics`)).status).toBe(401);
      const scraped = await scrape(`${backend.url}/metrics`, adminKey);
      expect(scraped.status).toBe(200);
      expect(sampleValue(scraped.samples, 'stagesim_backend_devices', { stage: 'enrolled' })).toBe(0);
    } finally {
      await backend.close();
    }
  });

  it('the fleet endpoint answers 404 off /metrics, and a taken port is METRICS_LISTEN_FAILED in one line', async () => {
    const metrics = new FleetMetrics(1);
    const endpoint = await serveMetrics(metrics.registry, 0);
    try {
      expect((await fetch(endpoint.url.replace('/metrics', '/other'))).status).toBe(404);
      expect((await fetch(endpoint.url, { method: 'POST' })).status).toBe(404);
      const port = Number(new URL(endpoint.url).port);
      await expect(serveMetrics(metrics.registry, port)).rejects.toMatchObject({
        code: 'METRICS_LISTEN_FAILED',
        message: expect.stringMatching(
          new RegExp(`^cannot serve metrics on 127\\.0\\.0\\.1:${port}: [^\\n]+$`),
        ),
      });
    } finally {
      await endpoint.close();
    }
  });

  it('a malformed exposition fails the reader with the line it could not read', () => {
    expect(() => parsePrometheusText('# HELP x\nx 1\nnot a sample line here\n')).toThrow(
      'line 3 is not a Prometheus sample: not a sample line here',
    );
  });
});
