import { LatencyHistogram } from '../statistics/latencyHistogram';
import pLimit from 'p-limit';
import type { ChannelTraffic } from '../../agent/channel/DeviceChannelClient';
import {
  TRANSITION_KINDS,
  walkDevice,
  type FleetDeviceSpec,
  type DeviceOutcome,
  type TransitionKind,
  type WalkOptions,
} from './fleetDevice';
import { SAMPLE_HARDWARE } from '../../agent/device/deviceProfile';
import type { FleetProvisioning } from './options';
import { addTraffic, emptyTally } from './summary';

/**
 * A share of the fleet run by one thread: devices `first` to `first + count - 1`, at most `concurrency`
 * at a time, each a device of its own with a connection of its own.
 */
export interface ShardInput extends WalkOptions {
  first: number;
  count: number;
  concurrency: number;
  serialPrefix: string;
  domain: string;
  provisioning: FleetProvisioning;
  /** The CA of the backend's certificate (the local CA of --tls), trusted besides Node's. */
  ca?: string;
  /** Stream each transition's latency in the progress reports (only a live metrics endpoint needs it). */
  streamLatencies?: boolean;
}

export interface ShardResult {
  succeeded: number;
  failed: number;
  failures: Record<string, number>;
  /**
   * How long devices waited for each kind of transition: a LatencyHistogram of each, encoded (a result
   * crosses from the devices' thread), so a shard's result is the same size for ten devices or a million.
   */
  latencies: Record<TransitionKind, string>;
  traffic: ChannelTraffic;
  /**
   * A device spent its whole retry budget on the backend (NETWORK_UNAVAILABLE): the backend is gone, so
   * the shard started no more devices. Fleet devices have no network faults of their own.
   */
  backendLost: boolean;
  /** Devices the shard never started because the backend was lost. */
  notStarted: number;
}

/** The failure reason of a device that gave up on the backend after the retry budget. */
export const BACKEND_GONE_REASON = 'NETWORK_UNAVAILABLE';

/** Device `index` of a fleet run: its own serial (the run's prefix keeps fleets sharing a backend apart) and user. */
export function fleetDeviceSpec(
  index: number,
  serialPrefix: string,
  domain: string,
  provisioning: FleetProvisioning = 'qr',
): FleetDeviceSpec {
  const number = String(index + 1).padStart(6, '0');
  // Knox Mobile Enrollment is for Samsung devices only.
  const hardware =
    provisioning === 'kme'
      ? SAMPLE_HARDWARE.find((sample) => sample.manufacturer === 'Samsung')!
      : SAMPLE_HARDWARE[index % SAMPLE_HARDWARE.length]!;
  return {
    serialNumber: `${serialPrefix}-${number}`,
    ...hardware,
    osVersion: '14',
    upn: `user${number}.${serialPrefix.toLowerCase()}@${domain}`,
  };
}

/** What a shard says while it runs (its worker turns these into progress reports). */
export interface ShardEvents {
  started?(): void;
  done?(outcome: DeviceOutcome): void;
  latency?(kind: TransitionKind, ms: number): void;
}

export async function runShard(input: ShardInput, events: ShardEvents = {}): Promise<ShardResult> {
  const { latencies, ...result } = emptyTally();
  const sink = events.latency
    ? (kind: TransitionKind, ms: number) => {
        latencies[kind].record(ms);
        events.latency!(kind, ms);
      }
    : (kind: TransitionKind, ms: number) => latencies[kind].record(ms);
  const walkOptions = { ...input, channel: { url: input.url, ...(input.ca ? { ca: input.ca } : {}) } };
  const runDevice = async (index: number) => {
    if (result.backendLost) {
      result.notStarted += 1;
      return;
    }
    events.started?.();
    const { outcome, traffic } = await walkDevice(
      fleetDeviceSpec(index, input.serialPrefix, input.domain, input.provisioning),
      walkOptions,
      sink,
    );
    addTraffic(result.traffic, traffic);
    if (outcome.ok) result.succeeded += 1;
    else {
      result.failed += 1;
      result.failures[outcome.reason] = (result.failures[outcome.reason] ?? 0) + 1;
      if (outcome.reason === BACKEND_GONE_REASON) result.backendLost = true;
    }
    events.done?.(outcome);
  };
  // p-limit keeps `concurrency` devices in flight. Devices are handed to it a window at a time rather
  // than all at once, so a shard of a million devices does not queue a million closures up front. The
  // loop waits for a free place in the window through one callback, not a Promise.race over the whole
  // window per device (a reaction on every queued device each time: 1.3 % of the devices' thread).
  const limit = pLimit(Math.max(1, input.concurrency));
  const window = 2 * Math.max(1, input.concurrency);
  let queued = 0;
  let freed: (() => void) | null = null;
  // Set from the devices' callbacks (a device's walk never throws; a callback of the events might).
  const crashed: { error?: unknown; happened: boolean } = { happened: false };
  const settle = () => {
    queued -= 1;
    const wake = freed;
    freed = null;
    wake?.();
  };
  const end = input.first + input.count;
  for (let index = input.first; index < end; index += 1) {
    if (crashed.happened) break;
    if (result.backendLost) {
      result.notStarted += end - index;
      break;
    }
    queued += 1;
    limit(() => runDevice(index)).then(settle, (error: unknown) => {
      if (!crashed.happened) Object.assign(crashed, { error, happened: true });
      settle();
    });
    if (queued >= window) await new Promise<void>((resolve) => (freed = resolve));
  }
  while (queued > 0) await new Promise<void>((resolve) => (freed = resolve));
  if (crashed.happened) throw crashed.error;
  return { ...result, latencies: encodedLatencies(latencies) };
}

export function encodedLatencies(
  latencies: Record<TransitionKind, LatencyHistogram>,
): Record<TransitionKind, string> {
  return Object.fromEntries(TRANSITION_KINDS.map((kind) => [kind, latencies[kind].encode()])) as Record<
    TransitionKind,
    string
  >;
}
