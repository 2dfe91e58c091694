import { performance } from 'node:perf_hooks';
import {
  DeviceChannelClient,
  type DeviceChannelClientOptions,
} from '../../agent/channel/DeviceChannelClient';
import { oneLine } from '../../agent/errors';
import { FLEET_DEFAULTS } from '../fleet/options';
import { fleetDeviceSpec, runShard } from '../fleet/runShard';

import { recordExchanges, type ExchangeRecording, type RecordedRequest } from './exchangeRecording';
import { inLanes, rawDevice, rawFrame } from './rawDevice';
import { walkReplayedDevice } from './replayedDevice';
import { medianOf } from './repeated';
import { startReplyStub, type ReplyStub } from './replyStubProcess';

/**
 * The devices' side of a fleet taken apart, each layer on the one below it, against a backend that does
 * no work (replyStub.ts, answering from one real device's recorded replies): what of a fleet device's
 * CPU time is the wire, the channel client, the walk and the model. Each is CPU time of this process a
 * device; the stub's own is measured beside it (a backend's least cost for the same frames).
 */
export const LAYERS = {
  A: "raw ws client sending the fleet's recorded request frames",
  B: 'DeviceChannelClient making the recorded calls, no device',
  C: "the fleet's walk, runShard: SimulatedDevice over DeviceChannelClient",
  D: 'the model alone: SimulatedDevice walked in-process, replies at once, no network',
} as const;
export type Layer = keyof typeof LAYERS;
const ORDER = Object.keys(LAYERS) as Layer[];

export interface LayerRound {
  /** Devices that got through (every one, or the run throws). */
  devices: number;
  wallMs: number;
  /** CPU time (user + system) of this process a device. */
  cpuMsPerDevice: number;
  /** The stub's CPU time a device over the same round; null for D, which has no stub. */
  stubCpuMsPerDevice: number | null;
}

export interface LayerFigures {
  layer: Layer;
  what: string;
  /** Each figure's own median over the rounds (nearest rank, so a figure some round measured). */
  median: Omit<LayerRound, 'devices'>;
  rounds: LayerRound[];
}

export interface DevicesSideLayers {
  devices: number;
  concurrency: number;
  rounds: number;
  layers: LayerFigures[];
}

export interface LayersOptions {
  devices: number;
  /** Devices at a time (the fleet's default unless given). */
  concurrency?: number;
  rounds?: number;
  /** The exchanges the stub answers from; recorded against the real backend unless given. */
  recording?: ExchangeRecording;
  /** Only these layers, in A-D order (every one unless given). */
  layers?: readonly Layer[];
}

/**
 * Runs layers A, B, C and D for `devices` devices each, `concurrency` at a time, in `rounds` rounds
 * interleaved (A B C D A B C D ...: load that comes and goes on the machine falls on every layer), and
 * answers each layer's rounds and medians. Every device of every layer must get through: the first one
 * that does not ends the run with one line naming its layer.
 */
export async function runDevicesSideLayers(options: LayersOptions): Promise<DevicesSideLayers> {
  const concurrency = options.concurrency ?? FLEET_DEFAULTS.concurrency;
  const rounds = options.rounds ?? 3;
  const layers = ORDER.filter((layer) => options.layers?.includes(layer) ?? true);
  const recording = options.recording ?? (await recordExchanges());
  const stub = await startReplyStub(recording.replies);
  // The fleet's devices' thread keeps no stacks of errors (shardWorker.ts: ws makes one for every
  // closing stream); neither does this process while it measures, so layer C pays what a fleet pays.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const run = layerRunners(recording, stub, options.devices, concurrency);
    const measured = new Map<Layer, LayerRound[]>(layers.map((layer) => [layer, []]));
    for (let round = 0; round < rounds; round += 1)
      for (const layer of layers) {
        const stubBefore = layer === 'D' ? null : await stub.cpuMs();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        let devices: number;
        try {
          devices = await run[layer](round);
        } catch (error) {
          throw new Error(`layer ${layer} (${LAYERS[layer]}) failed: ${oneLine(error)}`, { cause: error });
        }
        const wallMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const stubMs = stubBefore === null ? null : (await stub.cpuMs()) - stubBefore;
        measured.get(layer)!.push({
          devices,
          wallMs,
          cpuMsPerDevice: (cpu.user + cpu.system) / 1000 / options.devices,
          stubCpuMsPerDevice: stubMs === null ? null : stubMs / options.devices,
        });
      }
    return {
      devices: options.devices,
      concurrency,
      rounds,
      layers: layers.map((layer) => figuresOf(layer, measured.get(layer)!)),
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    await stub.stop();
  }
}

function figuresOf(layer: Layer, rounds: LayerRound[]): LayerFigures {
  const median = (figure: (round: LayerRound) => number) => medianOf(rounds, figure);
  return {
    layer,
    what: LAYERS[layer],
    median: {
      wallMs: median((round) => round.wallMs),
      cpuMsPerDevice: median((round) => round.cpuMsPerDevice),
      stubCpuMsPerDevice: layer === 'D' ? null : median((round) => round.stubCpuMsPerDevice!),
    },
    rounds,
  };
}

