import type { StateReportMessage } from '../../../agent/protocol/messages';
import type { BackendStore } from '../store/repository';
import { ChangeFeed } from './changeFeed';
import { DeviceReport } from './deviceReport';
import { LiveDevices } from './liveDevices';

/**
 * The backend's side of the admin console: what devices reported, the devices report over the store,
 * and the change feed the open consoles listen to. The channel server tells it about device traffic;
 * admin routes tell it about profile and targeting changes.
 */
export class AdminConsole {
  readonly live: LiveDevices;
  readonly report: DeviceReport;
  readonly feed = new ChangeFeed();

  constructor(store: BackendStore) {
    this.live = new LiveDevices(store);
    this.report = new DeviceReport(store, this.live);
  }

  onStateReport(report: StateReportMessage): string | null {
    const problem = this.live.report(report);
    if (problem === null) this.feed.notify('devices');
    return problem;
  }

  onDeviceRequest(): void {
    this.feed.notify('devices');
    // A redemption or a stage changes a profile's counts too.
    this.feed.notify('admin');
  }

  /** The backend forgot everything: so do the live view and the report, and open consoles reload. */
  reset(): void {
    this.live.clear();
    this.feed.notify('devices');
    this.feed.notify('admin');
  }

  close(): void {
    this.feed.close();
  }
}
