import { z } from 'zod';
import { metaOfPath } from '../../../agent/model/inspect';
import { enrollmentStageSchema } from '../../../agent/protocol/enrollment';
import { DEVICE_REPORT_SORTS, NOT_RECORDED } from '../store/deviceReportSql';
import type { BackendStore, DeviceRecord, DeviceReportPage } from '../store/repository';
import type { LiveDevices } from './liveDevices';
import { deviceDeliveries } from '../targeting/deliveries';
import type { DeviceRow } from './deviceRow';

/**
 * The console's "All devices" report: one row per managed device and per device that reported its
 * screen (a record, a report, or both), searched, filtered, sorted and paged by the store's SQL
 * (store/deviceReportSql.ts), so neither the browser nor the backend holds more than one page however
 * large the fleet.
 */

export { NOT_RECORDED };

export const deviceReportQuerySchema = z
  .object({
    search: z.string().max(200).default('').describe('text in the name, serial number, user or profile'),
    stage: z
      .enum([...enrollmentStageSchema.options, NOT_RECORDED])
      .optional()
      .describe('the stage the backend recorded'),
    profile: z.string().max(256).optional().describe('the enrollment profile name'),
    state: z.string().max(128).optional().describe('the model state the device reported'),
    sort: z.enum(DEVICE_REPORT_SORTS).default('lastTransition'),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type DeviceReportQuery = z.infer<typeof deviceReportQuerySchema>;

export type { DeviceRow };

export class DeviceReport {
  constructor(
    private readonly store: BackendStore,
    private readonly live: LiveDevices,
  ) {}

  record(serialNumber: string): DeviceRecord | undefined {
    return this.store.getDeviceBySerial(serialNumber);
  }

  query(query: DeviceReportQuery): { total: number; offset: number; value: DeviceRow[] } {
    const page = this.store.deviceReportPage({
      ...query,
      search: query.search.trim().toLowerCase(),
      hiddenStates: this.live.hiddenStates(),
    });
    return {
      total: page.total,
      offset: query.offset,
      value: page.rows.map(rowOf),
    };
  }

  /** The profile names devices enrolled with, for the report's filter. */
  profileNames(): string[] {
    return this.store.deviceReportProfileNames(this.live.hiddenStates());
  }
}

function rowOf(page: DeviceReportPage['rows'][number]): DeviceRow {
  const { record, live } = page;
  const meta = live ? metaOfPath(live.state) : null;
  return {
    serialNumber: record?.serialNumber ?? live!.serialNumber,
    managedDeviceId: record?.managed ? record.id : null,
    name: page.name,
    stage: record?.stage ?? NOT_RECORDED,
    profile: record?.profileName ?? null,
    user: page.user,
    mode: record?.enrollmentMode ?? null,
    lastTransition: page.lastTransitionAt === null ? null : new Date(page.lastTransitionAt).toISOString(),
    delivered: deviceDeliveries(record?.deliveries ?? null),
    modelState: live?.state ?? null,
    screenTitle: meta ? (meta.poweredOff ? null : meta.screen.title) : null,
  };
}
