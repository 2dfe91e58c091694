import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafStateNodes, pathOfNode } from '../../../agent/model/inspect';
import type { StateReportMessage } from '../../../agent/protocol/messages';
import { SqliteStore } from '../store/SqliteStore';
import { LIVE_DEVICE_CACHE_SIZE, LiveDevices } from './liveDevices';

const STATES = leafStateNodes().map(pathOfNode);

function reportOf(
  serialNumber: string,
  state: string,
  values: Record<string, string> = {},
): StateReportMessage {
  return {
    type: 'stateReport',
    device: { serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
    state,
    values,
  };
}

describe('LiveDevices', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore();
  });
  afterEach(() => store.close());

  it('keeps the latest report of each device and the number of devices per state', () => {
    const live = new LiveDevices(store);
    const [first, second] = [STATES[0]!, STATES[1]!];
    expect(live.report(reportOf('LIVE-1', first, { screen: 'a' }), 1_000)).toBeNull();
    expect(live.report(reportOf('LIVE-2', first), 2_000)).toBeNull();
    expect(live.report(reportOf('LIVE-1', second, { screen: 'b' }), 3_000)).toBeNull();
    expect(live.size()).toBe(2);
    expect(live.countsByState()[first]).toBe(1);
    expect(live.countsByState()[second]).toBe(1);
    expect(live.get('LIVE-1')).toEqual({
      serialNumber: 'LIVE-1',
      device: reportOf('LIVE-1', second).device,
      state: second,
      values: { screen: 'b' },
      reportedAt: 3_000,
    });
    expect(store.countStateReports()).toEqual(
      new Map([
        [first, 1],
        [second, 1],
      ]),
    );
  });

  it('a state the model does not have is refused in one line and changes nothing', () => {
    const live = new LiveDevices(store);
    live.report(reportOf('LIVE-3', STATES[0]!));
    expect(live.report(reportOf('LIVE-3', 'noSuch.state'))).toBe(
      'state: "noSuch.state" is not a state of the device model',
    );
    expect(live.get('LIVE-3')?.state).toBe(STATES[0]);
    expect(live.size()).toBe(1);
    expect(Object.values(live.countsByState()).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('holds at most its bound in memory, and reads every device past it back from the store', () => {
    const live = new LiveDevices(store);
    const devices = LIVE_DEVICE_CACHE_SIZE + 500;
    for (let i = 0; i < devices; i++) live.report(reportOf(`MANY-${i}`, STATES[i % STATES.length]!));
    expect(live.cacheStats()).toEqual({ size: LIVE_DEVICE_CACHE_SIZE, max: LIVE_DEVICE_CACHE_SIZE });
    expect(live.size()).toBe(devices);
    // The oldest were dropped from memory: their reports come from the store, and a new report of one
    // moves the counts from the state it was in.
    expect(live.get('MANY-0')?.state).toBe(STATES[0]);
    live.report(reportOf('MANY-1', STATES[0]!));
    const expected: Record<string, number> = {};
    for (let i = 0; i < devices; i++) {
      const state = i === 1 ? STATES[0]! : STATES[i % STATES.length]!;
      expected[state] = (expected[state] ?? 0) + 1;
    }
    for (const state of STATES) expect(live.countsByState()[state]).toBe(expected[state] ?? 0);
    expect([...store.countStateReports().values()].reduce((a, b) => a + b, 0)).toBe(devices);
  });

  it('a stored report of a state the model no longer has is kept, not shown, until its device reports again', () => {
    // As an older model would have left it in a database file.
    for (const serialNumber of ['OLD-1', 'OLD-2']) {
      const { device, state, values } = reportOf(serialNumber, 'retired.state');
      store.saveStateReport({ serialNumber, device, state, values, reportedAt: 1_000 });
    }
    const live = new LiveDevices(store);
    expect(live.hiddenStates()).toEqual(['retired.state']);
    expect(live.size()).toBe(0);
    expect(live.get('OLD-1')).toBeUndefined();
    expect(live.report(reportOf('OLD-1', STATES[2]!), 2_000)).toBeNull();
    expect(live.size()).toBe(1);
    expect(live.countsByState()[STATES[2]!]).toBe(1);
    expect(live.get('OLD-1')?.state).toBe(STATES[2]);
    expect(store.getStateReport('OLD-2')?.state).toBe('retired.state');
  });

  it('a backend restarted on its database file shows where every device was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagesim-live-'));
    try {
      const file = join(dir, 'live.db');
      const before = new SqliteStore(file);
      const live = new LiveDevices(before);
      live.report(reportOf('KEPT-1', STATES[0]!, { note: 'x' }), 5_000);
      live.report(reportOf('KEPT-2', STATES[1]!), 6_000);
      const counts = live.countsByState();
      before.close();
      const after = new SqliteStore(file);
      try {
        const again = new LiveDevices(after);
        expect(again.size()).toBe(2);
        expect(again.countsByState()).toEqual(counts);
        expect(again.get('KEPT-1')).toMatchObject({
          state: STATES[0],
          values: { note: 'x' },
          reportedAt: 5_000,
        });
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