/** Each layer's round: runs every device and answers how many got through, or throws at the first that did not. */
function layerRunners(
  recording: ExchangeRecording,
  stub: ReplyStub,
  devices: number,
  concurrency: number,
): Record<Layer, (round: number) => Promise<number>> {
  const frames = recording.requests.map((request) => rawFrame(request, recording.replies));
  // One options object for every client, as the fleet hands one to a shard's (checked once, not per device).
  const channel: DeviceChannelClientOptions = { url: stub.url };
  const { plan, replies } = recording;
  return {
    A: () =>
      inLanes(devices, concurrency, (index) => rawDevice(stub.channelUrl, frames, `a${index}`, 'the stub')),
    B: (round) =>
      inLanes(devices, concurrency, (index) =>
        clientDevice(new DeviceChannelClient(channel), recording.requests, `LB${round}-${index}`),
      ),
    C: async (round) => {
      // As runFleet hands a shard to its worker; a prefix of its own each round keeps serials apart.
      const result = await runShard({
        url: stub.url,
        provisioningText: plan.provisioningText,
        configuration: plan.configuration,
        provisioning: FLEET_DEFAULTS.provisioning,
        until: FLEET_DEFAULTS.until,
        serialPrefix: `LAYERC${round}`,
        domain: FLEET_DEFAULTS.domain,
        streamLatencies: false,
        first: 0,
        count: devices,
        concurrency,
      });
      if (result.succeeded !== devices)
        throw new Error(
          `${result.failed} of ${devices} devices failed (${JSON.stringify(result.failures)}), ${result.notStarted} never started`,
        );
      return result.succeeded;
    },
    D: (round) =>
      inLanes(devices, concurrency, async (index) => {
        const outcome = await walkReplayedDevice(
          fleetDeviceSpec(index, `LAYERD${round}`, FLEET_DEFAULTS.domain, FLEET_DEFAULTS.provisioning),
          plan,
          replies,
        );
        if (!outcome.ok) throw new Error(outcome.reason);
      }),
  };
}

/**
 * Layer B's device: a DeviceChannelClient of its own making the calls the recorded frames are (hello,
 * redeemToken, completeStage staged, signIn, completeStage enrolled, the state report), then closed. A
 * refusal fails it as a channel error does.
 */
async function clientDevice(
  client: DeviceChannelClient,
  requests: RecordedRequest[],
  serialNumber: string,
): Promise<void> {
  try {
    for (const request of requests) {
      switch (request.type) {
        case 'hello':
          await client.hello({ ...request.device, serialNumber });
          break;
        case 'redeemToken': {
          const answer = await client.redeemToken(request.token, request.method);
          if (answer.type !== 'tokenAccepted') throw new Error(`redeemToken answered ${answer.reason}`);
          break;
        }
        case 'completeStage':
          await client.completeStage(request.stage);
          break;
        case 'signIn': {
          const answer = await client.signIn(request.upn);
          if (!answer.accepted) throw new Error(`signIn answered ${answer.reason}`);
          break;
        }
        case 'factoryReset':
          await client.factoryReset();
          break;
        case 'stateReport': {
          const { type, ...report } = request;
          client.reportState({ ...report, device: { ...report.device, serialNumber } });
          break;
        }
      }
    }
  } finally {
    await client.close();
  }
}

/** What the layers say of the fleet's least cost on this machine. */
export interface DevicesSideFloor {
  /** Layer C's CPU a device and the stub's beside it: a fleet's least, against a backend that does no work. */
  leastCpuMsPerDevice: number;
  /** `devices` times that, shared over `cores`: the least wall time a fleet of `devices` can have here. */
  leastWallMs: number;
  devices: number;
  cores: number;
  layerCCpuMsPerDevice: number;
  stubCpuMsPerDevice: number;
  /** The real fleet's devices side (its process's CPU a device), beside layer C's. */
  fleetDevicesCpuMsPerDevice: number;
}

/**
 * Both sides of a fleet are busy at once, so its wall time is their CPU time shared over the cores (the
 * bench README's "What is left, measured"): with layer C as the devices' side and the stub as the backend, that is a
 * floor no backend's work can lower.
 */
export function devicesSideFloor(
  layers: DevicesSideLayers,
  fleet: { devices: number; devicesCpuMsPerDevice: number },
  cores: number,
): DevicesSideFloor {
  const walk = layers.layers.find((layer) => layer.layer === 'C');
  if (!walk || walk.median.stubCpuMsPerDevice === null)
    throw new Error('the floor needs layer C and the stub beside it');
  const leastCpuMsPerDevice = walk.median.cpuMsPerDevice + walk.median.stubCpuMsPerDevice;
  return {
    leastCpuMsPerDevice,
    leastWallMs: (fleet.devices * leastCpuMsPerDevice) / cores,
    devices: fleet.devices,
    cores,
    layerCCpuMsPerDevice: walk.median.cpuMsPerDevice,
    stubCpuMsPerDevice: walk.median.stubCpuMsPerDevice,
    fleetDevicesCpuMsPerDevice: fleet.devicesCpuMsPerDevice,
  };
}
