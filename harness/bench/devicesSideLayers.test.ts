import { runDevicesSideLayers } from './devicesSideLayers';
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
    ['D', /failed: device \d+ of 50: UNKNOWN_TYPE: no recorded reply to signIn$/],
  ] as const)('layer %s alone fails the same way, in its own words', async (layer, message) => {
    const { signIn, ...replies } = recording.replies;
    expect(signIn).toBeDefined();
    await expect(
      runDevicesSideLayers({ devices: 50, rounds: 1, recording: { ...recording, replies }, layers: [layer] }),
    ).rejects.toThrow(new RegExp(`^layer ${layer} \\([^)]*\\) ${message.source}`));
  });
});
