import type {
  DeviceIdentity,
  EnrollmentMode,
  EnrollmentStage,
  EnrollmentTokenType,
} from '../../../agent/protocol/enrollment';
import type { Flow, LedgerActor } from '../ledger';
import type { ResourceKind } from '../resources/catalogue';
import type { DeviceReportOrder, DeviceReportSort } from './deviceReportSql';

/**
 * Device records a store keeps in memory unless told otherwise (the backend's deviceCacheSize option).
 * About 1.5 KB a cached device with its serial number's entry: 10,000 devices are some 15 MB, and every
 * device of a fleet's 64-10,000 in flight stays cached between its messages. Here, not in SqliteStore,
 * so that the backend's options (and every command's help that shows them) load no SQLite.
 */
export const DEFAULT_DEVICE_CACHE_SIZE = 10_000;

/**
 * What the backend keeps, behind one interface (SqliteStore is its one implementation). Times are epoch
 * milliseconds of the backend clock. Every method that writes more than one row does so in one
 * transaction, and every write is committed when the method returns: the channel replies only after.
 */

export type WifiSecurityType = 'none' | 'wpa' | 'wep';

export interface Profile {
  id: string;
  displayName: string;
  description: string | null;
  enrollmentMode: EnrollmentMode;
  tokenType: EnrollmentTokenType;
  createdAt: number;
  modifiedAt: number;
  deviceNameTemplate: string | null;
  configureWifi: boolean;
  wifiSsid: string | null;
  wifiPassword: string | null;
  wifiSecurityType: WifiSecurityType;
  wifiHidden: boolean;
  /** Graph's isTeamsDeviceProfile (an AOSP Teams device profile); kept and shown, nothing else reads it. */
  isTeamsDeviceProfile: boolean;
  roleScopeTagIds: string[];
  /** Accepted redemptions of this profile's tokens (Graph's enrollmentTokenUsageCount). */
  usageCount: number;
  currentTokenId: string | null;
}

export type TokenState = 'active' | 'replaced' | 'revoked';

export interface TokenRecord {
  id: string;
  profileId: string;
  valueHash: Buffer;
  /** Kept only while the token is its profile's current, unrevoked one (Graph shows it as tokenValue). */
  value: string | null;
  tokenType: EnrollmentTokenType;
  enrollmentMode: EnrollmentMode;
  createdAt: number;
  /** The expiry the token was created with; null when it never expires. Revocation does not move it. */
  expiresAt: number | null;
  state: TokenState;
  /** When it was replaced or revoked. */
  endedAt: number | null;
}

export interface DeviceRecord {
  /** Graph's managedDevice id. */
  id: string;
  serialNumber: string;
  manufacturer: string;
  model: string;
  osVersion: string;
  registeredAt: number;
  stage: EnrollmentStage | null;
  flow: Flow | null;
  tokenId: string | null;
  profileId: string | null;
  /** The profile's name when the device redeemed its token (a later rename does not change the device). */
  profileName: string | null;
  enrollmentMode: EnrollmentMode | null;
  deviceNameTemplate: string | null;
  nameRandom: string | null;
  /** The account whose sign-in was accepted, before and after the enrolled stage is recorded. */
  signedInUpn: string | null;
  /** The enrolled user (set when the enrolled stage is recorded). */
  upn: string | null;
  enrolledAt: number | null;
  userEnrolledAt: number | null;
  managedName: string | null;
  deviceName: string | null;
  /** The resources whose assignments reached the device when its last stage was recorded. */
  deliveries: DeliveredResource[] | null;
  lastChangeAt: number;
  /** Listed by managedDevices: the device completed stage 2 at least once. */
  managed: boolean;
  /**
   * The request that last changed the device and the reply it got, kept with the change itself: a
   * device that resends it (its reply was lost, the backend restarted meanwhile) gets the same answer.
   */
  lastReply: StoredReply | null;
}

export interface StoredReply {
  requestId: string;
  type: string;
  /** The reply's JSON, without its requestId. */
  body: string;
}

export interface LedgerEntryInput {
  deviceId: string;
  serialNumber: string;
  fromStage: EnrollmentStage | null;
  toStage: EnrollmentStage;
  at: number;
  actor: LedgerActor;
  tokenId: string | null;
}
export interface LedgerEntry extends LedgerEntryInput {
  seq: number;
}

