import { RawChannel } from '../backend/testing/rawChannel';
import { EmbeddedBackends, externalBackend, type ScenarioBackend } from './scenarioBackend';

/**
 * A device says hello on the backend's channel and redeems a new profile's token: a device record and a
 * ledger entry written (a hello alone writes nothing a reader sees: the device is not managed yet).
 */
async function redeem(backend: ScenarioBackend, serial: string): Promise<void> {
  const profile = await backend.admin.createProfile({
    displayName: `profile of ${serial}`,
    enrollmentMode: 'corporateOwnedFullyManaged',
    enrollmentTokenType: 'deviceStaging',
  });
  const channel = await RawChannel.open(`${backend.url.replace(/^http/, 'ws')}/device`);
  try {
    expect((await channel.hello(serial)).type).toBe('helloAck');
    const redeemed = await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    expect(redeemed.type).toBe('tokenAccepted');
  } finally {
    await channel.close();
  }
}

describe("a scenario backend's devicesRevision", () => {
  const backends = new EmbeddedBackends();
  afterAll(() => backends.close());

  it('moves with every device record written on a lent in-memory backend, and again when it is lent reset', async () => {
    const first = await backends.lend(false);
    const start = first.devicesRevision!();
    await redeem(first, 'REV-001');
    const afterHello = first.devicesRevision!();
    expect(afterHello).toBeGreaterThan(start);
    await first.close();
    const second = await backends.lend(false);
    expect(second.url).toBe(first.url); // the same backend, reset for the next scenario
    expect(second.devicesRevision!()).toBeGreaterThan(afterHello);
    await second.close();
  });

  it('never goes back on a backend that restarts, though the restarted store counts from 0', async () => {
    const backend = await backends.lend(true);
    try {
      await redeem(backend, 'REV-002');
      await redeem(backend, 'REV-003');
      const beforeRestart = backend.devicesRevision!();
      await backend.restart();
      const afterRestart = backend.devicesRevision!();
      expect(afterRestart).toBeGreaterThan(beforeRestart);
      await redeem(backend, 'REV-004');
      expect(backend.devicesRevision!()).toBeGreaterThan(afterRestart);
    } finally {
      await backend.close();
    }
  });

  it('is not there for a backend somebody else runs: its writes cannot be seen from here', () => {
    expect(externalBackend('http://127.0.0.1:9').devicesRevision).toBeUndefined();
  });
});
