import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { channelUrlOf } from '../../agent/channel/DeviceChannelClient';
import { oneLine } from '../../agent/errors';
import { startEmbeddedBackend } from '../fleet/embeddedBackend';
import { FLEET_DEFAULTS, fleetOptionsSchema } from '../fleet/options';
import type { FleetDeviceSpec } from '../fleet/fleetDevice';
import { fleetDeviceSpec } from '../fleet/runShard';
import { recordExchanges, type RecordedRequest } from './exchangeRecording';
import { inLanes, rawDevice, rawFrame } from './rawDevice';
import { medianOf } from './repeated';

/**
 * The backend's side of a fleet alone: the real embedded backend in its own process, as `stagesim fleet`
 * starts it, driven by devices that are only their frames (rawDevice.ts): one real fleet device's
 * recorded requests, sent again with each device's own serial number, hardware and user, with no model
 * and no channel client behind them. What the backend costs a device, and what one backend thread can do
 * whatever the cores, beside the echo server's cost for the same traffic (section 2 of the bench).
 */
export interface BackendAloneRound {
  devices: number;
  wallMs: number;
  /** CPU time (user + system) of the backend's process a device. */
  backendCpuMsPerDevice: number;
  /** CPU time of the devices (this process) a device. */
  devicesCpuMsPerDevice: number;
}

export interface BackendAlone {
  devices: number;
  concurrency: number;
  /** Each figure's own median over the rounds (nearest rank). */
  median: Omit<BackendAloneRound, 'devices'>;
  rounds: BackendAloneRound[];
}

const RECORDED_PREFIX = 'BREC';

// A fleet's bounds for its size and devices at a time, and the fleet's default concurrency.
const optionsSchema = z.object({
  devices: fleetOptionsSchema.shape.devices,
  concurrency: fleetOptionsSchema.shape.concurrency,
  rounds: z.number().int().min(1, { error: 'at least 1 round' }).default(3),
});

/**
 * `devices` devices, `concurrency` at a time, in `rounds` rounds on one backend (each round's devices
 * with serial numbers of their own, so each registers and enrolls as new). Every device must be answered
 * as the recorded one was: the first that is not ends the run with one line.
 */
export async function runBackendAlone(input: z.input<typeof optionsSchema>): Promise<BackendAlone> {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the backend alone: ${issue.path.join('.')}: ${oneLine(issue.message)}`);
  }
  const options = parsed.data;
  const { concurrency, rounds } = options;
  const backend = await startEmbeddedBackend('child');
  try {
    // Recorded on this backend, so the token the device redeemed is this backend's profile's.
    const recording = await recordExchanges({ against: backend.url, serialPrefix: RECORDED_PREFIX });
    const channelUrl = channelUrlOf(backend.url);
    const measured: BackendAloneRound[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const prefix = `BACK${round}`;
      const before = await cpuOf(backend);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let devices: number;
      try {
        devices = await inLanes(options.devices, concurrency, (index) => {
          const spec = fleetDeviceSpec(index, prefix, FLEET_DEFAULTS.domain, FLEET_DEFAULTS.provisioning);
          const frames = recording.requests.map((request) =>
            rawFrame(asDevice(request, recording.device, spec), recording.replies),
          );
          return rawDevice(channelUrl, frames, `${prefix}-${index}`, 'the backend');
        });
      } catch (error) {
        throw new Error(`the backend alone, round ${round + 1}: ${oneLine(error)}`, { cause: error });
      }
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const backendMs = (await cpuOf(backend)) - before;
      measured.push({
        devices,
        wallMs,
        backendCpuMsPerDevice: backendMs / options.devices,
        devicesCpuMsPerDevice: (cpu.user + cpu.system) / 1000 / options.devices,
      });
    }
    const median = (figure: (round: BackendAloneRound) => number) => medianOf(measured, figure);
    return {
      devices: options.devices,
      concurrency,
      median: {
        wallMs: median((round) => round.wallMs),
        backendCpuMsPerDevice: median((round) => round.backendCpuMsPerDevice),
        devicesCpuMsPerDevice: median((round) => round.devicesCpuMsPerDevice),
      },
      rounds: measured,
    };
  } finally {
    await backend.close();
  }
}

async function cpuOf(backend: Awaited<ReturnType<typeof startEmbeddedBackend>>): Promise<number> {
  const stats = await backend.stats();
  if (!stats) throw new Error('the embedded backend did not tell its CPU time');
  return stats.cpuMs;
}

/**
 * A recorded request as another device sends it: its identity wherever the recorded device's is (hello,
 * state reports), its user wherever the recorded user is (signIn, the state report's account). Every
 * other field, and the order of the requests, is the recorded device's.
 */
export function asDevice(
  request: RecordedRequest,
  recorded: FleetDeviceSpec,
  spec: FleetDeviceSpec,
): RecordedRequest {
  const { upn, ...identity } = spec;
  const text = JSON.stringify('device' in request ? { ...request, device: identity } : request);
  return JSON.parse(
    text
      .replaceAll(JSON.stringify(recorded.upn).slice(1, -1), upn)
      .replaceAll(recorded.serialNumber, spec.serialNumber),
  ) as RecordedRequest;
}
