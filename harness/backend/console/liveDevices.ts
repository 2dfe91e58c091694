import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import type { DeviceIdentity } from '../../../agent/protocol/enrollment';
import type { StateReportMessage } from '../../../agent/protocol/messages';

/** Where one device's model is, as the device last said (its stateReport). */
export interface LiveDevice {
  serialNumber: string;
  device: DeviceIdentity;
  state: string;
  values: Record<string, string>;
  /** Wall-clock epoch ms of the report. */
  reportedAt: number;
}

const LEAF_STATES = new Set(leafStateNodes().map(pathOfNode));

/**
 * The console's picture of the fleet: the latest state report of every device that sent one, kept in
 * memory (a restarted backend learns them again from the devices' next reports), with the number of
 * devices per model state kept up to date as reports arrive, so counting 100,000 devices costs nothing.
 * A device keeps its last state after it disconnects: a fleet that finished still shows as enrolled.
 */
export class LiveDevices {
  private readonly devices = new Map<string, LiveDevice>();
  private readonly counts = new Map<string, number>();

  /** Records a report; answers why it cannot be used, or null. */
  report(report: StateReportMessage, at: number = Date.now()): string | null {
    if (!LEAF_STATES.has(report.state))
      return `state: "${report.state.slice(0, 128)}" is not a state of the device model`;
    const { serialNumber } = report.device;
    const previous = this.devices.get(serialNumber);
    if (previous) this.counts.set(previous.state, (this.counts.get(previous.state) ?? 1) - 1);
    this.counts.set(report.state, (this.counts.get(report.state) ?? 0) + 1);
    this.devices.set(serialNumber, {
      serialNumber,
      device: report.device,
      state: report.state,
      values: report.values,
      reportedAt: at,
    });
    return null;
  }

  get(serialNumber: string): LiveDevice | undefined {
    return this.devices.get(serialNumber);
  }

  all(): IterableIterator<LiveDevice> {
    return this.devices.values();
  }

  size(): number {
    return this.devices.size;
  }

  /** Devices per model state path; every leaf state is present, most with 0. */
  countsByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const state of LEAF_STATES) counts[state] = this.counts.get(state) ?? 0;
    return counts;
  }
}

/** The screen id the model shows in `state` (for a device that reported it). */
export function screenOfState(state: string): string {
  return metaOfPath(state).screen.id;
}
