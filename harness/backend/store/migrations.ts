import type { Database } from 'better-sqlite3';

/**
 * Schema migrations: each entry moves the schema one version up and runs once, in order, inside one
 * transaction with the version bump. Append new entries; never edit a released one. Column names are
 * the camelCase field names of repository.ts, so rows read straight into records. Indexes are few on
 * purpose: every stage transition updates a device row and appends a ledger row, and each index is one
 * more B-tree write inside that transaction (a profile's enrolledDeviceCount is counted once and then
 * kept by the store, not indexed).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    displayName TEXT NOT NULL,
    description TEXT,
    enrollmentMode TEXT NOT NULL,
    tokenType TEXT NOT NULL,
    createdAt INTEGER NOT NULL,
    modifiedAt INTEGER NOT NULL,
    deviceNameTemplate TEXT,
    configureWifi INTEGER NOT NULL,
    wifiSsid TEXT,
    wifiPassword TEXT,
    wifiSecurityType TEXT NOT NULL,
    wifiHidden INTEGER NOT NULL,
    roleScopeTagIds TEXT NOT NULL,
    usageCount INTEGER NOT NULL DEFAULT 0,
    currentTokenId TEXT
  );
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    profileId TEXT NOT NULL,
    valueHash BLOB NOT NULL UNIQUE,
    value TEXT,
    tokenType TEXT NOT NULL,
    enrollmentMode TEXT NOT NULL,
    createdAt INTEGER NOT NULL,
    expiresAt INTEGER,
    state TEXT NOT NULL,
    endedAt INTEGER
  );
  CREATE INDEX tokensByProfile ON tokens (profileId);
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    serialNumber TEXT NOT NULL UNIQUE,
    manufacturer TEXT NOT NULL,
    model TEXT NOT NULL,
    osVersion TEXT NOT NULL,
    registeredAt INTEGER NOT NULL,
    stage TEXT,
    flow TEXT,
    tokenId TEXT,
    profileId TEXT,
    profileName TEXT,
    enrollmentMode TEXT,
    deviceNameTemplate TEXT,
    nameRandom TEXT,
    signedInUpn TEXT,
    upn TEXT,
    enrolledAt INTEGER,
    userEnrolledAt INTEGER,
    managedName TEXT,
    deviceName TEXT,
    deliveries TEXT,
    lastChangeAt INTEGER NOT NULL,
    managed INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    deviceId TEXT NOT NULL,
    serialNumber TEXT NOT NULL,
    fromStage TEXT,
    toStage TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    tokenId TEXT
  );
  CREATE INDEX ledgerByDevice ON ledger (deviceId, seq);
  CREATE TABLE assignmentFilters (
    id TEXT PRIMARY KEY,
    displayName TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT,
    platform TEXT NOT NULL,
    rule TEXT NOT NULL,
    createdAt INTEGER NOT NULL,
    modifiedAt INTEGER NOT NULL
  );
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    displayName TEXT NOT NULL,
    description TEXT,
    dynamic INTEGER NOT NULL,
    membershipRule TEXT,
    createdAt INTEGER NOT NULL,
    modifiedAt INTEGER NOT NULL
  );
  CREATE TABLE groupMembers (
    groupId TEXT NOT NULL,
    upn TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (groupId, upn)
  );
  CREATE TABLE payloads (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    displayName TEXT NOT NULL,
    description TEXT,
    createdAt INTEGER NOT NULL,
    modifiedAt INTEGER NOT NULL
  );
  CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    payloadId TEXT NOT NULL,
    targetType TEXT NOT NULL,
    groupId TEXT,
    filterId TEXT,
    filterType TEXT NOT NULL
  );
  CREATE INDEX assignmentsByPayload ON assignments (payloadId);
  `,
  `
  ALTER TABLE devices ADD COLUMN lastReply TEXT;
  `,
  `
  ALTER TABLE profiles ADD COLUMN isTeamsDeviceProfile INTEGER NOT NULL DEFAULT 0;
  `,
  // Policies and apps become Graph's resources: simulatorPolicies rows become device configuration
  // profiles (device restrictions), simulatorApps rows managed Google Play apps, their assignments keep
  // their targets (apps as required), and a device's deliveries, once two lists of names, become the
  // resources they name. A name no resource has any more (its policy was deleted) cannot be named by id
  // and is dropped from the device's record.
  `
  ALTER TABLE payloads ADD COLUMN odataType TEXT NOT NULL DEFAULT '';
  ALTER TABLE payloads ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE payloads ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
  UPDATE payloads SET kind = 'deviceConfiguration',
    odataType = '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration' WHERE kind = 'policy';
  UPDATE payloads SET kind = 'mobileApp', odataType = '#microsoft.graph.androidManagedStoreApp'
    WHERE kind = 'app';
  ALTER TABLE assignments ADD COLUMN intent TEXT;
  ALTER TABLE assignments ADD COLUMN settings TEXT;
  UPDATE assignments SET intent = 'required'
    WHERE payloadId IN (SELECT id FROM payloads WHERE kind = 'mobileApp');
  UPDATE devices SET deliveries = (
    SELECT json_group_array(json_object('id', p.id, 'kind', p.kind, 'odataType', p.odataType,
      'displayName', p.displayName, 'intent', CASE p.kind WHEN 'mobileApp' THEN 'required' END))
    FROM (SELECT * FROM payloads ORDER BY kind, displayName) p
    WHERE (p.kind = 'deviceConfiguration'
        AND p.displayName IN (SELECT value FROM json_each(devices.deliveries, '$.policies')))
      OR (p.kind = 'mobileApp' AND p.displayName IN (SELECT value FROM json_each(devices.deliveries, '$.apps')))
  ) WHERE deliveries IS NOT NULL;
  `,
  `
  CREATE TABLE stateReports (
    serialNumber TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    state TEXT NOT NULL,
    stateValues TEXT NOT NULL,
    reportedAt INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // The managedDevices filter on serialNumber compares without case (COLLATE NOCASE), which the UNIQUE
  // index, in binary order, cannot answer: every lookup scanned the table (7.4 ms at 100,000 devices,
  // harness/bench/runs/2026-12-07T0044Z-serial-lookup.txt). Written once per device, when it registers:
  // stage changes leave serialNumber alone.
  `
  CREATE INDEX devicesBySerialNumberNoCase ON devices (serialNumber COLLATE NOCASE);
  `,
];

/** The table that holds the schema's version: kept when a store is cleared. */
export const SCHEMA_VERSION_TABLE = 'schemaVersion';

/** Brings the database to the newest schema; answers the version it is at. */
export function migrate(db: Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSION_TABLE} (version INTEGER NOT NULL)`);
  const row = db.prepare(`SELECT version FROM ${SCHEMA_VERSION_TABLE}`).get() as
    { version: number } | undefined;
  let version = row?.version ?? 0;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `the database is at schema version ${version}, newer than this stagesim knows (${MIGRATIONS.length})`,
    );
  }
  const apply = db.transaction((next: number) => {
    db.exec(MIGRATIONS[next - 1]!);
    if (next === 1) db.prepare(`INSERT INTO ${SCHEMA_VERSION_TABLE} (version) VALUES (?)`).run(next);
    else db.prepare(`UPDATE ${SCHEMA_VERSION_TABLE} SET version = ?`).run(next);
  });
  while (version < MIGRATIONS.length) {
    version += 1;
    apply(version);
  }
  return version;
}
