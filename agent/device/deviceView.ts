import { metaOf, statePath, type DeviceSnapshot } from '../model/inspect';
import type { StateMeta } from '../model/meta';
import { reasonMessages, SCREEN_ERROR_REASONS, screenDefinition, type ScreenElement } from '../model/screens';
import type { Deliveries } from '../protocol/enrollment';

/** The current screen as data: what a person would see, plus what the model says about it. */
export interface DeviceView {
  serialNumber: string;
  state: string;
  screen: { id: string; title: string; appPackage: string };
  stage: StateMeta['stage'];
  actor: StateMeta['actor'];
  userless: boolean;
  poweredOff: boolean;
  error: boolean;
  errorReason: string | null;
  errorMessage: string | null;
  upn: string | null;
  flow: 'staging' | 'default' | null;
  mode: string | null;
  recordedStage: string | null;
  deviceName: string | null;
  deliveries: Deliveries | null;
  wifiConnected: boolean;
  elements: Array<ScreenElement & { value: string }>;
}

/** What the device itself knows beside its model snapshot: typed inputs and what the service sent. */
export interface DeviceViewExtras {
  serialNumber: string;
  inputs: ReadonlyMap<string, string>;
  deviceName: string | null;
  deliveries: Deliveries | null;
  wifiConnected: boolean;
}

/** What a view says that the state's meta says: the same on every target. */
export function viewOfMeta(
  meta: StateMeta,
): Pick<DeviceView, 'stage' | 'actor' | 'userless' | 'poweredOff' | 'error'> {
  const { stage, actor, userless, poweredOff, error } = meta;
  return { stage, actor, userless, poweredOff, error };
}

/** The screen the model's state names, filled in with what the device knows. */
export function buildDeviceView(snapshot: DeviceSnapshot, extras: DeviceViewExtras): DeviceView {
  const meta = metaOf(snapshot);
  const definition = screenDefinition(meta.screen.id);
  const { context } = snapshot;
  const errorReason = meta.error
    ? (context.errorReason ?? SCREEN_ERROR_REASONS[meta.screen.id] ?? null)
    : null;
  const errorMessage = errorReason ? (reasonMessages[errorReason] ?? errorReason) : null;
  const value = (element: ScreenElement): string => {
    switch (element.key) {
      case 'errorMessage':
        return errorMessage ?? '';
      case 'deviceName':
        return extras.deviceName ?? '';
      case 'account':
        return context.upn ?? '';
      case 'deliveries':
        return extras.deliveries ? [...extras.deliveries.policies, ...extras.deliveries.apps].join(', ') : '';
      default:
        return element.kind === 'input' ? (extras.inputs.get(element.key) ?? '') : element.label;
    }
  };
  return {
    serialNumber: extras.serialNumber,
    state: statePath(snapshot),
    screen: { ...meta.screen, appPackage: definition.appPackage },
    ...viewOfMeta(meta),
    errorReason,
    errorMessage,
    upn: context.upn,
    flow: context.flow,
    mode: context.mode,
    recordedStage: context.recordedStage,
    deviceName: extras.deviceName,
    deliveries: extras.deliveries,
    wifiConnected: extras.wifiConnected,
    elements: definition.elements.map((element) => ({ ...element, value: value(element) })),
  };
}
