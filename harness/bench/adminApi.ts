import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { AdminClient, PATHS } from '../world/AdminClient';
import { EnrollmentWorld } from '../world/EnrollmentWorld';
import { runStagesim, startStagesimBackend } from './cliProcess';
import { percentile } from '../statistics/percentile';

/**
 * Requests per second the backend's admin API serves for a list and a get, from a small load
 * generator on loopback: `connections` keep-alive connections, each sending its next request when the
 * previous answer is in, until `maxRequests` are answered or `maxMs` has passed (whichever is first).
 * The backend is `stagesim backend` in its own process, holding `devices` staged devices put there by
 * `stagesim fleet`.
 */
export interface AdminLoadOptions {
  devices: number;
  connections: number;
  maxRequests: number;
  maxMs: number;
}

export interface LoadResult {
  what: string;
  requests: number;
  errors: number;
  wallMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
}

export async function runAdminApiBench(options: AdminLoadOptions): Promise<LoadResult[]> {
  const backend = await startStagesimBackend();
  try {
    const admin = new AdminClient(backend.url);
    const profile = await new EnrollmentWorld(admin, 'Admin bench').profileFor({
      tokenType: 'deviceStaging',
      mode: 'corporateOwnedFullyManaged',
    });
    const fleet = await runStagesim([
      'fleet',
      '--devices',
      String(options.devices),
      '--until',
      'staged',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
      '--json',
    ]);
    if (fleet.code !== 0)
      throw new Error(`populating the backend failed: ${fleet.stderr.trim() || fleet.stdout.trim()}`);
    const ids = (await admin.managedDevices()).map((device) => device.id);
    const list = `${PATHS.managedDevices}?$top=50`;
    return [
      await load(
        backend.url,
        `GET managedDevices?$top=50 (list of ${ids.length} devices)`,
        () => list,
        options,
      ),
      await load(
        backend.url,
        'GET managedDevices/{id} (get)',
        (n) => `${PATHS.managedDevices}/${ids[n % ids.length]}`,
        options,
      ),
      await load(
        backend.url,
        'GET androidDeviceOwnerEnrollmentProfiles/{id} (get)',
        () => `${PATHS.profiles}/${profile.id}`,
        options,
      ),
    ];
  } finally {
    await backend.stop();
  }
}

const bodySchema = z.looseObject({});

async function load(
  baseUrl: string,
  what: string,
  path: (n: number) => string,
  options: AdminLoadOptions,
): Promise<LoadResult> {
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;
  const one = (n: number) =>
    new Promise<void>((done) => {
      const at = performance.now();
      const req = request({ host: hostname, port, path: path(n), agent, method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // Read and parsed like a client would, so a broken answer counts as an error.
          if (
            res.statusCode !== 200 ||
            !bodySchema.safeParse(JSON.parse(Buffer.concat(chunks).toString())).success
          )
            errors += 1;
          latencies.push(performance.now() - at);
          done();
        });
      });
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end();
    });
  const connection = async () => {
    while (sent < options.maxRequests && performance.now() < deadline) {
      sent += 1;
      await one(sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const wallMs = performance.now() - started;
  agent.destroy();
  const at = (p: number) => Math.round(percentile(latencies, p)! * 100) / 100;
  return {
    what,
    requests: latencies.length,
    errors,
    wallMs,
    requestsPerSecond: (latencies.length / wallMs) * 1000,
    latencyMs: { p50: at(50), p99: at(99) },
  };
}
