import { startBackend, type RunningBackend } from '../backend/server';
import { GraphTestClient, createProfile } from '../backend/testing/graphTestClient';
import { RawChannel } from '../backend/testing/rawChannel';
import { AdminClient } from './AdminClient';
import { DeviceRecordReader } from './DeviceRecordReader';

const SERIAL = 'READER-001';
const hardware = { serialNumber: SERIAL, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' };

let backend: RunningBackend;
let channel: RawChannel;
let admin: AdminClient;
/** The requests the reader's admin client sent (two per read that went to the backend). */
let sent: number;
/**
 * What the backend answers now, asked through an admin client of its own rather than through the
 * reader under test: the oracle every read is held to.
 */
const fresh = async () => {
  const own = new AdminClient(backend.url);
  return { device: await own.managedDeviceBySerial(SERIAL), ledger: await own.ledger(SERIAL) };
};

beforeEach(async () => {
  backend = await startBackend();
  channel = await RawChannel.open(backend.channelUrl);
  admin = new AdminClient(backend.url);
  sent = 0;
  for (const method of ['managedDeviceBySerial', 'ledger'] as const) {
    const real = admin[method].bind(admin);
    jest.spyOn(admin, method).mockImplementation(async (serial?: string) => {
      sent += 1;
      return real(serial!) as never;
    });
  }
});
afterEach(async () => {
  await channel.close();
  await backend.close();
});

describe('DeviceRecordReader', () => {
  it('reads a device again only after a device record or ledger entry was written, and then as the backend has it', async () => {
    const reader = new DeviceRecordReader(admin, () => backend.store.devicesRevision);
    const steps: Array<[string, () => Promise<unknown>, number]> = [];
    const profile = await createProfile(GraphTestClient.for(backend), {});
    steps.push(
      ['nothing yet', async () => undefined, 2],
      ['nothing written', async () => undefined, 0],
      ['hello: the device is registered, still in no managedDevice', () => channel.hello(SERIAL), 0],
      ['hello again, same hardware: nothing written', () => channel.hello(SERIAL), 0],
      [
        'hello with another Android version before enrollment: in no managedDevice either',
        () => channel.hello(SERIAL, '13'),
        0,
      ],
      [
        'a state report (then a hello, so it was handled)',
        async () => {
          channel.sendRaw(
            JSON.stringify({
              type: 'stateReport',
              device: hardware,
              state: 'setupWizard.signIn',
              values: {},
            }),
          );
          await channel.hello(SERIAL);
          expect(backend.store.getStateReport(SERIAL)).toBeDefined();
        },
        0,
      ],
      [
        'a token redeemed: a ledger entry',
        () => channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
        2,
      ],
      ['another profile: no device written', () => createProfile(GraphTestClient.for(backend), {}), 0],
      ['stage 2 recorded', () => channel.request({ type: 'completeStage', stage: 'staged' }), 2],
      [
        'hello with another Android version once managed: its managedDevice shows it',
        () => channel.hello(SERIAL, '15'),
        2,
      ],
      ['a reset', () => backend.reset(), 2],
    );
    let before = sent;
    for (const [what, act, requests] of steps) {
      await act();
      const record = await reader.read(SERIAL);
      expect([what, sent - before]).toEqual([what, requests]);
      expect([what, record]).toEqual([what, await fresh()]);
      before = sent;
    }
  });

  it('shows what each step wrote, read against the backend itself', async () => {
    const reader = new DeviceRecordReader(admin, () => backend.store.devicesRevision);
    const profile = await createProfile(GraphTestClient.for(backend), {});
    await channel.hello(SERIAL);
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    expect((await reader.read(SERIAL)).ledger.map((entry) => entry.toStage)).toEqual(['tokenCreated']);
    await channel.request({ type: 'completeStage', stage: 'staged' });
    const staged = await reader.read(SERIAL);
    expect([staged.device?.simulatorEnrollmentStage, staged.ledger.map((entry) => entry.toStage)]).toEqual([
      'staged',
      ['tokenCreated', 'staged'],
    ]);
  });

  it('reads again after a write that landed while its requests were on the way', async () => {
    const reader = new DeviceRecordReader(admin, () => backend.store.devicesRevision);
    const profile = await createProfile(GraphTestClient.for(backend), {});
    await channel.hello(SERIAL);
    const reading = reader.read(SERIAL);
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await reading;
    const before = sent;
    const record = await reader.read(SERIAL);
    expect(sent - before).toBe(2);
    expect(record).toEqual(await fresh());
    expect(record.ledger.map((entry) => entry.toStage)).toEqual(['tokenCreated']);
  });

  it('keeps each device apart', async () => {
    const reader = new DeviceRecordReader(admin, () => backend.store.devicesRevision);
    const profile = await createProfile(GraphTestClient.for(backend), {});
    await channel.hello(SERIAL);
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    expect((await reader.read(SERIAL)).ledger).toHaveLength(1);
    expect(await reader.read('READER-002')).toEqual({ device: null, ledger: [] });
  });

  it('without a revision (a backend in another process), sends every read to the backend', async () => {
    const reader = new DeviceRecordReader(admin);
    for (let read = 0; read < 3; read += 1) await reader.read(SERIAL);
    expect(sent).toBe(6);
  });

  it('passes on the admin client error of a backend that is gone, and caches nothing', async () => {
    const reader = new DeviceRecordReader(admin, () => 7);
    await backend.close();
    await expect(reader.read(SERIAL)).rejects.toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    await expect(reader.read(SERIAL)).rejects.toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect(sent).toBe(4);
    backend = await startBackend();
    channel = await RawChannel.open(backend.channelUrl);
  });
});
