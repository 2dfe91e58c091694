import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import type { StateReportMessage } from '../../../agent/protocol/messages';
import { BoundedCache } from '../store/boundedCache';
import type { BackendStore, StateReportRecord, StateReportSummary } from '../store/repository';

/** Where one device's model is, as the device last said (its stateReport). */
export type LiveDevice = StateReportRecord;

const LEAF_STATES = leafStateNodes().map(pathOfNode);
const STATE_INDEX = new Map(LEAF_STATES.map((state, index) => [state, index]));
const SLOTS = LEAF_STATES.length;

/**
 * Latest reports kept in memory besides the database: a device's reports come one after another while
 * it runs, and a fleet's 64-10,000 devices in flight each stay here between theirs.
 */
export const LIVE_DEVICE_CACHE_SIZE = 10_000;

/**
 * The console's picture of the fleet: the latest state report of every device that sent one.
 *
 * A report itself (the device's identity, what its screen shows) is kept in the store, so it costs the
 * backend's memory nothing once its device has moved on (325 bytes a device in memory before:
 * harness/bench/liveDevicesHeap.ts), and a backend restarted on its database file still shows where every device
 * was; the most recent reports are cached. What the devices report filters and sorts every device by on
 * each query, its state and time, stays in memory as one number a device (time * states + state):
 * reading every device's row from SQLite on each query made a query over 100,000 devices take more than
 * ten times as long (consoleReport.bench on a build that did). The number of devices per model state is
 * kept up to date as reports arrive, so counting 100,000 devices costs nothing. A device keeps its last
 * state after it disconnects: a fleet that finished still shows as enrolled.
 */
export class LiveDevices {
  private readonly recent = new BoundedCache<string, LiveDevice>(LIVE_DEVICE_CACHE_SIZE);
  private readonly where = new Map<string, number>();
  private readonly counts = new Array<number>(SLOTS).fill(0);

  constructor(private readonly store: BackendStore) {
    for (const { serialNumber, state, reportedAt } of store.stateReportSummaries()) {
      const index = STATE_INDEX.get(state);
      // A report of a state a later model no longer has is left in the store, not shown.
      if (index === undefined) continue;
      this.where.set(serialNumber, reportedAt * SLOTS + index);
      this.counts[index]! += 1;
    }
  }

  /** Records a report; answers why it cannot be used, or null. */
  report(report: StateReportMessage, at: number = Date.now()): string | null {
    const index = STATE_INDEX.get(report.state);
    if (index === undefined)
      return `state: "${report.state.slice(0, 128)}" is not a state of the device model`;
    const { serialNumber } = report.device;
    const previous = this.where.get(serialNumber);
    if (previous !== undefined) this.counts[previous % SLOTS]! -= 1;
    this.counts[index]! += 1;
    const live: LiveDevice = {
      serialNumber,
      device: report.device,
      state: report.state,
      values: report.values,
      reportedAt: at,
    };
    this.store.saveStateReport(live);
    this.recent.set(serialNumber, live);
    this.where.set(serialNumber, at * SLOTS + index);
    return null;
  }

  /** Whether the device has sent a report (answered from memory). */
  has(serialNumber: string): boolean {
    return this.where.has(serialNumber);
  }

  get(serialNumber: string): LiveDevice | undefined {
    if (!this.where.has(serialNumber)) return undefined;
    return this.recent.get(serialNumber) ?? this.store.getStateReport(serialNumber);
  }

  /** Where every device that reported is: its state and the time of its report. */
  *all(): IterableIterator<StateReportSummary> {
    for (const [serialNumber, packed] of this.where)
      yield { serialNumber, state: LEAF_STATES[packed % SLOTS]!, reportedAt: Math.floor(packed / SLOTS) };
  }

  size(): number {
    return this.where.size;
  }

  /** Forgets every device's report (the store's rows are the store's to clear). */
  clear(): void {
    this.recent.clear();
    this.where.clear();
    this.counts.fill(0);
  }

  /** How many full reports are in memory now, and the most there can be. */
  cacheStats(): { size: number; max: number } {
    return { size: this.recent.size, max: this.recent.max };
  }

  /** Devices per model state path; every leaf state is present, most with 0. */
  countsByState(): Record<string, number> {
    return Object.fromEntries(LEAF_STATES.map((state, index) => [state, this.counts[index]!]));
  }
}

/** The screen id the model shows in `state` (for a device that reported it). */
export function screenOfState(state: string): string {
  return metaOfPath(state).screen.id;
}
