import { z } from 'zod';
import { metaOfPath } from '../../../agent/model/inspect';
import { enrollmentStageSchema } from '../../../agent/protocol/enrollment';
import type { BackendStore, DeviceRecord, StateReportSummary } from '../store/repository';
import type { LiveDevices } from './liveDevices';
import { deviceDeliveries } from '../targeting/deliveries';
import type { DeviceRow } from './deviceRow';

/**
 * The console's "All devices" report: one row per device the backend knows of (a managed record, or
 * only a state report from a device that has not enrolled yet), searched, filtered, sorted and paged
 * here, so the browser only ever holds one page however large the fleet.
 */

export const NOT_RECORDED = 'notRecorded';

export const deviceReportQuerySchema = z
  .object({
    search: z.string().max(200).default('').describe('text in the name, serial number, user or profile'),
    stage: z
      .enum([...enrollmentStageSchema.options, NOT_RECORDED])
      .optional()
      .describe('the stage the backend recorded'),
    profile: z.string().max(256).optional().describe('the enrollment profile name'),
    state: z.string().max(128).optional().describe('the model state the device reported'),
    sort: z.enum(['name', 'stage', 'profile', 'user', 'mode', 'lastTransition']).default('lastTransition'),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type DeviceReportQuery = z.infer<typeof deviceReportQuerySchema>;

export type { DeviceRow };

export class DeviceReport {
  private readonly records = new Map<string, DeviceRecord>();
  private loaded = false;

  constructor(
    private readonly store: BackendStore,
    private readonly live: LiveDevices,
  ) {}

  /** Forgets every record read; the next query reads the store again. */
  clear(): void {
    this.records.clear();
    this.loaded = false;
  }

  /** A device's record may have changed (it made a request). */
  touched(serialNumber: string): void {
    if (!this.loaded) return;
    const record = this.store.getDeviceBySerial(serialNumber);
    if (record) this.records.set(serialNumber, record);
  }

  record(serialNumber: string): DeviceRecord | undefined {
    this.load();
    return this.records.get(serialNumber) ?? this.store.getDeviceBySerial(serialNumber);
  }

  query(query: DeviceReportQuery): { total: number; offset: number; value: DeviceRow[] } {
    this.load();
    // Filter and sort on the few fields asked for; whole rows are built for the page only, so a query
    // over 100,000 devices allocates 50 rows, not 100,000.
    const search = query.search.trim().toLowerCase();
    const matches: Candidate[] = [];
    const consider = (record: DeviceRecord | undefined, live: StateReportSummary | undefined) => {
      const serialNumber = record?.serialNumber ?? live!.serialNumber;
      if (query.stage && (record?.stage ?? NOT_RECORDED) !== query.stage) return;
      if (query.profile !== undefined && (record?.profileName ?? null) !== query.profile) return;
      if (query.state !== undefined && (live?.state ?? null) !== query.state) return;
      if (search) {
        const texts = [
          record?.managedName ?? serialNumber,
          serialNumber,
          userOf(record) ?? '',
          record?.profileName ?? '',
        ];
        if (!texts.some((text) => text.toLowerCase().includes(search))) return;
      }
      matches.push({ record, live, serialNumber, key: sortKey(query.sort, record, live, serialNumber) });
    };
    for (const live of this.live.all()) consider(this.records.get(live.serialNumber), live);
    for (const record of this.records.values())
      if (!this.live.has(record.serialNumber)) consider(record, undefined);

    const direction = query.order === 'asc' ? 1 : -1;
    matches.sort(
      (a, b) =>
        (a.key < b.key ? -1 : a.key > b.key ? 1 : a.serialNumber < b.serialNumber ? -1 : 1) * direction,
    );
    return {
      total: matches.length,
      offset: query.offset,
      value: matches.slice(query.offset, query.offset + query.limit).map((m) => rowOf(m.record, m.live)),
    };
  }

  /** The profile names devices enrolled with, for the report's filter. */
  profileNames(): string[] {
    this.load();
    const names = new Set<string>();
    for (const record of this.records.values()) if (record.profileName) names.add(record.profileName);
    return [...names].sort();
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    for (const record of this.store.listManagedDevices()) this.records.set(record.serialNumber, record);
    for (const live of this.live.all()) this.touched(live.serialNumber);
  }
}

interface Candidate {
  record: DeviceRecord | undefined;
  live: StateReportSummary | undefined;
  serialNumber: string;
  key: string | number;
}

function userOf(record: DeviceRecord | undefined): string | null {
  return record?.upn ?? record?.signedInUpn ?? null;
}

function lastTransitionAt(record: DeviceRecord | undefined, live: StateReportSummary | undefined): number {
  if (record && record.stage !== null) return record.lastChangeAt;
  return live ? live.reportedAt : 0;
}

/** What a row is sorted by, worked out once per device (the row's own text, or a time as a number). */
function sortKey(
  sort: DeviceReportQuery['sort'],
  record: DeviceRecord | undefined,
  live: StateReportSummary | undefined,
  serialNumber: string,
): string | number {
  switch (sort) {
    case 'name':
      return record?.managedName ?? serialNumber;
    case 'stage':
      return record?.stage ?? NOT_RECORDED;
    case 'profile':
      return record?.profileName ?? '';
    case 'user':
      return userOf(record) ?? '';
    case 'mode':
      return record?.enrollmentMode ?? '';
    case 'lastTransition':
      return lastTransitionAt(record, live);
  }
}

function rowOf(record: DeviceRecord | undefined, live: StateReportSummary | undefined): DeviceRow {
  const meta = live ? metaOfPath(live.state) : null;
  return {
    serialNumber: record?.serialNumber ?? live!.serialNumber,
    managedDeviceId: record?.managed ? record.id : null,
    name: record?.managedName ?? record?.serialNumber ?? live!.serialNumber,
    stage: record?.stage ?? NOT_RECORDED,
    profile: record?.profileName ?? null,
    user: userOf(record),
    mode: record?.enrollmentMode ?? null,
    lastTransition:
      (record !== undefined && record.stage !== null) || live !== undefined
        ? new Date(lastTransitionAt(record, live)).toISOString()
        : null,
    delivered: deviceDeliveries(record?.deliveries ?? null),
    modelState: live?.state ?? null,
    screenTitle: meta ? (meta.poweredOff ? null : meta.screen.title) : null,
  };
}