export interface AssignmentFilter {
  id: string;
  displayName: string;
  description: string | null;
  platform: string;
  rule: string;
  createdAt: number;
  modifiedAt: number;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  /** A dynamic device group (membershipRule over device properties); otherwise a user group. */
  dynamic: boolean;
  membershipRule: string | null;
  createdAt: number;
  modifiedAt: number;
}

export type PayloadKind = ResourceKind;

/**
 * An Intune resource that can be assigned and delivered: a device configuration profile, a compliance
 * policy or an app. Graph's common properties are columns; everything else the admin sent for its type
 * is kept in `settings` as sent (the simulator stores settings, it does not enforce them on devices).
 */
export interface Payload {
  id: string;
  kind: PayloadKind;
  /** Graph's @odata.type, e.g. #microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration. */
  odataType: string;
  displayName: string;
  description: string | null;
  createdAt: number;
  modifiedAt: number;
  /** Graph's version of configurations and compliance policies: 1, one more with every update. */
  version: number;
  settings: Record<string, unknown>;
}

export type AssignmentTargetType = 'allDevices' | 'allLicensedUsers' | 'group' | 'exclusionGroup';

/** App assignment intents (Graph's installIntent). */
export type InstallIntent = 'available' | 'required' | 'uninstall' | 'availableWithoutEnrollment';

export interface Assignment {
  id: string;
  payloadId: string;
  targetType: AssignmentTargetType;
  groupId: string | null;
  filterId: string | null;
  filterType: 'include' | 'exclude' | 'none';
  /**
   * Apps: what the assignment asks of the device (installIntent). Configuration profiles: Graph's
   * deviceConfigAssignmentIntent, apply or remove (a remove assignment delivers nothing). Compliance
   * policies have none.
   */
  intent: InstallIntent | 'apply' | 'remove' | null;
  /** Apps only: Graph's mobileAppAssignmentSettings as sent (e.g. androidManagedStoreAppAssignmentSettings). */
  settings: Record<string, unknown> | null;
}

/** What a device's record keeps of a resource that reached it: enough to name it as Graph does. */
export interface DeliveredResource {
  id: string;
  kind: PayloadKind;
  odataType: string;
  displayName: string;
  /** Apps: the intent that won for this device (Intune's conflict rules); null for policies. */
  intent: InstallIntent | null;
  /** The assignments that brought it to the device (none named in records kept before they were). */
  assignmentIds?: string[];
}

/** Where one device's model is, as the device last said (its stateReport message). */
export interface StateReportRecord {
  serialNumber: string;
  device: DeviceIdentity;
  state: string;
  values: Record<string, string>;
  /** Wall-clock epoch ms of the report. */
  reportedAt: number;
}

/** What the console's devices report filters and sorts a state report by. */
export type StateReportSummary = Pick<StateReportRecord, 'serialNumber' | 'state' | 'reportedAt'>;

/** What the console's devices report asks the store for: its query, search text already lower-case. */
export interface DeviceReportSelection {
  /** Lower-case text to find in the name, serial number, user or profile; '' for every device. */
  search: string;
  /** The stage recorded (NOT_RECORDED for none). */
  stage?: string | undefined;
  profile?: string | undefined;
  /** The model state of the device's report. */
  state?: string | undefined;
  sort: DeviceReportSort;
  order: DeviceReportOrder;
  offset: number;
  limit: number;
  /** States of stored reports the model no longer has: such a report is not shown. */
  hiddenStates: readonly string[];
}

export interface DeviceReportPage {
  /** Rows the filters let through, on every page. */
  total: number;
  rows: Array<{
    record: DeviceRecord | undefined;
    live: StateReportSummary | undefined;
    /** The report name, or the serial number before there is one. */
    name: string;
    /** The enrolled user, or the one who signed in. */
    user: string | null;
    /** The last recorded transition (of the last report, for a device with none recorded). */
    lastTransitionAt: number | null;
  }>;
}

export interface BackendStore {
  /** Bumped by every write to filters, groups, members, payloads or assignments (targeting caches key on it). */
  readonly targetingRevision: number;
  /**
   * Bumped by every write to a managed device's record or to the ledger, and by clear(): while it stands
   * still, a device's managedDevice and ledger read the same (a harness re-reads them only when it
   * moves). A device registering before it is managed (its first hello) is not counted: no managedDevice
   * and no ledger entry shows it yet.
   */
  readonly devicesRevision: number;
  schemaVersion(): number;
  close(): void;
  /** Deletes every row (profiles, tokens, devices, ledger, state reports, targeting); the schema stays. */
  clear(): void;

