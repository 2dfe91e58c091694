import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fleetSummarySchema } from '../fleet/summary';
import { AdminClient } from '../world/AdminClient';
import { EnrollmentWorld } from '../world/EnrollmentWorld';
import { runStagesim, startStagesimBackend } from './cliProcess';

/**
 * Where one backend's ceiling is: `stagesim backend --db FILE` in its own process, and 1, then 2 fleet
 * processes (`stagesim fleet --shard i/n`) against it at once, each part of one fleet of `devices`. The
 * backend handles every device message on one thread (its event loop, with SQLite synchronous on it),
 * so its ceiling is one core: 1000 / (its CPU milliseconds per device) devices per second. `busy` is
 * its CPU time over the wall time of the shards; at 1.0 more fleet processes add nothing.
 */
export interface CeilingRun {
  shards: number;
  devices: number;
  wallMs: number;
  devicesPerSecond: number;
  failed: number;
  backendCpuMsPerDevice: number;
  /** Backend CPU time / wall time: the share of one core the backend used. */
  backendBusy: number;
  /** 1000 / backendCpuMsPerDevice: what one backend core could take, devices per second. */
  ceilingDevicesPerSecond: number;
}

/** CPU time (user + system) of a process so far, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

export async function runBackendCeiling(devices: number, dbPath: string): Promise<CeilingRun[] | null> {
  const backend = await startStagesimBackend(['--db', dbPath]);
  try {
    if (processCpuMs(backend.pid) === null) return null;
    const admin = new AdminClient(backend.url);
    const world = new EnrollmentWorld(admin, 'Ceiling bench');
    const profile = await world.profileFor({
      tokenType: 'deviceStaging',
      mode: 'corporateOwnedFullyManaged',
    });
    const runs: CeilingRun[] = [];
    for (const shards of [1, 2]) {
      const cpuBefore = processCpuMs(backend.pid)!;
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: shards }, (_, index) =>
          runStagesim([
            'fleet',
            '--devices',
            String(devices),
            ...(shards > 1 ? ['--shard', `${index}/${shards}`] : []),
            '--backend',
            backend.url,
            '--profile',
            profile.id,
            '--json',
          ]),
        ),
      );
      const wallMs = performance.now() - started;
      const cpuMs = processCpuMs(backend.pid)! - cpuBefore;
      const summaries = results.map((run) => fleetSummarySchema.parse(JSON.parse(run.stdout)));
      const perDevice = cpuMs / devices;
      runs.push({
        shards,
        devices,
        wallMs,
        devicesPerSecond: (devices / wallMs) * 1000,
        failed: summaries.reduce((sum, s) => sum + s.failed, 0),
        backendCpuMsPerDevice: perDevice,
        backendBusy: cpuMs / wallMs,
        ceilingDevicesPerSecond: 1000 / perDevice,
      });
    }
    return runs;
  } finally {
    await backend.stop();
  }
}
