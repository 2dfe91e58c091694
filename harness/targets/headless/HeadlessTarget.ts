import { DeviceChannelClient } from '../../../agent/channel/DeviceChannelClient';
import { StagesimError } from '../../../agent/errors';
import { SimulatedDevice } from '../../../agent/device/SimulatedDevice';
import type { DeviceProfileInput } from '../../../agent/device/deviceProfile';
import { MemoryDeviceStorage, type DeviceStorage } from '../../../agent/device/deviceStorage';
import type { Effect } from '../../../agent/model/meta';
import type { DeviceConfigurationInput } from '../../../agent/provisioning/deviceConfiguration';
import type { NetworkConditions, Target, TargetAction, TargetArtifacts, TargetDevice } from '../target';

/** A device that lives in this process: the simulated device model talking over the real channel. */
export class HeadlessDevice implements TargetDevice {
  constructor(readonly device: SimulatedDevice) {}

  get serialNumber(): string {
    return this.device.serialNumber;
  }

  async perform(action: TargetAction): Promise<void> {
    switch (action.type) {
      case 'SHOW_QR_CODE': {
        const result = await this.device.showQrCode(action.image);
        if (result === 'noCode')
          throw new StagesimError('QR_NOT_FOUND', 'the QR reader found no code in the image shown to it');
        break;
      }
      case 'TOKEN_SUBMITTED':
        this.device.enterToken(action.token);
        break;
      case 'SIGN_IN':
        this.device.signIn(action.upn);
        break;
      case 'CONNECT_WIFI':
        this.device.connectWifi();
        break;
      default:
        this.device.send(action);
    }
    await this.device.settled();
  }

  async view() {
    await this.device.settled();
    return this.device.view();
  }

  async cutPower(): Promise<void> {
    this.device.cutPower();
    await this.device.settled();
  }

  async setNetwork(conditions: NetworkConditions): Promise<void> {
    if (conditions.wifiInRange !== undefined) this.device.setWifiInRange(conditions.wifiInRange);
    if (conditions.cellular !== undefined) this.device.setCellular(conditions.cellular);
  }

  async setConfiguration(configuration: DeviceConfigurationInput | null): Promise<void> {
    this.device.setConfiguration(configuration);
  }

  async holdWork(effect?: Effect): Promise<void> {
    this.device.holdEffects(effect);
  }

  async releaseWork(): Promise<void> {
    this.device.releaseEffects();
    await this.device.settled();
  }

  async artifacts(): Promise<TargetArtifacts> {
    return { screenshotPng: null, pageSource: JSON.stringify(this.device.view(), null, 2) };
  }

  async history(mark: number) {
    return this.device.history(mark);
  }

  async historyMark() {
    return this.device.historyMark();
  }

  async close(): Promise<void> {
    await this.device.close();
  }
}

/** The default target: simulated devices in this process, fast and deterministic. */
export class HeadlessTarget implements Target {
  readonly name = 'headless';
  private readonly devices = new Set<HeadlessDevice>();

  constructor(private readonly storage: DeviceStorage = new MemoryDeviceStorage()) {}

  async createDevice(profile: DeviceProfileInput, backendUrl: string, ca?: string): Promise<HeadlessDevice> {
    this.storage.erase(profile.serialNumber);
    const service = new DeviceChannelClient({ url: backendUrl, ...(ca ? { ca } : {}) });
    const device = new HeadlessDevice(new SimulatedDevice({ profile, service, storage: this.storage }));
    this.devices.add(device);
    return device;
  }

  async close(): Promise<void> {
    await Promise.all([...this.devices].map((device) => device.close()));
    this.devices.clear();
  }
}
