import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { StagesimError } from '../../../agent/errors';
import type { DeviceIdentity, EnrollmentStage } from '../../../agent/protocol/enrollment';
import { BoundedCache } from './boundedCache';
import {
  deviceReportSqlByName,
  registerSearchFunction,
  reportCountName,
  reportPageName,
  reportProfileNamesName,
} from './deviceReportSql';
import { migrate, SCHEMA_VERSION_TABLE } from './migrations';
import {
  DEFAULT_DEVICE_CACHE_SIZE,
  type Assignment,
  type AssignmentFilter,
  type BackendStore,
  type DeviceRecord,
  type DeviceReportPage,
  type DeviceReportSelection,
  type Group,
  type LedgerEntry,
  type LedgerEntryInput,
  type Payload,
  type PayloadKind,
  type Profile,
  type StateReportRecord,
  type TokenRecord,
} from './repository';

type Row = Record<string, unknown>;

export interface SqliteStoreOptions {
  /**
   * SQLite's synchronous setting for a file database in WAL mode. Either way a committed transaction is
   * in the operating system's hands before the method returns, so it survives the backend process being
   * killed (kill -9), which is what the channel promises for every acknowledged transition. 'normal'
   * (default) also syncs the file at checkpoints, so a power loss or OS crash cannot corrupt it; 'off'
   * never syncs and is about twice as fast on a loaded disk, at the price of that protection.
   */
  synchronous?: 'normal' | 'off';
  /**
   * Most device records kept in memory (DEFAULT_DEVICE_CACHE_SIZE). The least recently used ones are
   * dropped beyond it and read back from SQLite when asked for again, so the backend's memory does not
   * grow with the number of devices it has seen.
   */
  deviceCacheSize?: number;
}

/** Profiles are few; the bound only keeps an admin script creating thousands from growing the cache. */
const PROFILE_CACHE_SIZE = 1_000;

/** An object of statements, each prepared when it is first read and kept from then on. */
function preparedOnFirstUse(
  db: Database.Database,
  sqlByName: Record<string, string | { sql: string; raw: true }>,
): Record<string, Statement> {
  const statements: Record<string, Statement> = {};
  for (const [name, entry] of Object.entries(sqlByName)) {
    Object.defineProperty(statements, name, {
      enumerable: true,
      configurable: true,
      get() {
        const statement =
          typeof entry === 'string' ? db.prepare(entry) : db.prepare(entry.sql).raw(entry.raw);
        Object.defineProperty(statements, name, { value: statement, enumerable: true });
        return statement;
      },
    });
  }
  return statements;
}

// A test or model suite starts a backend per path, each on a fresh in-memory database: creating the
// schema with every migration cost about 1 ms a backend. The migrated empty database is made once per
// process and each in-memory store opens a copy of its image (better-sqlite3's serialize, then a new
// Database from the buffer); migrate() then finds it current.
let schemaImage: Buffer | undefined;
function emptySchemaImage(): Buffer {
  if (!schemaImage) {
    const db = new Database(':memory:');
    try {
      migrate(db);
      schemaImage = db.serialize();
    } finally {
      db.close();
    }
  }
  return schemaImage;
}

/**
 * The backend store on better-sqlite3. A file database runs in WAL mode (see SqliteStoreOptions);
 * `:memory:` (the default) keeps everything for the life of the process.
 *
 * Every statement is prepared once, here; the per-message path only binds and runs.
 */
export class SqliteStore implements BackendStore {
  private readonly db: Database.Database;
  private readonly version: number;
  /** Writes counted for the caches keyed on them (targetingRevision, devicesRevision): never set back. */
  private readonly writes = { targeting: 0, devices: 0 };
  /** Devices per stage ('none': registered only), counted at the first ask; null until then. */
  private stageCounts: Map<EnrollmentStage | 'none', number> | null = null;
  private enrolledByProfile: Map<string, number> | null = null;
  /**
   * Device records, written through and least recently used first out: the channel reads a device on
   * every message, and this process is the database's only writer, so a cached record is what the
   * database holds until it is saved again. A device dropped from the cache is read back from its row.
   * Records handed out must be treated as read-only.
   */
  private readonly devices: BoundedCache<string, DeviceRecord>;
  /** Serial number to device id (a serial keeps its id for good), bounded like the devices. */
  private readonly deviceIdBySerial: BoundedCache<string, string>;
  /**
   * Profiles, cached the same way: every token redemption and every stage-2 record reads one. Every write
   * to a profile row goes through this class, which drops or updates the cached copy after it commits.
   */
  private readonly profiles = new BoundedCache<string, Profile>(PROFILE_CACHE_SIZE);
  private readonly s: Record<string, Statement>;
  private readonly tx: {
    createProfile: (profile: Profile, token: TokenRecord) => void;
    deleteProfile: (id: string, at: number) => boolean;
    replaceToken: (profileId: string, token: TokenRecord, at: number) => void;
    saveDevice: (device: DeviceRecord, entry?: LedgerEntryInput, countUseOfProfile?: string) => void;
    createGroup: (group: Group, members: string[]) => void;
    deleteGroup: (id: string) => boolean;
    deletePayload: (id: string) => boolean;
    setAssignments: (payloadId: string, assignments: Assignment[]) => void;
  };

