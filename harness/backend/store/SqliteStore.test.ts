import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixedClock } from '../clock';
import { startBackend } from '../server';
import {
  GraphTestClient,
  PROFILES,
  assignLockdownThroughFilter,
  createProfile,
  createAssignmentFilter,
} from '../testing/graphTestClient';
import { RawChannel } from '../testing/rawChannel';
import { MIGRATIONS } from './migrations';
import { SqliteStore } from './SqliteStore';

/** @odata.context names the backend's port, which a restart changes. */
const withoutContext = ({ '@odata.context': _context, ...body }: Record<string, unknown>) => body;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore on a file', () => {
  it('keeps profiles, tokens, devices, targeting and the ledger across a restart', async () => {
    const dbPath = join(dir, 'backend.db');
    const clock = () => fixedClock('2024-06-22T04:20:00Z');
    const first = await startBackend({ dbPath, clock: clock() });
    let admin = GraphTestClient.for(first);
    const profile = await createProfile(admin, { displayName: 'Persisted' });
    const replacedToken = profile.tokenValue;
    await admin.post(`${PROFILES}/${profile.id}/createToken`);
    const current = (await admin.get(`${PROFILES}/${profile.id}`)).body;
    const filter = await createAssignmentFilter(admin, 'All Pixels', 'device.model -startsWith "Pixel"');
    const staff = (
      await admin.post('/beta/groups', {
        displayName: 'Staff',
        'members@odata.bind': ['https://graph.microsoft.com/v1.0/users/john@contoso.com'],
      })
    ).body;
    const policy = await assignLockdownThroughFilter(admin, filter.id);
    const app = (
      await admin.post('/beta/deviceAppManagement/mobileApps', {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'Teams',
        packageId: 'com.microsoft.teams',
      })
    ).body;
    await admin.post(`/beta/deviceAppManagement/mobileApps/${app.id}/assign`, {
      mobileAppAssignments: [
        {
          intent: 'required',
          target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: staff.id },
          settings: {
            '@odata.type': '#microsoft.graph.androidManagedStoreAppAssignmentSettings',
            autoUpdateMode: 'priority',
          },
        },
      ],
    });

    const channel = await RawChannel.open(first.channelUrl);
    await channel.hello('PERSIST1');
    await channel.request({ type: 'redeemToken', token: current.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
    await channel.close();

    const before = {
      profiles: withoutContext((await admin.get(PROFILES)).body),
      devices: withoutContext((await admin.get('/beta/deviceManagement/managedDevices')).body),
      ledger: (await admin.get('/simulator/ledger')).body,
      groups: withoutContext((await admin.get('/beta/groups')).body),
      members: withoutContext((await admin.get(`/beta/groups/${staff.id}/members`)).body),
      assignments: withoutContext(
        (await admin.get(`/beta/deviceAppManagement/mobileApps/${app.id}/assignments`)).body,
      ),
      policy: withoutContext(
        (await admin.get(`/beta/deviceManagement/deviceConfigurations/${policy.id}`)).body,
      ),
    };
    await first.close();

    const second = await startBackend({ dbPath, clock: clock() });
    try {
      admin = GraphTestClient.for(second);
      expect(withoutContext((await admin.get(PROFILES)).body)).toEqual(before.profiles);
      expect(withoutContext((await admin.get('/beta/deviceManagement/managedDevices')).body)).toEqual(
        before.devices,
      );
      expect((await admin.get('/simulator/ledger')).body).toEqual(before.ledger);
      expect(withoutContext((await admin.get('/beta/groups')).body)).toEqual(before.groups);
      expect(withoutContext((await admin.get(`/beta/groups/${staff.id}/members`)).body)).toEqual(
        before.members,
      );
      expect(
        withoutContext((await admin.get(`/beta/deviceAppManagement/mobileApps/${app.id}/assignments`)).body),
      ).toEqual(before.assignments);
      expect(
        withoutContext((await admin.get(`/beta/deviceManagement/deviceConfigurations/${policy.id}`)).body),
      ).toEqual(before.policy);

      // The device resumes where it was: staged, its sign-in accepted, and targeting still applies.
      const again = await RawChannel.open(second.channelUrl);
      expect((await again.hello('PERSIST1')).record).toMatchObject({ stage: 'staged' });
      const enrolled = await again.request({ type: 'completeStage', stage: 'enrolled' });
      expect(enrolled.deliveries).toEqual({ policies: ['Lockdown'], apps: ['Teams'] });
      // Tokens are still told apart by their digests.
      await again.hello('PERSIST2');
      expect(await again.request({ type: 'redeemToken', token: replacedToken, method: 'qr' })).toMatchObject({
        reason: 'replaced',
      });
      expect(
        await again.request({ type: 'redeemToken', token: current.tokenValue, method: 'qr' }),
      ).toMatchObject({ type: 'tokenAccepted' });
      await again.close();
    } finally {
      await second.close();
    }
  });

  it('serves cached profiles that always agree with the database, through every kind of profile write', async () => {
    const dbPath = join(dir, 'cached.db');
    const backend = await startBackend({ dbPath, clock: fixedClock('2024-06-22T04:20:00Z') });
    // A store opened afresh each time reads the rows, as the backend would after a restart.
    const fromDisk = (id: string) => {
      const reader = new SqliteStore(dbPath);
      try {
        return reader.getProfile(id);
      } finally {
        reader.close();
      }
    };
    try {
      const admin = GraphTestClient.for(backend);
      const profile = await createProfile(admin, { displayName: 'Cached' });
      const agrees = () => expect(backend.store.getProfile(profile.id)).toEqual(fromDisk(profile.id));
      agrees();
      for (const serial of ['CACHE1', 'CACHE2']) {
        const channel = await RawChannel.open(backend.channelUrl);
        await channel.hello(serial);
        expect(
          (await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' })).type,
        ).toBe('tokenAccepted');
        await channel.request({ type: 'completeStage', stage: 'staged' });
        await channel.close();
        agrees();
      }
      expect(backend.store.getProfile(profile.id)!.usageCount).toBe(2);
      await admin.patch(`${PROFILES}/${profile.id}`, {
        displayName: 'Cached, renamed',
        deviceNameTemplate: '{{SERIAL}}',
      });
      agrees();
      await admin.post(`${PROFILES}/${profile.id}/createToken`);
      agrees();
      await admin.post(`${PROFILES}/${profile.id}/revokeToken`);
      agrees();
      await admin.delete(`${PROFILES}/${profile.id}`);
      expect(backend.store.getProfile(profile.id)).toBeUndefined();
    } finally {
      await backend.close();
    }
  });

  it('uses WAL, records its schema version, and keeps only digests of tokens no longer current', async () => {
    const dbPath = join(dir, 'inspect.db');
    const backend = await startBackend({ dbPath });
    const admin = GraphTestClient.for(backend);
    const profile = await createProfile(admin, {});
    await admin.post(`${PROFILES}/${profile.id}/createToken`);
    expect(backend.store.schemaVersion()).toBe(MIGRATIONS.length);
    await backend.close();

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM schemaVersion').get()).toEqual({ version: MIGRATIONS.length });
      const tokens = db
        .prepare('SELECT value, state, length(valueHash) AS hashLength FROM tokens ORDER BY createdAt, rowid')
        .all();
      expect(tokens).toEqual([
        { value: null, state: 'replaced', hashLength: 32 },
        { value: expect.stringMatching(/^[A-Z2-9]{20}$/), state: 'active', hashLength: 32 },
      ]);
    } finally {
      db.close();
    }
  });

  it('moves a schema-2 database of simulatorPolicies and simulatorApps onto the Graph resources', async () => {
    const dbPath = join(dir, 'schema2.db');
    // The database as a stagesim before Graph's resources left it: two migrations, rows of their shape.
    const old = new Database(dbPath);
    old.exec('CREATE TABLE schemaVersion (version INTEGER NOT NULL)');
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.prepare('INSERT INTO schemaVersion (version) VALUES (2)').run();
    const insertPayload = old.prepare(
      'INSERT INTO payloads (id, kind, displayName, description, createdAt, modifiedAt) VALUES (?, ?, ?, NULL, 0, 0)',
    );
    insertPayload.run('11111111-1111-1111-1111-111111111111', 'policy', 'Lockdown');
    insertPayload.run('22222222-2222-2222-2222-222222222222', 'app', 'Teams');
    old
      .prepare(
        "INSERT INTO assignments (id, payloadId, targetType, groupId, filterId, filterType) VALUES ('a1', '22222222-2222-2222-2222-222222222222', 'allLicensedUsers', NULL, NULL, 'none')",
      )
      .run();
    old
      .prepare(
        `INSERT INTO devices (id, serialNumber, manufacturer, model, osVersion, registeredAt, stage, deliveries, lastChangeAt, managed)
         VALUES ('33333333-3333-3333-3333-333333333333', 'OLD1', 'Google', 'Pixel 8', '14', 0, 'enrolled', ?, 0, 1)`,
      )
      .run(JSON.stringify({ policies: ['Lockdown', 'Deleted since'], apps: ['Teams'] }));
    old.close();

    const backend = await startBackend({ dbPath });
    try {
      const admin = GraphTestClient.for(backend);
      expect(backend.store.schemaVersion()).toBe(MIGRATIONS.length);
      expect(
        (await admin.get('/beta/deviceManagement/deviceConfigurations/11111111-1111-1111-1111-111111111111'))
          .body,
      ).toMatchObject({
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        displayName: 'Lockdown',
        version: 1,
      });
      expect(
        (
          await admin.get(
            '/beta/deviceAppManagement/mobileApps/22222222-2222-2222-2222-222222222222/assignments',
          )
        ).body.value,
      ).toEqual([
        expect.objectContaining({
          intent: 'required',
          target: expect.objectContaining({
            '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget',
          }),
        }),
      ]);
      const device = (
        await admin.get('/beta/deviceManagement/managedDevices/33333333-3333-3333-3333-333333333333')
      ).body;
      // A name no resource has any more cannot be named by id: it is dropped.
      expect(device.simulatorDeliveredResources).toEqual([
        {
          '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
          id: '11111111-1111-1111-1111-111111111111',
          displayName: 'Lockdown',
          // Records from before assignments were named in them name none.
          assignmentIds: [],
        },
        {
          '@odata.type': '#microsoft.graph.androidManagedStoreApp',
          id: '22222222-2222-2222-2222-222222222222',
          displayName: 'Teams',
          intent: 'required',
          assignmentIds: [],
        },
      ]);
      expect([device.simulatorDeliveredPolicies, device.simulatorDeliveredApps]).toEqual([
        ['Lockdown'],
        ['Teams'],
      ]);
    } finally {
      await backend.close();
    }
  });
});

