import { fleetDeviceSpec } from '../fleet/runShard';
import { asDevice, runBackendAlone } from './backendAlone';
import type { RecordedRequest } from './exchangeRecording';

describe('asDevice', () => {
  const recorded = fleetDeviceSpec(0, 'BREC', 'contoso.com');
  const other = fleetDeviceSpec(6, 'BACK1', 'contoso.com');
  const { upn: recordedUpn, ...recordedIdentity } = recorded;
  const { upn, ...identity } = other;

  test("puts the other device's identity and user where the recorded device's are, and leaves the rest", () => {
    expect(recorded.manufacturer).not.toBe(other.manufacturer);
    const requests: RecordedRequest[] = [
      { type: 'hello', requestId: 'r1', device: recordedIdentity },
      { type: 'redeemToken', requestId: 'r2', token: 'KTJUN62X9P5VUFRCKDM5', method: 'qr' },
      { type: 'completeStage', requestId: 'r3', stage: 'staged' },
      { type: 'signIn', requestId: 'r4', upn: recordedUpn },
      {
        type: 'stateReport',
        device: recordedIdentity,
        state: 'enrolled.readyForWork',
        values: { account: recordedUpn, note: `serial ${recorded.serialNumber}` },
      },
    ];
    expect(requests.map((request) => asDevice(request, recorded, other))).toEqual([
      { type: 'hello', requestId: 'r1', device: identity },
      { type: 'redeemToken', requestId: 'r2', token: 'KTJUN62X9P5VUFRCKDM5', method: 'qr' },
      { type: 'completeStage', requestId: 'r3', stage: 'staged' },
      { type: 'signIn', requestId: 'r4', upn },
      {
        type: 'stateReport',
        device: identity,
        state: 'enrolled.readyForWork',
        values: { account: upn, note: `serial ${other.serialNumber}` },
      },
    ]);
  });
});

/** The real embedded backend in its own process; the figures themselves are the bench's. */
describe('runBackendAlone', () => {
  test('every device of every round registers, stages and enrolls as a device of its own, answered as the recorded one was', async () => {
    // Two rounds on one backend: a device sent as the recorded one, or as one of the round before,
    // would be answered as an enrolled device (STAGE_OUT_OF_ORDER) and fail the run.
    const result = await runBackendAlone({ devices: 40, rounds: 2 });
    expect(result).toMatchObject({ devices: 40, concurrency: 64 });
    expect(result.rounds.map((round) => round.devices)).toEqual([40, 40]);
    for (const round of result.rounds) {
      expect(round.backendCpuMsPerDevice).toBeGreaterThan(0);
      expect(round.devicesCpuMsPerDevice).toBeGreaterThan(0);
    }
    expect(result.rounds.map((round) => round.wallMs)).toContain(result.median.wallMs);
  });

  test.each([
    [{ devices: 0 }, 'the backend alone: devices: at least 1 device'],
    [{ devices: 10, rounds: 0 }, 'the backend alone: rounds: at least 1 round'],
    [{ devices: 2.5 }, /^the backend alone: devices: /],
  ])('refuses %j in one line, before starting a backend', async (options, message) => {
    await expect(runBackendAlone(options)).rejects.toThrow(message);
  });
});
