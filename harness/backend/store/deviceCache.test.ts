import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../clock';
import { startBackend } from '../server';
import { GraphTestClient, createProfile } from '../testing/graphTestClient';
import { RawChannel } from '../testing/rawChannel';
import { BoundedCache } from './boundedCache';
import type { DeviceRecord } from './repository';
import { SqliteStore } from './SqliteStore';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const identity = (index: number) => ({
  serialNumber: `CACHE-${String(index).padStart(3, '0')}`,
  manufacturer: 'Google',
  model: 'Pixel 8',
  osVersion: '14',
});

/** A store opened afresh reads every record from its row: what the database really holds. */
function fromDisk(dbPath: string, id: string): DeviceRecord | undefined {
  const reader = new SqliteStore(dbPath);
  try {
    return reader.getDevice(id);
  } finally {
    reader.close();
  }
}

describe('BoundedCache', () => {
  it('drops the least recently used entry, where reading an entry counts as using it', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      cache.set(key, value);
    expect(cache.get('a')).toBe(1); // a is now the newest: b is the oldest
    cache.set('d', 4);
    expect([cache.get('b'), cache.size]).toEqual([undefined, 3]);
    cache.set('c', 30); // writing counts too: a is the oldest now
    cache.set('e', 5);
    expect(['a', 'c', 'd', 'e'].map((key) => cache.get(key))).toEqual([undefined, 30, 4, 5]);
    expect(cache.delete('e')).toBe(true);
    expect([cache.get('e'), cache.size]).toEqual([undefined, 2]);
  });

  it('refuses a bound below 1', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

describe('the bounded device cache', () => {
  it('never holds more devices than its bound, and reads evicted ones back from SQLite as they were saved', () => {
    const dbPath = join(dir, 'bounded.db');
    const store = new SqliteStore(dbPath, { deviceCacheSize: 3 });
    try {
      const saved = new Map<string, DeviceRecord>();
      for (let index = 0; index < 20; index += 1) {
        const registered = store.registerDevice(identity(index), 1_000 + index, `id-${index}`);
        const next: DeviceRecord = {
          ...registered,
          stage: 'staged',
          flow: 'deviceStaging',
          profileName: `Profile ${index}`,
          deliveries: [
            {
              id: `policy-${index}`,
              kind: 'deviceConfiguration',
              odataType: '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
              displayName: `Policy ${index}`,
              intent: null,
            },
          ],
          managed: true,
          lastChangeAt: 2_000 + index,
          lastReply: { requestId: `r${index}`, type: 'completeStage', body: `{"index":${index}}` },
        };
        store.saveDevice(next, {
          deviceId: next.id,
          serialNumber: next.serialNumber,
          fromStage: null,
          toStage: 'staged',
          at: next.lastChangeAt,
          actor: 'vendor',
          tokenId: null,
        });
        saved.set(next.id, next);
        expect(store.deviceCacheStats()).toEqual({ size: Math.min(index + 1, 3), max: 3 });
      }
      // The first devices left the cache long ago; each comes back whole, by id and by serial number.
      for (const [id, record] of saved) {
        expect(store.getDevice(id)).toEqual(record);
        expect(store.getDeviceBySerial(record.serialNumber)).toEqual(record);
        expect(store.deviceCacheStats().size).toBeLessThanOrEqual(3);
      }
      expect(fromDisk(dbPath, 'id-0')).toEqual(saved.get('id-0'));
      // Saying hello again after eviction finds the device, not a new one.
      expect(store.registerDevice(identity(0), 9_999, 'another-id').id).toBe('id-0');
      expect(store.listLedger({ serialNumber: identity(0).serialNumber })).toHaveLength(1);
      // ... and one that comes back with other hardware facts keeps its id and gets them recorded.
      const updated = store.registerDevice({ ...identity(1), osVersion: '15' }, 9_999, 'yet-another-id');
      expect(updated).toMatchObject({ id: 'id-1', osVersion: '15' });
      expect(fromDisk(dbPath, 'id-1')).toMatchObject({ osVersion: '15' });
    } finally {
      store.close();
    }
  });

  it('refuses a bound that is not a whole number of at least 1, with one line', () => {
    expect(() => new SqliteStore(':memory:', { deviceCacheSize: 0 })).toThrow(
      /^the device cache size must be a whole number >= 1, not 0$/,
    );
  });

  it('enrolls more devices than the cache holds through the channel, and a resent request still gets its reply', async () => {
    const dbPath = join(dir, 'channel.db');
    const backend = await startBackend({
      dbPath,
      deviceCacheSize: 2,
      clock: fixedClock('2024-06-22T04:20:00Z'),
    });
    try {
      const admin = GraphTestClient.for(backend);
      const profile = await createProfile(admin, {});
      const channels: RawChannel[] = [];
      const staged: Array<{ id: string; requestId: string; reply: unknown }> = [];
      for (let index = 0; index < 6; index += 1) {
        const channel = await RawChannel.open(backend.channelUrl);
        channels.push(channel);
        await channel.hello(identity(index).serialNumber);
        expect(
          (await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' })).type,
        ).toBe('tokenAccepted');
        const requestId = `stage-${index}`;
        const reply = await channel.request({ type: 'completeStage', stage: 'staged', requestId });
        expect(reply).toMatchObject({ type: 'stageRecorded', record: { stage: 'staged' } });
        staged.push({ id: reply.record.managedDeviceId, requestId, reply });
      }
      expect((backend.store as SqliteStore).deviceCacheStats()).toEqual({ size: 2, max: 2 });
      // Device 0 fell out of both caches: its resend is answered from the reply kept with its change.
      const again = await channels[0]!.request({
        type: 'completeStage',
        stage: 'staged',
        requestId: staged[0]!.requestId,
      });
      expect(again).toEqual(staged[0]!.reply);
      // Every device is in the store as the database has it, one ledger entry per transition.
      for (const { id } of staged) {
        expect(backend.store.getDevice(id)).toEqual(fromDisk(dbPath, id));
        expect(backend.store.listLedger({ deviceId: id }).map((entry) => entry.toStage)).toEqual([
          'tokenCreated',
          'staged',
        ]);
      }
      await Promise.all(channels.map((channel) => channel.close()));
    } finally {
      await backend.close();
    }
  });
});

describe('devices by stage, kept as they change', () => {
  /** What the database says, counted afresh by a store opened on the same file. */
  const counted = (dbPath: string) => {
    const reader = new SqliteStore(dbPath);
    try {
      return reader.countDevicesByStage();
    } finally {
      reader.close();
    }
  };

  it('agrees with a fresh count after inserts, stage changes, evictions and hellos again', () => {
    const dbPath = join(dir, 'stages.db');
    const store = new SqliteStore(dbPath, { deviceCacheSize: 2 });
    try {
      store.registerDevice(identity(0), 1_000, 'id-0');
      expect(store.countDevicesByStage()).toEqual({ none: 1 });
      for (let index = 1; index < 6; index++) store.registerDevice(identity(index), 1_000, `id-${index}`);
      const stage = (index: number, toStage: 'staged' | 'enrolled') => {
        const device = store.getDevice(`id-${index}`)!;
        store.saveDevice(
          { ...device, stage: toStage, lastChangeAt: 2_000 + index },
          {
            deviceId: device.id,
            serialNumber: device.serialNumber,
            fromStage: device.stage,
            toStage,
            at: 2_000 + index,
            actor: 'vendor',
            tokenId: null,
          },
        );
      };
      // id-0 was dropped from the two-device cache long ago: its stage before comes from its row.
      stage(0, 'staged');
      stage(1, 'staged');
      stage(0, 'enrolled');
      // A save that changes no stage, and a hello again, move nothing.
      store.saveDevice({ ...store.getDevice('id-2')!, lastChangeAt: 3_000 });
      store.registerDevice(identity(3), 3_000, 'unused-id');
      expect(store.countDevicesByStage()).toEqual({ none: 4, staged: 1, enrolled: 1 });
      expect(counted(dbPath)).toEqual(store.countDevicesByStage());
    } finally {
      store.close();
    }
  });
});