  constructor(path = ':memory:', options: SqliteStoreOptions = {}) {
    const max = options.deviceCacheSize ?? DEFAULT_DEVICE_CACHE_SIZE;
    if (!Number.isInteger(max) || max < 1)
      throw new StagesimError(
        'DB_OPEN_FAILED',
        `the device cache size must be a whole number >= 1, not ${max}`,
      );
    this.devices = new BoundedCache(max);
    this.deviceIdBySerial = new BoundedCache(max);
    const inMemory = path === ':memory:' || path === '';
    try {
      this.db = new Database(inMemory ? emptySchemaImage() : path);
    } catch (error) {
      throw new StagesimError(
        'DB_OPEN_FAILED',
        `cannot open the database ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      if (!inMemory) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(`synchronous = ${options.synchronous === 'off' ? 'OFF' : 'NORMAL'}`);
      }
      this.db.pragma('busy_timeout = 5000');
      this.version = migrate(this.db);
    } catch (error) {
      this.db.close();
      throw new StagesimError(
        'DB_OPEN_FAILED',
        `cannot use the database ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    registerSearchFunction(this.db);
    this.s = this.prepareStatements();
    this.tx = this.prepareTransactions();
  }

  get targetingRevision(): number {
    return this.writes.targeting;
  }

  get devicesRevision(): number {
    return this.writes.devices;
  }

  schemaVersion(): number {
    return this.version;
  }

  /** How many device records are in memory now, and the most there can be. */
  deviceCacheStats(): { size: number; max: number } {
    return { size: this.devices.size, max: this.devices.max };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  clear(): void {
    // Every table but the schema's own, read from the database so a table a later migration adds is
    // emptied too; sqlite_sequence restarts the ledger's numbering as a new database does.
    const tables = (
      this.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[]
    ).filter((name) => name !== SCHEMA_VERSION_TABLE);
    const hasSequence = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
      .get();
    this.db.transaction(() => {
      for (const table of tables) this.db.exec(`DELETE FROM "${table}"`);
      if (hasSequence) this.db.exec('DELETE FROM sqlite_sequence');
    })();
    this.devices.clear();
    this.deviceIdBySerial.clear();
    this.profiles.clear();
    this.stageCounts = null;
    this.enrolledByProfile = null;
    // Bumped, never set back: a cache keyed on a revision before the clear must not match one after.
    this.writes.targeting += 1;
    this.writes.devices += 1;
  }

  /** Prepares every statement not yet used, and says how many there are: a check of the SQL. */
  prepareAllStatements(): number {
    return Object.values(this.s).length;
  }

  // Prepared on first use: a backend per test or model path uses a handful of its statements, and
  // preparing all of them cost about half a millisecond a backend. SqliteStore.test.ts prepares every one
  // against the current schema, so a broken statement fails there rather than on a user's first call.
  private prepareStatements(): Record<string, Statement> {
    const p = (sql: string) => sql;
    return preparedOnFirstUse(this.db, {
      ...deviceReportSqlByName(),
      insertProfile:
        p(`INSERT INTO profiles (id, displayName, description, enrollmentMode, tokenType, createdAt, modifiedAt,
        deviceNameTemplate, configureWifi, wifiSsid, wifiPassword, wifiSecurityType, wifiHidden, isTeamsDeviceProfile, roleScopeTagIds, usageCount, currentTokenId)
        VALUES (@id, @displayName, @description, @enrollmentMode, @tokenType, @createdAt, @modifiedAt, @deviceNameTemplate,
        @configureWifi, @wifiSsid, @wifiPassword, @wifiSecurityType, @wifiHidden, @isTeamsDeviceProfile, @roleScopeTagIds, @usageCount, @currentTokenId)`),
      getProfile: p('SELECT * FROM profiles WHERE id = ?'),
      listProfiles: p('SELECT * FROM profiles ORDER BY rowid'),
      updateProfile:
        p(`UPDATE profiles SET displayName = @displayName, description = @description, modifiedAt = @modifiedAt,
        deviceNameTemplate = @deviceNameTemplate, configureWifi = @configureWifi, wifiSsid = @wifiSsid, wifiPassword = @wifiPassword,
        wifiSecurityType = @wifiSecurityType, wifiHidden = @wifiHidden, isTeamsDeviceProfile = @isTeamsDeviceProfile, roleScopeTagIds = @roleScopeTagIds WHERE id = @id`),
      deleteProfile: p('DELETE FROM profiles WHERE id = ?'),
      setCurrentToken: p('UPDATE profiles SET currentTokenId = ?, modifiedAt = ? WHERE id = ?'),
      countUse: p('UPDATE profiles SET usageCount = usageCount + 1 WHERE id = ?'),
      insertToken:
        p(`INSERT INTO tokens (id, profileId, valueHash, value, tokenType, enrollmentMode, createdAt, expiresAt, state, endedAt)
        VALUES (@id, @profileId, @valueHash, @value, @tokenType, @enrollmentMode, @createdAt, @expiresAt, @state, @endedAt)`),
      getToken: p('SELECT * FROM tokens WHERE id = ?'),
      findToken: p('SELECT * FROM tokens WHERE valueHash = ?'),
      // Only the digest of a token that is no longer current is kept: enough to say why it is refused.
      endToken: p("UPDATE tokens SET state = ?, endedAt = ?, value = NULL WHERE id = ? AND state = 'active'"),
      countByStage: p("SELECT COALESCE(stage, 'none') AS stage, COUNT(*) AS n FROM devices GROUP BY stage"),
      enrolledByProfile: p(
        `SELECT profileId, COUNT(*) AS n FROM devices WHERE profileId IS NOT NULL
        AND stage IN (${ENROLLED_STAGES.map((stage) => `'${stage}'`).join(', ')}) GROUP BY profileId`,
      ),

      insertDevice:
        p(`INSERT INTO devices (id, serialNumber, manufacturer, model, osVersion, registeredAt, lastChangeAt)
        VALUES (@id, @serialNumber, @manufacturer, @model, @osVersion, @at, @at)
        ON CONFLICT (serialNumber) DO UPDATE SET manufacturer = excluded.manufacturer, model = excluded.model, osVersion = excluded.osVersion
        RETURNING *`),
      getDevice: p('SELECT * FROM devices WHERE id = ?'),
      getDeviceBySerial: p('SELECT * FROM devices WHERE serialNumber = ?'),
      // A new device, as one statement: nothing comes back when its serial number is known already.
      insertNewDevice:
        p(`INSERT INTO devices (id, serialNumber, manufacturer, model, osVersion, registeredAt, lastChangeAt)
        VALUES (@id, @serialNumber, @manufacturer, @model, @osVersion, @at, @at)
        ON CONFLICT (serialNumber) DO NOTHING
        RETURNING *`),
      // Positional, in UPDATED_COLUMNS order (deviceRow): binding by name looks every name up again on
      // every device change, the backend's most frequent write.
      updateDevice: p(
        `UPDATE devices SET ${UPDATED_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`,
      ),
      listManaged: p('SELECT * FROM devices WHERE managed = 1 ORDER BY rowid'),
      saveStateReport: p(`INSERT INTO stateReports (serialNumber, device, state, stateValues, reportedAt)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (serialNumber) DO UPDATE SET device = excluded.device,
        state = excluded.state, stateValues = excluded.stateValues, reportedAt = excluded.reportedAt`),
      getStateReport: p('SELECT * FROM stateReports WHERE serialNumber = ?'),
      stateOfReport: p('SELECT state FROM stateReports WHERE serialNumber = ?'),
      countStateReports: {
        sql: 'SELECT state, COUNT(*) FROM stateReports GROUP BY state',
        raw: true,
      },
      listManagedPage: p('SELECT * FROM devices WHERE managed = 1 ORDER BY rowid LIMIT ? OFFSET ?'),
      listManagedBySerial: p(
        'SELECT * FROM devices WHERE managed = 1 AND serialNumber = ? COLLATE NOCASE ORDER BY rowid',
      ),
      insertLedger: p(`INSERT INTO ledger (deviceId, serialNumber, fromStage, toStage, at, actor, tokenId)
        VALUES (@deviceId, @serialNumber, @fromStage, @toStage, @at, @actor, @tokenId)`),
      ledgerAll: p('SELECT * FROM ledger ORDER BY seq'),
      ledgerByDevice: p('SELECT * FROM ledger WHERE deviceId = ? ORDER BY seq'),

      insertFilter:
        p(`INSERT INTO assignmentFilters (id, displayName, description, platform, rule, createdAt, modifiedAt)
        VALUES (@id, @displayName, @description, @platform, @rule, @createdAt, @modifiedAt)`),
      getFilter: p('SELECT * FROM assignmentFilters WHERE id = ?'),
      findFilterByName: p('SELECT * FROM assignmentFilters WHERE displayName = ?'),
      listFilters: p('SELECT * FROM assignmentFilters ORDER BY rowid'),
      updateFilter:
        p(`UPDATE assignmentFilters SET displayName = @displayName, description = @description, platform = @platform,
        rule = @rule, modifiedAt = @modifiedAt WHERE id = @id`),
      deleteFilter: p('DELETE FROM assignmentFilters WHERE id = ?'),

      insertGroup:
        p(`INSERT INTO groups (id, displayName, description, dynamic, membershipRule, createdAt, modifiedAt)
        VALUES (@id, @displayName, @description, @dynamic, @membershipRule, @createdAt, @modifiedAt)`),
      getGroup: p('SELECT * FROM groups WHERE id = ?'),
      listGroups: p('SELECT * FROM groups ORDER BY rowid'),
      updateGroup:
        p(`UPDATE groups SET displayName = @displayName, description = @description, membershipRule = @membershipRule,
        modifiedAt = @modifiedAt WHERE id = @id`),
      deleteGroup: p('DELETE FROM groups WHERE id = ?'),
      deleteMembersOf: p('DELETE FROM groupMembers WHERE groupId = ?'),
      addMember: p('INSERT OR IGNORE INTO groupMembers (groupId, upn) VALUES (?, ?)'),
      removeMember: p('DELETE FROM groupMembers WHERE groupId = ? AND upn = ?'),
      listMembers: p('SELECT upn FROM groupMembers WHERE groupId = ? ORDER BY upn'),

      insertPayload:
        p(`INSERT INTO payloads (id, kind, odataType, displayName, description, createdAt, modifiedAt, version, settings)
        VALUES (@id, @kind, @odataType, @displayName, @description, @createdAt, @modifiedAt, @version, @settings)`),
      getPayload: p('SELECT * FROM payloads WHERE id = ?'),
      listPayloads: p('SELECT * FROM payloads WHERE kind = ? ORDER BY rowid'),
      updatePayload:
        p(`UPDATE payloads SET displayName = @displayName, description = @description, modifiedAt = @modifiedAt,
        version = @version, settings = @settings WHERE id = @id`),
      deletePayload: p('DELETE FROM payloads WHERE id = ?'),
      deleteAssignmentsOf: p('DELETE FROM assignments WHERE payloadId = ?'),
      insertAssignment:
        p(`INSERT INTO assignments (id, payloadId, targetType, groupId, filterId, filterType, intent, settings)
        VALUES (@id, @payloadId, @targetType, @groupId, @filterId, @filterType, @intent, @settings)`),
      listAssignments: p('SELECT * FROM assignments ORDER BY payloadId, rowid'),
      listAssignmentsOf: p('SELECT * FROM assignments WHERE payloadId = ? ORDER BY rowid'),
      groupReferenced: p('SELECT 1 FROM assignments WHERE groupId = ? LIMIT 1'),
      filterReferenced: p('SELECT 1 FROM assignments WHERE filterId = ? LIMIT 1'),
    });
  }

  private prepareTransactions() {
    const s = this.s;
    return {
      createProfile: this.db.transaction((profile: Profile, token: TokenRecord) => {
        s.insertProfile!.run(profileRow(profile));
        s.insertToken!.run(token);
      }),
      deleteProfile: this.db.transaction((id: string, at: number) => {
        const profile = s.getProfile!.get(id) as Row | undefined;
        if (!profile) return false;
        if (profile.currentTokenId) s.endToken!.run('revoked', at, profile.currentTokenId);
        s.deleteProfile!.run(id);
        return true;
      }),
      replaceToken: this.db.transaction((profileId: string, token: TokenRecord, at: number) => {
        const profile = s.getProfile!.get(profileId) as Row | undefined;
        if (profile?.currentTokenId) s.endToken!.run('replaced', at, profile.currentTokenId);
        s.insertToken!.run(token);
        s.setCurrentToken!.run(token.id, at, profileId);
      }),
      saveDevice: this.db.transaction(
        (device: DeviceRecord, entry?: LedgerEntryInput, countUseOfProfile?: string) => {
          s.updateDevice!.run(deviceRow(device));
          if (entry) s.insertLedger!.run(entry);
          if (countUseOfProfile) s.countUse!.run(countUseOfProfile);
        },
      ),
      createGroup: this.db.transaction((group: Group, members: string[]) => {
        s.insertGroup!.run({ ...group, dynamic: group.dynamic ? 1 : 0 });
        for (const upn of members) s.addMember!.run(group.id, upn);
      }),
      deleteGroup: this.db.transaction((id: string) => {
        s.deleteMembersOf!.run(id);
        return s.deleteGroup!.run(id).changes > 0;
      }),
      deletePayload: this.db.transaction((id: string) => {
        s.deleteAssignmentsOf!.run(id);
        return s.deletePayload!.run(id).changes > 0;
      }),
      setAssignments: this.db.transaction((payloadId: string, assignments: Assignment[]) => {
        s.deleteAssignmentsOf!.run(payloadId);
        for (const assignment of assignments) s.insertAssignment!.run(assignmentRow(assignment));
      }),
    };
  }

  private touched<T>(result: T): T {
    this.writes.targeting += 1;
    return result;
  }

  // --- Profiles and tokens -------------------------------------------------------------------------

  createProfile(profile: Profile, token: TokenRecord): void {
    this.tx.createProfile(profile, token);
    this.profiles.delete(profile.id);
  }

  getProfile(id: string): Profile | undefined {
    const cached = this.profiles.get(id);
    if (cached) return cached;
    const row = this.s.getProfile!.get(id) as Row | undefined;
    if (!row) return undefined;
    const profile = toProfile(row);
    this.profiles.set(id, profile);
    return profile;
  }

  listProfiles(): Profile[] {
    return (this.s.listProfiles!.all() as Row[]).map(toProfile);
  }

  updateProfile(profile: Profile): void {
    try {
      this.s.updateProfile!.run(profileRow(profile));
    } finally {
      this.profiles.delete(profile.id);
    }
  }

  deleteProfile(id: string, at: number): boolean {
    try {
      return this.tx.deleteProfile(id, at);
    } finally {
      this.profiles.delete(id);
    }
  }

  getToken(id: string): TokenRecord | undefined {
    return this.s.getToken!.get(id) as TokenRecord | undefined;
  }

  findTokenByHash(hash: Buffer): TokenRecord | undefined {
    return this.s.findToken!.get(hash) as TokenRecord | undefined;
  }

  replaceToken(profileId: string, token: TokenRecord, at: number): void {
    try {
      this.tx.replaceToken(profileId, token, at);
    } finally {
      this.profiles.delete(profileId);
    }
  }

  revokeToken(profileId: string, at: number): boolean {
    const profile = this.getProfile(profileId);
    if (!profile?.currentTokenId) return false;
    return this.s.endToken!.run('revoked', at, profile.currentTokenId).changes > 0;
  }

  enrolledDeviceCount(profileId: string): number {
    // Counted once, then kept as devices change stage, like the stage counts below: every read of a
    // profile shows its count, and counting scanned every device row each time.
    if (this.enrolledByProfile === null) {
      const rows = this.s.enrolledByProfile!.all() as { profileId: string; n: number }[];
      this.enrolledByProfile = new Map(rows.map((row) => [row.profileId, row.n]));
    }
    return this.enrolledByProfile.get(profileId) ?? 0;
  }

  /** Moves one device between profiles' enrolled counts (once they have been counted). */
  private countEnrolledChange(before: DeviceRecord, after: DeviceRecord): void {
    if (this.enrolledByProfile === null) return;
    const was = countsAsEnrolled(before) ? before.profileId : null;
    const is = countsAsEnrolled(after) ? after.profileId : null;
    if (was === is) return;
    if (was !== null) this.enrolledByProfile.set(was, (this.enrolledByProfile.get(was) ?? 1) - 1);
    if (is !== null) this.enrolledByProfile.set(is, (this.enrolledByProfile.get(is) ?? 0) + 1);
  }

  countDevicesByStage(): Partial<Record<EnrollmentStage | 'none', number>> {
    // Counted once, then kept as devices are inserted and change stage: a scrape every few seconds
    // would otherwise scan every device row (a million of them on a file) each time.
    if (this.stageCounts === null) {
      const rows = this.s.countByStage!.all() as { stage: EnrollmentStage | 'none'; n: number }[];
      this.stageCounts = new Map(rows.map((row) => [row.stage, row.n]));
    }
    return Object.fromEntries([...this.stageCounts].filter(([, n]) => n > 0));
  }

  /** Moves one device between stages in the kept counts (once they have been counted). */
  private countStageChange(from: EnrollmentStage | null | undefined, to: EnrollmentStage | null): void {
    if (this.stageCounts === null || from === to) return;
    if (from !== undefined) {
      const key = from ?? 'none';
      this.stageCounts.set(key, (this.stageCounts.get(key) ?? 1) - 1);
    }
    const key = to ?? 'none';
    this.stageCounts.set(key, (this.stageCounts.get(key) ?? 0) + 1);
  }

  // --- State reports -------------------------------------------------------------------------------

  saveStateReport(report: StateReportRecord): void {
    this.s.saveStateReport!.run(
      report.serialNumber,
      JSON.stringify(report.device),
      report.state,
      JSON.stringify(report.values),
      report.reportedAt,
    );
  }

  getStateReport(serialNumber: string): StateReportRecord | undefined {
    const row = this.s.getStateReport!.get(serialNumber) as Row | undefined;
    return row ? toStateReport(row) : undefined;
  }

  stateOfReport(serialNumber: string): string | undefined {
    return this.s.stateOfReport!.pluck().get(serialNumber) as string | undefined;
  }

  countStateReports(): Map<string, number> {
    const rows = this.s.countStateReports!.all() as Array<[string, number]>;
    return new Map(rows);
  }

  deviceReportPage(selection: DeviceReportSelection): DeviceReportPage {
    const hiding = selection.hiddenStates.length > 0;
    const { sort, order } = selection;
    const page = this.s[reportPageName(sort, order, hiding)]!;
    const filters = {
      ...(hiding ? { hiddenStates: JSON.stringify(selection.hiddenStates) } : {}),
      stage: selection.stage ?? null,
      profile: selection.profile ?? null,
      state: selection.state ?? null,
      search: selection.search,
    };
    const rows = page.all({ ...filters, limit: selection.limit, offset: selection.offset }) as Array<{
      serial: string;
      deviceId: string | null;
      liveState: string | null;
      reportedAt: number | null;
      name: string;
      user: string | null;
      lastTransitionAt: number | null;
      total: number;
    }>;
    // A page past the last row has no row to carry the count.
    const total =
      rows[0]?.total ??
      (selection.offset === 0 ? 0 : (this.s[reportCountName(hiding)]!.pluck().get(filters) as number));
    return {
      total,
      rows: rows.map((row) => ({
        record: row.deviceId === null ? undefined : this.getDevice(row.deviceId),
        live:
          row.liveState === null
            ? undefined
            : { serialNumber: row.serial, state: row.liveState, reportedAt: row.reportedAt! },
        name: row.name,
        user: row.user,
        lastTransitionAt: row.lastTransitionAt,
      })),
    };
  }

  deviceReportProfileNames(hiddenStates: readonly string[]): string[] {
    const hiding = hiddenStates.length > 0;
    const names = this.s[reportProfileNamesName(hiding)]!.pluck();
    return (hiding ? names.all({ hiddenStates: JSON.stringify(hiddenStates) }) : names.all()) as string[];
  }

  // --- Devices and the ledger ----------------------------------------------------------------------

  registerDevice(identity: DeviceIdentity, at: number, newId: string): DeviceRecord {
    let known: DeviceRecord | undefined;
    const cachedId = this.deviceIdBySerial.get(identity.serialNumber);
    if (cachedId !== undefined) known = this.getDevice(cachedId);
    else {
      // Not in memory: most such devices are new (a fleet's every device), so the insert is tried
      // first, and only a serial number the database knows is read back.
      const inserted = this.s.insertNewDevice!.get({ id: newId, at, ...identity }) as Row | undefined;
      if (inserted) {
        // A device not enrolled yet is in no managedDevice and no ledger entry: nothing a reader sees moved.
        this.countStageChange(undefined, null);
        return this.remember(toDevice(inserted));
      }
      known = this.getDeviceBySerial(identity.serialNumber);
    }
    // A device saying hello again (every reconnect) with the same hardware facts writes nothing.
    if (
      known &&
      known.manufacturer === identity.manufacturer &&
      known.model === identity.model &&
      known.osVersion === identity.osVersion
    ) {
      return known;
    }
    const device = toDevice(this.s.insertDevice!.get({ id: newId, at, ...identity }) as Row);
    // The upsert keeps the row's managed flag: only an enrolled device's new facts show in a managedDevice.
    if (device.managed) this.writes.devices += 1;
    return this.remember(device);
  }

  getDevice(id: string): DeviceRecord | undefined {
    const cached = this.devices.get(id);
    if (cached) return cached;
    const row = this.s.getDevice!.get(id) as Row | undefined;
    return row && this.remember(toDevice(row));
  }

  getDeviceBySerial(serialNumber: string): DeviceRecord | undefined {
    const id = this.deviceIdBySerial.get(serialNumber);
    if (id !== undefined) return this.getDevice(id);
    const row = this.s.getDeviceBySerial!.get(serialNumber) as Row | undefined;
    return row && this.remember(toDevice(row));
  }

  saveDevice(device: DeviceRecord, entry?: LedgerEntryInput, countUseOfProfile?: string): void {
    // The stage the database has now: the cached record (every caller saves a new object), else its row.
    const before =
      this.stageCounts === null && this.enrolledByProfile === null ? null : this.getDevice(device.id);
    // One statement alone is its own transaction; more are one together.
    if (entry === undefined && countUseOfProfile === undefined) this.s.updateDevice!.run(deviceRow(device));
    else this.tx.saveDevice(device, entry, countUseOfProfile);
    // Only after the commit: a failed transaction leaves the remembered records as the database has them.
    this.writes.devices += 1;
    this.remember(device);
    if (before) {
      this.countStageChange(before.stage, device.stage);
      this.countEnrolledChange(before, device);
    }
    if (countUseOfProfile !== undefined) {
      const profile = this.profiles.get(countUseOfProfile);
      if (profile) this.profiles.set(countUseOfProfile, { ...profile, usageCount: profile.usageCount + 1 });
    }
  }

  private remember(device: DeviceRecord): DeviceRecord {
    this.devices.set(device.id, device);
    this.deviceIdBySerial.set(device.serialNumber, device.id);
    return device;
  }

  listManagedDevices(): DeviceRecord[] {
    return (this.s.listManaged!.all() as Row[]).map(toDevice);
  }

  listManagedDevicesPage(offset: number, limit: number): DeviceRecord[] {
    return (this.s.listManagedPage!.all(limit, offset) as Row[]).map(toDevice);
  }

  listManagedDevicesBySerial(serialNumber: string): DeviceRecord[] {
    return (this.s.listManagedBySerial!.all(serialNumber) as Row[]).map(toDevice);
  }

  listLedger(query: { serialNumber?: string; deviceId?: string }): LedgerEntry[] {
    if (query.deviceId !== undefined) return this.s.ledgerByDevice!.all(query.deviceId) as LedgerEntry[];
    if (query.serialNumber !== undefined) {
      // A serial number keeps its device id for good, so its ledger is that device's.
      const device = this.getDeviceBySerial(query.serialNumber);
      return device ? (this.s.ledgerByDevice!.all(device.id) as LedgerEntry[]) : [];
    }
    return this.s.ledgerAll!.all() as LedgerEntry[];
  }

  // --- Targeting -----------------------------------------------------------------------------------

  createFilter(filter: AssignmentFilter): void {
    this.touched(this.s.insertFilter!.run(filter));
  }

  getFilter(id: string): AssignmentFilter | undefined {
    return this.s.getFilter!.get(id) as AssignmentFilter | undefined;
  }

  findFilterByName(displayName: string): AssignmentFilter | undefined {
    return this.s.findFilterByName!.get(displayName) as AssignmentFilter | undefined;
  }

  listFilters(): AssignmentFilter[] {
    return this.s.listFilters!.all() as AssignmentFilter[];
  }

  updateFilter(filter: AssignmentFilter): void {
    this.touched(this.s.updateFilter!.run(filter));
  }

  deleteFilter(id: string): boolean {
    return this.touched(this.s.deleteFilter!.run(id).changes > 0);
  }

  createGroup(group: Group, members: string[]): void {
    this.touched(this.tx.createGroup(group, members));
  }

  getGroup(id: string): Group | undefined {
    const row = this.s.getGroup!.get(id) as Row | undefined;
    return row && toGroup(row);
  }

  listGroups(): Group[] {
    return (this.s.listGroups!.all() as Row[]).map(toGroup);
  }

  updateGroup(group: Group): void {
    this.touched(this.s.updateGroup!.run({ ...group, dynamic: group.dynamic ? 1 : 0 }));
  }

  deleteGroup(id: string): boolean {
    return this.touched(this.tx.deleteGroup(id));
  }

  addMember(groupId: string, upn: string): boolean {
    return this.touched(this.s.addMember!.run(groupId, upn).changes > 0);
  }

  removeMember(groupId: string, upn: string): boolean {
    return this.touched(this.s.removeMember!.run(groupId, upn).changes > 0);
  }

  listMembers(groupId: string): string[] {
    return (this.s.listMembers!.all(groupId) as Array<{ upn: string }>).map((row) => row.upn);
  }

  createPayload(payload: Payload): void {
    this.touched(this.s.insertPayload!.run(payloadRow(payload)));
  }

  getPayload(id: string): Payload | undefined {
    const row = this.s.getPayload!.get(id) as Row | undefined;
    return row && toPayload(row);
  }

  listPayloads(kind: PayloadKind): Payload[] {
    return (this.s.listPayloads!.all(kind) as Row[]).map(toPayload);
  }

  updatePayload(payload: Payload): void {
    this.touched(this.s.updatePayload!.run(payloadRow(payload)));
  }

  deletePayload(id: string): boolean {
    return this.touched(this.tx.deletePayload(id));
  }

  setAssignments(payloadId: string, assignments: Assignment[]): void {
    this.touched(this.tx.setAssignments(payloadId, assignments));
  }

  listAssignments(payloadId?: string): Assignment[] {
    return (
      (payloadId === undefined
        ? this.s.listAssignments!.all()
        : this.s.listAssignmentsOf!.all(payloadId)) as Row[]
    ).map(toAssignment);
  }

  isReferenced(what: { groupId?: string; filterId?: string }): boolean {
    if (what.groupId !== undefined && this.s.groupReferenced!.get(what.groupId)) return true;
    if (what.filterId !== undefined && this.s.filterReferenced!.get(what.filterId)) return true;
    return false;
  }
}

function profileRow(profile: Profile): Row {
  return {
    ...profile,
    configureWifi: profile.configureWifi ? 1 : 0,
    wifiHidden: profile.wifiHidden ? 1 : 0,
    isTeamsDeviceProfile: profile.isTeamsDeviceProfile ? 1 : 0,
    roleScopeTagIds: JSON.stringify(profile.roleScopeTagIds),
  };
}

function toProfile(row: Row): Profile {
  return {
    ...(row as unknown as Profile),
    configureWifi: row.configureWifi === 1,
    wifiHidden: row.wifiHidden === 1,
    isTeamsDeviceProfile: row.isTeamsDeviceProfile === 1,
    roleScopeTagIds: JSON.parse(row.roleScopeTagIds as string) as string[],
  };
}

/** The columns a device change writes, in the order of updateDevice's parameters. */
/** The stages in which a device counts towards its profile's enrolledDeviceCount. */
const ENROLLED_STAGES: readonly EnrollmentStage[] = ['staged', 'adminProvisioned', 'enrolled'];

const countsAsEnrolled = (device: DeviceRecord) =>
  device.profileId !== null && device.stage !== null && ENROLLED_STAGES.includes(device.stage);

const UPDATED_COLUMNS = [
  'manufacturer',
  'model',
  'osVersion',
  'stage',
  'flow',
  'tokenId',
  'profileId',
  'profileName',
  'enrollmentMode',
  'deviceNameTemplate',
  'nameRandom',
  'signedInUpn',
  'upn',
  'enrolledAt',
  'userEnrolledAt',
  'managedName',
  'deviceName',
  'deliveries',
  'lastChangeAt',
  'managed',
  'lastReply',
] as const satisfies readonly (keyof DeviceRecord)[];

/** Columns stored in another form than the record holds them. */
const ENCODED: Partial<Record<(typeof UPDATED_COLUMNS)[number], (device: DeviceRecord) => unknown>> = {
  deliveries: (device) => (device.deliveries === null ? null : JSON.stringify(device.deliveries)),
  managed: (device) => (device.managed ? 1 : 0),
  lastReply: (device) => (device.lastReply === null ? null : JSON.stringify(device.lastReply)),
};

/** updateDevice's parameters: UPDATED_COLUMNS, then the id. */
function deviceRow(device: DeviceRecord): unknown[] {
  const row: unknown[] = [];
  for (const column of UPDATED_COLUMNS) {
    const encode = ENCODED[column];
    row.push(encode ? encode(device) : device[column]);
  }
  row.push(device.id);
  return row;
}

function toDevice(row: Row): DeviceRecord {
  return {
    ...(row as unknown as DeviceRecord),
    deliveries:
      row.deliveries === null ? null : (JSON.parse(row.deliveries as string) as DeviceRecord['deliveries']),
    managed: row.managed === 1,
    lastReply:
      row.lastReply === null || row.lastReply === undefined
        ? null
        : (JSON.parse(row.lastReply as string) as DeviceRecord['lastReply']),
  };
}

function toStateReport(row: Row): StateReportRecord {
  return {
    serialNumber: row.serialNumber as string,
    device: JSON.parse(row.device as string) as DeviceIdentity,
    state: row.state as string,
    values: JSON.parse(row.stateValues as string) as Record<string, string>,
    reportedAt: row.reportedAt as number,
  };
}

function payloadRow(payload: Payload): Row {
  return { ...payload, settings: JSON.stringify(payload.settings) };
}

function toPayload(row: Row): Payload {
  return {
    ...(row as unknown as Payload),
    settings: JSON.parse(row.settings as string) as Payload['settings'],
  };
}

function assignmentRow(assignment: Assignment): Row {
  return {
    ...assignment,
    settings: assignment.settings === null ? null : JSON.stringify(assignment.settings),
  };
}

function toAssignment(row: Row): Assignment {
  return {
    ...(row as unknown as Assignment),
    settings: row.settings === null ? null : (JSON.parse(row.settings as string) as Assignment['settings']),
  };
}

function toGroup(row: Row): Group {
  return { ...(row as unknown as Group), dynamic: row.dynamic === 1 };
}
