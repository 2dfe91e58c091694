import { leafStateNodes, pathOfNode } from '../../../agent/model/inspect';
import { SqliteStore } from '../store/SqliteStore';
import type { DeviceRecord } from '../store/repository';
import { DeviceReport, deviceReportQuerySchema, type DeviceReportQuery } from './deviceReport';
import { LiveDevices } from './liveDevices';

const [STATE_A, STATE_B] = leafStateNodes().map(pathOfNode) as [string, string];

/**
 * The devices report over a real SQLite store: which devices are rows, how they sort, what the search
 * and the filters find, and paging, each against rows written out here by hand.
 */
describe('DeviceReport', () => {
  let store: SqliteStore;
  let live: LiveDevices;
  let report: DeviceReport;
  beforeEach(() => {
    store = new SqliteStore();
    live = new LiveDevices(store);
    report = new DeviceReport(store, live);
  });
  afterEach(() => store.close());

  const identity = (serialNumber: string) => ({
    serialNumber,
    manufacturer: 'Google',
    model: 'Pixel 8',
    osVersion: '14',
  });

  /** A device the backend registered, then changed as `changes` say. */
  function device(serialNumber: string, changes: Partial<DeviceRecord> = {}): void {
    const registered = store.registerDevice(identity(serialNumber), 100, `id-${serialNumber}`);
    store.saveDevice({ ...registered, ...changes });
  }

  function screen(serialNumber: string, state: string, at: number): void {
    expect(
      live.report({ type: 'stateReport', device: identity(serialNumber), state, values: {} }, at),
    ).toBeNull();
  }

  const query = (raw: Record<string, unknown> = {}) =>
    report.query(deviceReportQuerySchema.parse(raw) as DeviceReportQuery);
  const serials = (raw: Record<string, unknown> = {}) => query(raw).value.map((row) => row.serialNumber);

  const managed = (name: string, at: number, more: Partial<DeviceRecord> = {}): Partial<DeviceRecord> => ({
    stage: 'staged',
    managed: true,
    managedName: name,
    lastChangeAt: at,
    profileName: 'Warehouse',
    enrollmentMode: 'corporateOwnedDedicatedDevice',
    ...more,
  });

  it('has a row for every managed device and every device that reported, and no other', () => {
    device('M-NO-REPORT', managed('Staging_1', 1_000));
    device('M-REPORT', managed('Staging_2', 2_000));
    screen('M-REPORT', STATE_A, 2_500);
    device('REDEEMED-REPORT', { stage: 'tokenCreated', profileName: 'Kiosk', lastChangeAt: 3_000 });
    screen('REDEEMED-REPORT', STATE_B, 3_500);
    device('REGISTERED-ONLY', { profileName: 'Hidden profile', lastChangeAt: 4_000 });
    screen('REPORT-ONLY', STATE_A, 5_000);

    const page = query({ sort: 'name', order: 'asc' });
    expect(page.total).toBe(4);
    expect(page.value).toEqual([
      expect.objectContaining({
        serialNumber: 'REDEEMED-REPORT',
        name: 'REDEEMED-REPORT',
        managedDeviceId: null,
        stage: 'tokenCreated',
        profile: 'Kiosk',
        modelState: STATE_B,
      }),
      expect.objectContaining({
        serialNumber: 'REPORT-ONLY',
        name: 'REPORT-ONLY',
        stage: 'notRecorded',
        profile: null,
        modelState: STATE_A,
        lastTransition: new Date(5_000).toISOString(),
      }),
      expect.objectContaining({
        serialNumber: 'M-NO-REPORT',
        name: 'Staging_1',
        managedDeviceId: 'id-M-NO-REPORT',
        modelState: null,
        lastTransition: new Date(1_000).toISOString(),
      }),
      expect.objectContaining({
        serialNumber: 'M-REPORT',
        name: 'Staging_2',
        modelState: STATE_A,
        lastTransition: new Date(2_000).toISOString(),
      }),
    ]);
    // The filter's profile names are those of the rows: not the registered-only device's.
    expect(report.profileNames()).toEqual(['Kiosk', 'Warehouse']);
  });

  it('sorts by the last transition, or the last report for a device with none, newest first by default', () => {
    device('RECORDED-OLD', managed('A', 1_000));
    screen('RECORDED-OLD', STATE_A, 9_000); // a later report does not move a recorded transition
    screen('REPORTED', STATE_A, 5_000);
    device('RECORDED-NEW', managed('B', 7_000));
    expect(serials()).toEqual(['RECORDED-NEW', 'REPORTED', 'RECORDED-OLD']);
    expect(serials({ order: 'asc' })).toEqual(['RECORDED-OLD', 'REPORTED', 'RECORDED-NEW']);
  });

  it('breaks ties by serial number, in the direction asked for', () => {
    for (const serial of ['T-2', 'T-3', 'T-1']) device(serial, managed('Same name', 1_000));
    expect(serials({ sort: 'name', order: 'asc' })).toEqual(['T-1', 'T-2', 'T-3']);
    expect(serials({ sort: 'name', order: 'desc' })).toEqual(['T-3', 'T-2', 'T-1']);
    expect(serials({ sort: 'lastTransition', order: 'desc' })).toEqual(['T-3', 'T-2', 'T-1']);
  });

  it('sorts by stage with not recorded among the stage names, and by user, profile and mode', () => {
    device(
      'E',
      managed('E', 1, {
        stage: 'enrolled',
        upn: 'zoe@contoso.com',
        profileName: 'B',
        enrollmentMode: 'corporateOwnedWorkProfile',
      }),
    );
    device('S', managed('S', 2, { signedInUpn: 'amy@contoso.com', profileName: 'C' }));
    screen('N', STATE_A, 3);
    expect(serials({ sort: 'stage', order: 'asc' })).toEqual(['E', 'N', 'S']); // enrolled, notRecorded, staged
    expect(serials({ sort: 'user', order: 'asc' })).toEqual(['N', 'S', 'E']); // '', amy (signed in), zoe
    expect(serials({ sort: 'profile', order: 'desc' })).toEqual(['S', 'E', 'N']);
    expect(serials({ sort: 'mode', order: 'asc' })).toEqual(['N', 'S', 'E']);
  });

  it('searches the name, serial number, user and profile without regard to case, accents included', () => {
    device('SER-1', managed('Staging_Lobby', 1, { upn: 'Émilie@contoso.com', stage: 'enrolled' }));
    device('SER-2', managed('Staging_Dock', 2, { profileName: 'Front Desk' }));
    screen('ser-3', STATE_A, 3);
    expect(serials({ search: 'émilie' })).toEqual(['SER-1']);
    expect(serials({ search: 'LOBBY' })).toEqual(['SER-1']);
    expect(serials({ search: 'front desk' })).toEqual(['SER-2']);
    // Names sort by code point, capitals first, as the console shows them.
    expect(serials({ search: '  Ser-  ', sort: 'name', order: 'asc' })).toEqual(['SER-2', 'SER-1', 'ser-3']);
    expect(query({ search: 'nowhere' })).toEqual({ total: 0, offset: 0, value: [] });
  });

  it('filters by stage (not recorded included), profile and reported state', () => {
    device('STAGED', managed('A', 1));
    device('ENROLLED', managed('B', 2, { stage: 'enrolled', profileName: 'Kiosk' }));
    screen('ENROLLED', STATE_B, 3);
    screen('FRESH', STATE_A, 4);
    expect(serials({ stage: 'notRecorded' })).toEqual(['FRESH']);
    expect(serials({ stage: 'staged' })).toEqual(['STAGED']);
    expect(serials({ profile: 'Kiosk' })).toEqual(['ENROLLED']);
    expect(serials({ state: STATE_A })).toEqual(['FRESH']);
    expect(serials({ state: STATE_B, stage: 'staged' })).toEqual([]);
  });

  it('pages, and a page past the last row still says how many rows there are', () => {
    for (let i = 0; i < 7; i++) screen(`P-${i}`, STATE_A, 1_000 + i);
    expect(query({ limit: 3 }).value.map((row) => row.serialNumber)).toEqual(['P-6', 'P-5', 'P-4']);
    expect(query({ limit: 3, offset: 6 })).toMatchObject({
      total: 7,
      offset: 6,
      value: [expect.objectContaining({ serialNumber: 'P-0' })],
    });
    expect(query({ limit: 3, offset: 50 })).toEqual({ total: 7, offset: 50, value: [] });
    expect(query({ limit: 3, offset: 50, state: STATE_B })).toEqual({ total: 0, offset: 50, value: [] });
  });

  it('leaves out a stored report of a state the model no longer has, but not its managed device', () => {
    device('M-RETIRED', managed('Staging_9', 1));
    for (const serialNumber of ['M-RETIRED', 'RETIRED-ONLY'])
      store.saveStateReport({
        serialNumber,
        device: identity(serialNumber),
        state: 'retired.state',
        values: {},
        reportedAt: 2,
      });
    const restarted = new DeviceReport(store, new LiveDevices(store));
    const page = restarted.query(deviceReportQuerySchema.parse({}) as DeviceReportQuery);
    expect(page.total).toBe(1);
    expect(page.value[0]).toMatchObject({ serialNumber: 'M-RETIRED', modelState: null, screenTitle: null });
    expect(restarted.profileNames()).toEqual(['Warehouse']);
  });

  it('reads a device record past the store cache from its row', () => {
    const small = new SqliteStore(':memory:', { deviceCacheSize: 1 });
    try {
      const smallReport = new DeviceReport(small, new LiveDevices(small));
      for (const serial of ['C-1', 'C-2', 'C-3']) {
        const registered = small.registerDevice(identity(serial), 1, `id-${serial}`);
        small.saveDevice({ ...registered, ...managed(`Name ${serial}`, 10) });
      }
      expect(
        smallReport
          .query(deviceReportQuerySchema.parse({ sort: 'name', order: 'asc' }) as DeviceReportQuery)
          .value.map((row) => row.name),
      ).toEqual(['Name C-1', 'Name C-2', 'Name C-3']);
      expect(smallReport.record('C-1')?.managedName).toBe('Name C-1');
    } finally {
      small.close();
    }
  });
});
