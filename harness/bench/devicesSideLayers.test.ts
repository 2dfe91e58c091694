import {
  devicesSideFloor,
  runDevicesSideLayers,
  type DevicesSideLayers,
  type Layer,
} from './devicesSideLayers';
import { recordExchanges, type ExchangeRecording } from './exchangeRecording';

/** The four layers on a few devices against the stub backend (the figures themselves are the bench's). */
describe('runDevicesSideLayers', () => {
  let recording: ExchangeRecording;
  beforeAll(async () => {
    recording = await recordExchanges();
  });

  test('every layer takes every device through and reports CPU time a device, the stub beside all but D', async () => {
    const result = await runDevicesSideLayers({ devices: 50, rounds: 1, recording });
    expect(result).toMatchObject({ devices: 50, concurrency: 64, rounds: 1 });
    expect(result.layers.map((layer) => layer.layer)).toEqual(['A', 'B', 'C', 'D']);
    for (const layer of result.layers) {
      expect(layer.rounds.map((round) => round.devices)).toEqual([50]);
      expect(layer.median.cpuMsPerDevice).toBeGreaterThan(0);
      expect(layer.median.wallMs).toBeGreaterThan(0);
      if (layer.layer === 'D') expect(layer.median.stubCpuMsPerDevice).toBeNull();
      else expect(layer.median.stubCpuMsPerDevice).toBeGreaterThan(0);
    }
  });

  test('a stub table missing a kind fails the run with one line naming the layer that met it', async () => {
    const { signIn, ...replies } = recording.replies;
    expect(signIn).toBeDefined();
    let caught: unknown;
    try {
      await runDevicesSideLayers({ devices: 50, rounds: 1, recording: { ...recording, replies } });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toMatch(
      /^layer A \(raw ws client [^)]*\) failed: device \d+ of 50: the stub answered signIn with error: the stub backend has no recorded reply to signIn/,
    );
    expect((caught as Error).message).not.toContain('\n');
  });

  test.each([
    ['B', /failed: device \d+ of 50: the stub backend has no recorded reply to signIn/],
    ['C', /failed: 50 of 50 devices failed \(\{"UNKNOWN_TYPE":50\}\), 0 never started$/],
    // The fleet's walk, which D walks too, names a failure by its code, as C's summary counts them.
    ['D', /failed: device \d+ of 50: UNKNOWN_TYPE$/],
  ] as const)('layer %s alone fails the same way, in its own words', async (layer, message) => {
    const { signIn, ...replies } = recording.replies;
    expect(signIn).toBeDefined();
    await expect(
      runDevicesSideLayers({ devices: 50, rounds: 1, recording: { ...recording, replies }, layers: [layer] }),
    ).rejects.toThrow(new RegExp(`^layer ${layer} \\([^)]*\\) ${message.source}`));
  });
});

describe('devicesSideFloor', () => {
  const layer = (name: Layer, cpuMsPerDevice: number, stubCpuMsPerDevice: number | null) => {
    const median = { wallMs: 4_000, cpuMsPerDevice, stubCpuMsPerDevice };
    return { layer: name, what: name, median, rounds: [{ devices: 10_000, ...median }] };
  };
  const measured = (layers: DevicesSideLayers['layers']): DevicesSideLayers => ({
    devices: 10_000,
    concurrency: 64,
    rounds: 1,
    layers,
  });

  test("layer C and the stub's CPU beside it, shared over the cores, is the least a fleet takes here", () => {
    const layers = measured([layer('A', 0.4, 0.3), layer('C', 0.8, 0.25), layer('D', 0.1, null)]);
    expect(devicesSideFloor(layers, { devices: 10_000, devicesCpuMsPerDevice: 0.69 }, 2)).toEqual({
      leastCpuMsPerDevice: 1.05,
      leastWallMs: 5_250,
      devices: 10_000,
      cores: 2,
      layerCCpuMsPerDevice: 0.8,
      stubCpuMsPerDevice: 0.25,
      fleetDevicesCpuMsPerDevice: 0.69,
    });
  });

  test('without layer C there is no floor to tell', () => {
    expect(() =>
      devicesSideFloor(measured([layer('D', 0.1, null)]), { devices: 10, devicesCpuMsPerDevice: 1 }, 2),
    ).toThrow('the floor needs layer C and the stub beside it');
  });
});
