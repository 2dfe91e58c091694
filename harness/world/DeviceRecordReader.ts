import type { AdminClient, LedgerEntry, ManagedDevice } from './AdminClient';

/** What the backend knows about one device: its managedDevice (once it has one) and its ledger. */
export interface DeviceBackendRecord {
  device: ManagedDevice | null;
  ledger: LedgerEntry[];
}

/**
 * Reads a device's managedDevice and ledger through the admin API, as the harness does after every
 * step of a model path or scenario.
 *
 * Given `revision` (the devicesRevision of a backend store in this process), a device read again while
 * the revision stands still gets the record of its last read instead of two more HTTP requests: the
 * backend answers both reads from managed devices' rows and ledger entries alone, and every write to them
 * moves the revision, whoever made it (a device, the admin API, the console, a reset); a device that is
 * not managed yet shows in neither. The revision is taken before the requests go out, so a write that
 * lands while they are on the way leaves the next read fresh. Without `revision` (a backend in another
 * process), every read goes to the backend.
 *
 * Records handed out are shared between reads; callers treat them as read-only.
 */
export class DeviceRecordReader {
  private readonly last = new Map<string, { revision: number; record: DeviceBackendRecord }>();

  constructor(
    private readonly admin: AdminClient,
    private readonly revision?: () => number,
  ) {}

  async read(serialNumber: string): Promise<DeviceBackendRecord> {
    const revision = this.revision?.();
    if (revision !== undefined) {
      const last = this.last.get(serialNumber);
      if (last && last.revision === revision) return last.record;
    }
    const [device, ledger] = await Promise.all([
      this.admin.managedDeviceBySerial(serialNumber),
      this.admin.ledger(serialNumber),
    ]);
    const record = { device, ledger };
    if (revision !== undefined) this.last.set(serialNumber, { revision, record });
    return record;
  }
}