describe('SqliteStore in memory', () => {
  // In-memory stores open a copy of one migrated empty database: what one backend writes must not show in
  // another, nor in one opened after it.
  it('starts every backend empty, at the current schema, sharing nothing with the others', async () => {
    const first = await startBackend();
    const second = await startBackend();
    try {
      const created = await createProfile(GraphTestClient.for(first), { displayName: 'Only in the first' });
      expect((await GraphTestClient.for(first).get(`${PROFILES}/${created.id}`)).status).toBe(200);
      expect((await GraphTestClient.for(second).get(PROFILES)).body.value).toEqual([]);
      const third = await startBackend();
      try {
        expect((await GraphTestClient.for(third).get(PROFILES)).body.value).toEqual([]);
      } finally {
        await third.close();
      }
    } finally {
      await first.close();
      await second.close();
    }
    const store = new SqliteStore();
    try {
      expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    } finally {
      store.close();
    }
  });
});

describe('SqliteStore statements', () => {
  // Statements are prepared on first use; this prepares every one, on a new database and on one of the
  // oldest schema moved forward, so SQL that no longer fits the schema fails here.
  it('all prepare against the current schema', () => {
    const fresh = new SqliteStore();
    const onFile = join(dir, 'old.db');
    const old = new Database(onFile);
    old.exec(MIGRATIONS[0]!);
    old.exec('CREATE TABLE IF NOT EXISTS schemaVersion (version INTEGER NOT NULL)');
    old.prepare('INSERT INTO schemaVersion (version) VALUES (1)').run();
    old.close();
    const migrated = new SqliteStore(onFile);
    try {
      expect(fresh.prepareAllStatements()).toBeGreaterThan(40);
      expect(migrated.prepareAllStatements()).toBe(fresh.prepareAllStatements());
    } finally {
      fresh.close();
      migrated.close();
    }
  });

  it('reports a statement that does not fit the schema when it is first used, and keeps working', () => {
    const store = new SqliteStore();
    try {
      expect(store.listProfiles()).toEqual([]);
      // A table the statements read, gone: the next use of a statement that reads it fails with SQLite's error.
      (store as unknown as { db: Database.Database }).db.exec('DROP TABLE assignments');
      expect(() => store.prepareAllStatements()).toThrow(/no such table: assignments/);
      expect(store.listProfiles()).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('SqliteStore lookups by serial number', () => {
  // managedDevices?$filter=serialNumber eq '…' compares without case; the plan SQLite picks must use the
  // index made for it, or every lookup reads the whole devices table.
  // The plan of the store's own statement (its SQL read back from better-sqlite3's Statement.source).
  const planOf = (store: SqliteStore) => {
    const inside = store as unknown as {
      db: Database.Database;
      s: Record<string, Database.Statement>;
    };
    return inside.db
      .prepare(`EXPLAIN QUERY PLAN ${inside.s.listManagedBySerial!.source}`)
      .all('x')
      .map((row) => (row as { detail: string }).detail);
  };

  it('use an index, on a new database and on one of schema 5 moved forward, and ignore case', () => {
    const onFile = join(dir, 'schema5.db');
    const old = new Database(onFile);
    for (const migration of MIGRATIONS.slice(0, 5)) old.exec(migration);
    old.exec('CREATE TABLE schemaVersion (version INTEGER NOT NULL); INSERT INTO schemaVersion VALUES (5)');
    old
      .prepare(
        `INSERT INTO devices (id, serialNumber, manufacturer, model, osVersion, registeredAt, lastChangeAt, managed)
        VALUES ('d1', 'AbC123', 'Google', 'Pixel 8', '14', 0, 0, 1)`,
      )
      .run();
    old.close();
    const migrated = new SqliteStore(onFile);
    const fresh = new SqliteStore();
    try {
      for (const store of [migrated, fresh])
        expect(planOf(store).join('; ')).toMatch(/USING INDEX devicesBySerialNumberNoCase/);
      expect(migrated.listManagedDevicesBySerial('abc123').map((device) => device.id)).toEqual(['d1']);
      expect(migrated.listManagedDevicesBySerial('ABC1234')).toEqual([]);
    } finally {
      migrated.close();
      fresh.close();
    }
  });
});
