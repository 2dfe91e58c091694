import type { DeviceView } from '../../../agent/device/SimulatedDevice';
import {
  renderHierarchy,
  type RenderedScreen,
  type UiNode,
} from '../../../agent/appium-driver/render/hierarchy';
import { renderScreenshot } from '../../../agent/appium-driver/render/screenshot';
import { DISPLAY } from '../../../agent/appium-driver/render/layout';
import { metaOfPath } from '../../../agent/model/inspect';
import { screenDefinition } from '../../../agent/model/screens';
import { loadSelectors } from '../../../agent/selectors/selectors';
import type { LiveDevice } from './liveDevices';

/**
 * A device's current screen for the console, as the Appium driver renders it: the same element
 * hierarchy (renderHierarchy over the same selector files), built from the device's state report. The
 * elements, their kinds and the event each button sends come from the model's screen catalogue; the
 * report only adds what the device shows in them.
 */

export interface ScreenNode {
  role: UiNode['role'];
  className: string;
  key: string | null;
  text: string;
  hint: string | null;
  resourceId: string;
  clickable: boolean;
  bounds: UiNode['bounds'];
  /** The model event a tap sends (from the screen catalogue); null for what a tap does nothing to. */
  action: string | null;
  /** For a button that submits a field: that field's key. */
  reads: string | null;
}

export interface DeviceScreen {
  state: string;
  screenId: string;
  title: string;
  appPackage: string;
  poweredOff: boolean;
  error: boolean;
  width: number;
  height: number;
  nodes: ScreenNode[];
}

/** The parts of a DeviceView the hierarchy reads, filled from the model for the reported state. */
function viewOfReport(live: LiveDevice): DeviceView {
  const meta = metaOfPath(live.state);
  const definition = screenDefinition(meta.screen.id);
  return {
    serialNumber: live.serialNumber,
    state: live.state,
    screen: { ...meta.screen, appPackage: definition.appPackage },
    stage: meta.stage,
    actor: meta.actor,
    userless: meta.userless,
    poweredOff: meta.poweredOff,
    error: meta.error,
    errorReason: null,
    errorMessage: live.values.errorMessage ?? null,
    upn: null,
    flow: null,
    mode: null,
    recordedStage: null,
    deviceName: null,
    deliveries: null,
    wifiConnected: false,
    elements: definition.elements.map((element) => ({
      ...element,
      value: live.values[element.key] ?? (element.kind === 'input' ? '' : element.label),
    })),
  };
}

function rendered(live: LiveDevice): { view: DeviceView; screen: RenderedScreen } {
  const view = viewOfReport(live);
  // The selector files the Appium driver would pick for this hardware.
  const selectors = loadSelectors({
    androidVersion: live.device.osVersion,
    manufacturer: live.device.manufacturer,
  });
  return { view, screen: renderHierarchy(view, selectors) };
}

/** The Appium driver's own PNG of that hierarchy (its bitmap font), with the status bar it draws. */
export function deviceScreenshot(live: LiveDevice): Buffer {
  const { model, serialNumber, osVersion } = live.device;
  return renderScreenshot(rendered(live).screen, `${model}  ${serialNumber}  Android ${osVersion}`);
}

export function deviceScreen(live: LiveDevice): DeviceScreen {
  const { view, screen } = rendered(live);
  const byKey = new Map(view.elements.map((element) => [element.key, element]));
  return {
    state: live.state,
    screenId: view.screen.id,
    title: view.screen.title,
    appPackage: view.screen.appPackage,
    poweredOff: view.poweredOff,
    error: view.error,
    width: DISPLAY.width,
    height: DISPLAY.height,
    nodes: screen.nodes
      .filter((node) => node.role !== 'window')
      .map((node) => {
        const element = node.key === null ? undefined : byKey.get(node.key);
        return {
          role: node.role,
          className: node.className,
          key: node.key,
          text: node.text,
          hint: node.hint,
          resourceId: node.resourceId,
          clickable: node.clickable,
          bounds: node.bounds,
          action: element?.action ?? null,
          reads: element?.reads ?? null,
        };
      }),
  };
}

/** Whether the model's screen for `state` has an element `key` a tap does something to. */
export function tappable(state: string, key: string): boolean {
  const element = screenDefinition(metaOfPath(state).screen.id).elements.find((e) => e.key === key);
  return element !== undefined && element.action !== undefined;
}
