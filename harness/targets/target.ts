import type { DeviceTransition, DeviceView } from '../../agent/device/SimulatedDevice';
import type { Effect } from '../../agent/model/meta';
import type { DeviceProfileInput } from '../../agent/device/deviceProfile';
import type { DeviceEvent } from '../../agent/model/events';
import type { DeviceConfigurationInput } from '../../agent/provisioning/deviceConfiguration';

/**
 * What a person does at a device, as the harness asks for it. Most actions are the model's own action
 * events; the three that carry data say what they carry: the camera frame shown to the QR reader, the
 * token typed by hand, the account signed in with.
 */
export type TargetAction =
  | Exclude<DeviceEvent, { type: 'QR_SCANNED' | 'QR_INVALID' | 'TOKEN_SUBMITTED' | 'SIGN_IN' }>
  | { type: 'SHOW_QR_CODE'; image: Buffer }
  | { type: 'TOKEN_SUBMITTED'; token: string }
  | { type: 'SIGN_IN'; upn: string };

export interface NetworkConditions {
  wifiInRange?: boolean;
  cellular?: boolean;
}

export interface TargetArtifacts {
  screenshotPng: Buffer | null;
  pageSource: string | null;
}

/**
 * One device on a target: the headless simulator, or an Android device behind Appium. The model tests
 * and the scenario runner drive only this interface, never a target directly.
 */
export interface TargetDevice {
  readonly serialNumber: string;
  perform(action: TargetAction): Promise<void>;
  /** The screen as the model names it, after the device finished any work in flight. */
  view(): Promise<DeviceView>;
  /** Pull the power: the device goes dark wherever it is. */
  cutPower(): Promise<void>;
  setNetwork(conditions: NetworkConditions): Promise<void>;
  /**
   * Register (null: remove) the device's zero-touch or Knox Mobile Enrollment configuration, as an admin
   * does in Google's or Samsung's portal; the setup wizard finds it when it next checks in.
   */
  setConfiguration(configuration: DeviceConfigurationInput | null): Promise<void>;
  /** Keep the device on its progress screen (a stalled network) until released; one effect or all. */
  holdWork(effect?: Effect): Promise<void>;
  releaseWork(): Promise<void>;
  artifacts(): Promise<TargetArtifacts>;
  /**
   * Transitions the device took after `mark` (from historyMark()), where the target can tell; lets the
   * harness check the states a step passed through, not only where it ended.
   */
  history?(mark: number): Promise<DeviceTransition[]>;
  historyMark?(): Promise<number>;
  close(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /**
   * A fresh device (factory new, in its box) talking to the backend at `backendUrl`; trusting `ca` (PEM)
   * besides Node's CAs when a private CA signed that backend's certificate (an embedded backend's --tls).
   */
  createDevice(profile: DeviceProfileInput, backendUrl: string, ca?: string): Promise<TargetDevice>;
  close(): Promise<void>;
}