  // Enrollment profiles and tokens
  createProfile(profile: Profile, token: TokenRecord): void;
  getProfile(id: string): Profile | undefined;
  listProfiles(): Profile[];
  updateProfile(profile: Profile): void;
  /** Deletes the profile and revokes its current token (its devices keep their records). */
  deleteProfile(id: string, at: number): boolean;
  getToken(id: string): TokenRecord | undefined;
  findTokenByHash(hash: Buffer): TokenRecord | undefined;
  /** Makes `token` the profile's current token; the previous one becomes 'replaced'. */
  replaceToken(profileId: string, token: TokenRecord, at: number): void;
  /** Revokes the profile's current token; false when it had none active. */
  revokeToken(profileId: string, at: number): boolean;
  enrolledDeviceCount(profileId: string): number;
  /** How many devices stand at each stage their ledger last recorded; `none` for devices that only said hello. */
  countDevicesByStage(): Partial<Record<EnrollmentStage | 'none', number>>;

  // Devices and the ledger
  /** Inserts the device or updates its hardware facts; answers the stored record. */
  registerDevice(identity: DeviceIdentity, at: number, newId: string): DeviceRecord;
  getDevice(id: string): DeviceRecord | undefined;
  getDeviceBySerial(serialNumber: string): DeviceRecord | undefined;
  /** Saves the device, and the ledger entry when there is one, in one transaction. */
  saveDevice(device: DeviceRecord, entry?: LedgerEntryInput, countUseOfProfile?: string): void;
  listManagedDevices(): DeviceRecord[];
  /** Managed devices `offset` to `offset + limit - 1` in listing order (a page without reading the rest). */
  listManagedDevicesPage(offset: number, limit: number): DeviceRecord[];
  /** Managed devices whose serial number equals `serialNumber` without regard to ASCII case. */
  listManagedDevicesBySerial(serialNumber: string): DeviceRecord[];
  listLedger(query: { serialNumber?: string; deviceId?: string }): LedgerEntry[];

  // The devices' state reports (the admin console's live view): the latest one of each device
  /** Keeps `report` as its device's latest, in place of the one before. */
  saveStateReport(report: StateReportRecord): void;
  getStateReport(serialNumber: string): StateReportRecord | undefined;
  /** The state of the device's latest report (without reading the rest of it). */
  stateOfReport(serialNumber: string): string | undefined;
  /** How many devices' latest reports are in each state (states no report is in are absent). */
  countStateReports(): Map<string, number>;
  /** One page of the console's devices report (store/deviceReportSql.ts says what its rows are). */
  deviceReportPage(selection: DeviceReportSelection): DeviceReportPage;
  /** The profile names of the devices in the console's devices report, sorted. */
  deviceReportProfileNames(hiddenStates: readonly string[]): string[];

  // Targeting: assignment filters, groups, policies and apps
  createFilter(filter: AssignmentFilter): void;
  getFilter(id: string): AssignmentFilter | undefined;
  findFilterByName(displayName: string): AssignmentFilter | undefined;
  listFilters(): AssignmentFilter[];
  updateFilter(filter: AssignmentFilter): void;
  deleteFilter(id: string): boolean;

  createGroup(group: Group, members: string[]): void;
  getGroup(id: string): Group | undefined;
  listGroups(): Group[];
  updateGroup(group: Group): void;
  deleteGroup(id: string): boolean;
  addMember(groupId: string, upn: string): boolean;
  removeMember(groupId: string, upn: string): boolean;
  listMembers(groupId: string): string[];

  createPayload(payload: Payload): void;
  getPayload(id: string): Payload | undefined;
  listPayloads(kind: PayloadKind): Payload[];
  updatePayload(payload: Payload): void;
  deletePayload(id: string): boolean;
  setAssignments(payloadId: string, assignments: Assignment[]): void;
  listAssignments(payloadId?: string): Assignment[];
  /** Whether any assignment targets this group or uses this filter. */
  isReferenced(what: { groupId?: string; filterId?: string }): boolean;
}
