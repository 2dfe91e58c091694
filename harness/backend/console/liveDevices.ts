import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import type { StateReportMessage } from '../../../agent/protocol/messages';
import { BoundedCache } from '../store/boundedCache';
import type { BackendStore, StateReportRecord } from '../store/repository';

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
 * The reports are kept in the store, the most recent also in a bounded cache, and the number of devices
 * per model state as reports arrive (one number a state), so memory holds nothing per device: a backend
 * restarted on its database file still shows where every device was, and a fleet of millions costs the
 * console no more memory than one of 10,000 (the cache's bound). The devices report reads the rest from
 * the store (deviceReport.ts). A device keeps its last state after it disconnects: a fleet that finished
 * still shows as enrolled. A stored report of a state the model no longer has (written by an older model) is
 * kept and not shown, its device counted nowhere, until the device reports again.
 */
export class LiveDevices {
  private readonly recent = new BoundedCache<string, LiveDevice>(LIVE_DEVICE_CACHE_SIZE);
  private readonly counts = new Array<number>(SLOTS).fill(0);
  private devices = 0;
  private hidden: string[] = [];

  constructor(private readonly store: BackendStore) {
    this.countStored();
  }

  /** Records a report; answers why it cannot be used, or null. */
  report(report: StateReportMessage, at: number = Date.now()): string | null {
    const index = STATE_INDEX.get(report.state);
    if (index === undefined)
      return `state: "${report.state.slice(0, 128)}" is not a state of the device model`;
    const { serialNumber } = report.device;
    const previous = this.recent.get(serialNumber)?.state ?? this.store.stateOfReport(serialNumber);
    const previousIndex = previous === undefined ? undefined : STATE_INDEX.get(previous);
    if (previousIndex === undefined) this.devices += 1;
    else this.counts[previousIndex]! -= 1;
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
    return null;
  }

  /** The device's latest report, unless it never sent one or its state is not the model's. */
  get(serialNumber: string): LiveDevice | undefined {
    const live = this.recent.get(serialNumber) ?? this.store.getStateReport(serialNumber);
    return live && STATE_INDEX.has(live.state) ? live : undefined;
  }

  /** How many devices have a report shown. */
  size(): number {
    return this.devices;
  }

  /** States of stored reports the model does not have, which the devices report leaves out. */
  hiddenStates(): readonly string[] {
    return this.hidden;
  }

  /** Forgets every device's report, and counts again what the store has (nothing, after its clear). */
  clear(): void {
    this.recent.clear();
    this.counts.fill(0);
    this.devices = 0;
    this.countStored();
  }

  /** How many full reports are in memory now, and the most there can be. */
  cacheStats(): { size: number; max: number } {
    return { size: this.recent.size, max: this.recent.max };
  }

  /** Devices per model state path; every leaf state is present, most with 0. */
  countsByState(): Record<string, number> {
    return Object.fromEntries(LEAF_STATES.map((state, index) => [state, this.counts[index]!]));
  }

  private countStored(): void {
    this.hidden = [];
    for (const [state, count] of this.store.countStateReports()) {
      const index = STATE_INDEX.get(state);
      if (index === undefined) {
        this.hidden.push(state);
        continue;
      }
      this.counts[index]! += count;
      this.devices += count;
    }
  }
}

/** The screen id the model shows in `state` (for a device that reported it). */
export function screenOfState(state: string): string {
  return metaOfPath(state).screen.id;
}
