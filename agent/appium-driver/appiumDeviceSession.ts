import { randomBytes } from 'node:crypto';
import { PNG } from 'pngjs';
import { DeviceChannelClient } from '../channel/DeviceChannelClient';
import { SimulatedDevice, type DeviceView } from '../device/SimulatedDevice';
import { MemoryDeviceStorage } from '../device/deviceStorage';
import { StagesimError } from '../errors';
import { loadSelectors, type ResolvedSelectors } from '../selectors/selectors';
import type { SessionCaps } from './desiredCaps';
import { pageSource, renderHierarchy, type RenderedScreen, type UiNode } from './render/hierarchy';
import { renderScreenshot } from './render/screenshot';

/**
 * One Appium session's device: a SimulatedDevice talking to the backend over the real device channel
 * (the same parts the headless target uses), the screen rendered from it with the selector files, and
 * the element ids handed out to the client.
 *
 * An element id belongs to one visit of a screen: once the device moves to another state, ids found
 * before are stale (as UiAutomator2's are once their view is gone), so a click can never land on a
 * different screen's button that happens to have the same key.
 */
export class AppiumDeviceSession {
  readonly device: SimulatedDevice;
  readonly selectors: ResolvedSelectors;
  private readonly idPrefix = randomBytes(4).toString('hex');
  private visit = 0;
  private seenMark: number;
  private seenState: string;
  private focusedKey: string | null = null;
  private focusVisit = -1;
  /** The last frame held in front of the camera (what `mobile: injectEmulatorCameraImage` put there). */
  cameraFrame: Buffer | null = null;

  constructor(readonly caps: SessionCaps) {
    this.device = new SimulatedDevice({
      profile: {
        serialNumber: caps['stagesim:serialNumber'],
        manufacturer: caps['stagesim:manufacturer'],
        model: caps['stagesim:model'],
        osVersion: caps.platformVersion,
        wifiInRange: caps['stagesim:wifiInRange'],
        cellular: caps['stagesim:cellular'],
      },
      service: new DeviceChannelClient({ url: caps['stagesim:backendUrl'] }),
      // The device's flash: kept for the whole session, so a power cycle keeps what the device knew.
      storage: new MemoryDeviceStorage(),
    });
    this.selectors = loadSelectors({
      androidVersion: caps.platformVersion,
      manufacturer: caps['stagesim:manufacturer'],
    });
    this.seenMark = this.device.historyMark();
    this.seenState = this.device.view().state;
  }

  /** Waits until the device has no work in flight, as UiAutomator2 waits for the app to be idle. */
  async idle(): Promise<void> {
    await this.device.settled();
    this.trackVisit();
  }

  /** The number of the current screen visit: it changes whenever the device changes state. */
  private trackVisit(): number {
    const mark = this.device.historyMark();
    if (mark !== this.seenMark) {
      for (const transition of this.device.history(this.seenMark)) {
        if (transition.state !== this.seenState) {
          this.visit += 1;
          this.seenState = transition.state;
        }
      }
      this.seenMark = mark;
    }
    return this.visit;
  }

  view(): DeviceView {
    return this.device.view();
  }

  render(): RenderedScreen {
    const visit = this.trackVisit();
    const focused = this.focusVisit === visit ? this.focusedKey : null;
    return renderHierarchy(this.device.view(), this.selectors, focused);
  }

  pageSource(): string {
    return pageSource(this.render());
  }

  screenshot(): Buffer {
    const { serialNumber, model, osVersion } = this.device.profile;
    return renderScreenshot(
      this.render(),
      `${model}  ${serialNumber}  Android ${osVersion}`,
      this.cameraImage(),
    );
  }

  /** The camera frame as an image, when it is one (a frame the reader refused is not drawn). */
  private cameraImage(): PNG | null {
    if (!this.cameraFrame) return null;
    try {
      return PNG.sync.read(this.cameraFrame);
    } catch {
      return null;
    }
  }

  elementId(screen: RenderedScreen, node: UiNode): string {
    return `${this.idPrefix}-${this.visit}-${screen.nodes.indexOf(node)}`;
  }

  /** The node an element id names on the current screen; STALE_ELEMENT once the screen changed. */
  node(elementId: string): { screen: RenderedScreen; node: UiNode } {
    const match = /^([0-9a-f]{8})-(\d+)-(\d+)$/.exec(elementId);
    if (!match || match[1] !== this.idPrefix)
      throw new StagesimError('NO_SUCH_ELEMENT', `no element with id ${elementId} was found in this session`);
    const screen = this.render();
    const node = screen.nodes[Number(match[3])];
    if (Number(match[2]) !== this.visit || !node) {
      throw new StagesimError(
        'STALE_ELEMENT',
        `element ${elementId} is no longer on screen (the device now shows "${screen.screenId}")`,
      );
    }
    return { screen, node };
  }

  focus(key: string | null): void {
    this.focusedKey = key;
    this.focusVisit = this.visit;
  }

  async close(): Promise<void> {
    await this.device.close();
  }
}
