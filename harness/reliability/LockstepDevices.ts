import { createHash } from 'node:crypto';
import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { StagesimError, isStagesimError } from '../../agent/errors';
import type { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { statePath } from '../../agent/model/inspect';
import type { Effect } from '../../agent/model/meta';
import type { DeviceConfigurationInput } from '../../agent/provisioning/deviceConfiguration';
import type { NetworkConditions, TargetAction, TargetArtifacts, TargetDevice } from '../targets/target';

/**
 * Several simulated devices driven as one: every action, network change, hold and power cut goes to all
 * of them, and the first (the representative) answers for the group: its screen, its history, its
 * serial number for the backend checks. A model path run on the group therefore takes each device to
 * the same state with one run of the path's checks; `diverging()` tells afterwards which members did not
 * keep up. A QR code's text is handed to every member, as a fleet does: the text the admin API says
 * the code holds, or else read off the PNG once (the camera is tested elsewhere).
 */
const decoded = new Map<string, string | null>();
const digest = (image: Buffer) => createHash('sha256').update(image).digest('hex');

/** Tells the reader what a PNG encodes (the profile's qrCodeContent), so it is not decoded at all. */
export function knownQrCode(image: Buffer, text: string): void {
  decoded.set(digest(image), text);
}

async function qrText(image: Buffer): Promise<string | null> {
  const key = digest(image);
  if (!decoded.has(key)) {
    try {
      decoded.set(key, (await decodeCameraFrame(image)).text);
    } catch (error) {
      if (!isStagesimError(error, 'QR_NOT_FOUND')) throw error;
      decoded.set(key, null);
    }
  }
  return decoded.get(key)!;
}

export class LockstepDevices implements TargetDevice {
  constructor(readonly members: readonly SimulatedDevice[]) {
    if (members.length === 0) throw new Error('a lockstep group needs at least one device');
  }

  private get representative(): SimulatedDevice {
    return this.members[0]!;
  }

  get serialNumber(): string {
    return this.representative.serialNumber;
  }

  async perform(action: TargetAction): Promise<void> {
    for (const device of this.members) {
      switch (action.type) {
        case 'SHOW_QR_CODE': {
          const text = await qrText(action.image);
          if (text === null)
            throw new StagesimError('QR_NOT_FOUND', 'the QR reader found no code in the image shown to it');
          device.readProvisioningText(text);
          break;
        }
        case 'TOKEN_SUBMITTED':
          device.enterToken(action.token);
          break;
        case 'SIGN_IN':
          device.signIn(action.upn);
          break;
        default:
          device.send(action);
      }
    }
    await this.settled();
  }

  async view() {
    await this.settled();
    return this.representative.view();
  }

  async cutPower(): Promise<void> {
    for (const device of this.members) device.cutPower();
    await this.settled();
  }

  async setNetwork(conditions: NetworkConditions): Promise<void> {
    for (const device of this.members) {
      if (conditions.wifiInRange !== undefined) device.setWifiInRange(conditions.wifiInRange);
      if (conditions.cellular !== undefined) device.setCellular(conditions.cellular);
    }
  }

  async setConfiguration(configuration: DeviceConfigurationInput | null): Promise<void> {
    for (const device of this.members) device.setConfiguration(configuration);
  }

  async holdWork(effect?: Effect): Promise<void> {
    for (const device of this.members) device.holdEffects(effect);
  }

  async releaseWork(): Promise<void> {
    for (const device of this.members) device.releaseEffects();
    await this.settled();
  }

  async artifacts(): Promise<TargetArtifacts> {
    return { screenshotPng: null, pageSource: JSON.stringify(this.representative.view(), null, 2) };
  }

  async history(mark: number) {
    return this.representative.history(mark);
  }

  async historyMark() {
    return this.representative.historyMark();
  }

  /** The members whose state differs from the representative's, with the state they are in. */
  diverging(): Array<{ serialNumber: string; state: string }> {
    const expected = statePath(this.representative.snapshot());
    return this.members
      .map((device) => ({ serialNumber: device.serialNumber, state: statePath(device.snapshot()) }))
      .filter((member) => member.state !== expected);
  }

  /** The group is closed by whoever owns its devices. */
  async close(): Promise<void> {}

  private async settled(): Promise<void> {
    await Promise.all(this.members.map((device) => device.settled()));
  }
}
