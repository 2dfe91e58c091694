import type { DeviceTransition, DeviceView } from '../../../agent/device/SimulatedDevice';
import { StagesimError } from '../../../agent/errors';
import type { DeviceEventType } from '../../../agent/model/events';
import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import type { Effect } from '../../../agent/model/meta';
import type { DeviceConfigurationInput } from '../../../agent/provisioning/deviceConfiguration';
import type { NetworkConditions, TargetAction, TargetArtifacts, TargetDevice } from '../target';
import { CameraFeed } from './cameraFeed';
import { driverViewReplySchema } from './deviceView';
import type { EmulatorControl } from './emulatorControl';
import { pageFor, QrReaderPage, TokenEntryPage, type ScreenPage } from './pages';
import { parsePageSource } from './pageSource';
import { recognizeScreen, type RecognizedScreen } from './recognizeScreen';
import { ScreenTracker } from './screenTracker';
import { POWERED_OFF_SCREEN, type ResolvedSelectors } from '../../../agent/selectors/selectors';
import type { AppiumSession } from './session';
import { viewFromScreen } from './uiView';

/**
 * One Android device behind Appium, driven through its screens: every action is found on the screen the
 * page source shows (with the selector files) and done by its page object; what is not on a screen
 * (power, network, work in flight) goes to the stagesim driver's mobile: methods, or to the emulator.
 *
 * Two kinds of device:
 * - the stagesim driver's simulated device: the model behind it is asked for its state
 *   (`mobile: stagesimDeviceView`), and that state must agree with the screen the page source shows;
 *   history, held work and network conditions come from its mobile: methods;
 * - a real device or emulator (UiAutomator2): the state is read from the screens alone (ScreenTracker);
 *   power is the emulator's (emulator-scripts/power-cycle.sh, then a new session).
 *
 * Error codes: the device's own (ACTION_NOT_AVAILABLE, TOKEN_*, NO_WIFI_IN_RANGE, QR_NOT_FOUND, FRAME_*),
 * SCREEN_MISMATCH, SCREEN_UNKNOWN, NOT_SUPPORTED_ON_TARGET, APPIUM_* (see webdriverErrors.ts).
 */
export interface AppiumDeviceOptions {
  serialNumber: string;
  selectors: ResolvedSelectors;
  /** Opens a session on the device (the first one, and after every power cycle of an emulator). */
  openSession: () => Promise<AppiumSession>;
  /** The stagesim driver's device: its model can be asked. */
  simulated: boolean;
  /** Ask the simulated device's model for its state (default), or read it from the screens as on a real device. */
  modelState?: 'driver' | 'inferred';
  /** The emulator behind a UiAutomator2 session, when it is one on this machine. */
  emulator?: EmulatorControl | null;
  /** How long a real device may take to leave a progress screen or show a known one. */
  settleTimeoutMs?: number;
  onClose?: () => void;
}

/** Screens that only show work in flight: a real device is read again until it leaves them. */
const BUSY_SCREENS = new Set(
  leafStateNodes()
    .map((node) => metaOfPath(pathOfNode(node)))
    .filter((meta) => meta.effect !== undefined)
    .map((meta) => meta.screen.id),
);

const POLL_MS = 500;

export class AppiumDevice implements TargetDevice {
  readonly serialNumber: string;
  history?: (mark: number) => Promise<DeviceTransition[]>;
  historyMark?: () => Promise<number>;
  private session: AppiumSession | null;
  private readonly tracker = new ScreenTracker();
  private readonly camera: CameraFeed;
  private readonly useDriverState: boolean;
  /** A real device's account, as the harness signed it in (a screen does not always show it). */
  private signedInAs: string | null = null;
  /** A real emulator the harness switched off (no session until it is switched on). */
  private switchedOff: boolean;
  /** The history mark the last view came with, until the device is acted on again. */
  private markSinceView: number | null = null;
  /**
   * The screen the last view read, until the device is acted on again: the simulated device changes
   * only when told to (its work ends before the driver answers), so an action right after a view needs
   * no second page source. A real device can change by itself and is always read again.
   */
  private shownSinceView: RecognizedScreen | null = null;

  constructor(
    session: AppiumSession | null,
    private readonly options: AppiumDeviceOptions,
  ) {
    this.serialNumber = options.serialNumber;
    this.session = session;
    this.useDriverState = options.simulated && options.modelState !== 'inferred';
    // A real device the harness "unboxes" is running already; the model starts it powered off, so it
    // counts as off until the harness switches it on.
    this.switchedOff = !options.simulated;
    const emulator = options.emulator ?? null;
    this.camera = new CameraFeed(
      emulator ? (png) => emulator.setCameraPoster(png).then(() => undefined) : null,
    );
    // Only a model can tell the transitions it took; a device read from its screens has no history.
    if (this.useDriverState) {
      this.history = async (mark) =>
        (await this.live().execute<DeviceTransition[]>('mobile: stagesimHistory', { after: mark })) ?? [];
      this.historyMark = async () =>
        this.markSinceView ?? this.live().execute<number>('mobile: stagesimHistoryMark');
    }
  }

  private live(): AppiumSession {
    if (!this.session || this.switchedOff)
      throw new StagesimError(
        'ACTION_NOT_AVAILABLE',
        'the device is switched off (no session until it is switched on)',
      );
    return this.session;
  }

  // --- Reading the screen ---------------------------------------------------------------------------

  /** The screen the page source shows, read until it is a known one (and, on a real device, not a progress screen). */
  private async shown(): Promise<RecognizedScreen> {
    if (!this.session || this.switchedOff) return { id: POWERED_OFF_SCREEN, screen: null, texts: {} };
    if (this.shownSinceView) return this.shownSinceView;
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 120_000);
    for (;;) {
      const recognized = recognizeScreen(
        parsePageSource(await this.session.pageSource()),
        this.options.selectors,
      );
      // The stagesim driver answers only once its device is idle: what it shows is where it rests.
      const settled = recognized !== null && (this.options.simulated || !BUSY_SCREENS.has(recognized.id));
      if (settled) return recognized;
      if (Date.now() >= deadline || (recognized === null && this.options.simulated)) {
        if (recognized) return recognized;
        throw new StagesimError(
          'SCREEN_UNKNOWN',
          `the page source matches no screen of the selector files (${this.options.selectors.files.map((f) => `${f}.json`).join(' over ')}); see the page source in the report`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async currentPage(event: DeviceEventType): Promise<ScreenPage> {
    const shown = await this.shown();
    if (!shown.screen)
      throw new StagesimError('ACTION_NOT_AVAILABLE', `${event} is not possible while the device is off`);
    return pageFor(this.live(), shown.screen, this.camera);
  }

  async view(): Promise<DeviceView> {
    const shown = await this.shown();
    if (!this.useDriverState)
      return viewFromScreen(this.serialNumber, this.tracker.observe(shown.id), shown, this.signedInAs);
    const { view, historyMark } = driverViewReplySchema.parse(
      await this.live().execute('mobile: stagesimDeviceView'),
    );
    // The screen the page source shows must be the one the model is on, with the same message.
    if (view.screen.id !== shown.id) {
      throw new StagesimError(
        'SCREEN_MISMATCH',
        `the page source shows screen "${shown.id}", the device model is on "${view.screen.id}" (state ${view.state})`,
      );
    }
    const shownMessage = shown.texts.errorMessage;
    if (shownMessage !== undefined && view.errorMessage !== null && shownMessage !== view.errorMessage) {
      throw new StagesimError(
        'SCREEN_MISMATCH',
        `screen "${shown.id}" says "${shownMessage}", the device model says "${view.errorMessage}"`,
      );
    }
    this.markSinceView = historyMark;
    this.shownSinceView = shown;
    return view;
  }

  private forgetView(): void {
    this.markSinceView = null;
    this.shownSinceView = null;
  }

  // --- What a person does ---------------------------------------------------------------------------

  async perform(action: TargetAction): Promise<void> {
    try {
      await this.act(action);
    } finally {
      this.forgetView();
    }
  }

  private async act(action: TargetAction): Promise<void> {
    switch (action.type) {
      case 'POWER_ON':
        return this.powerOn();
      case 'POWER_OFF':
        return this.powerOff(false);
      case 'SHOW_QR_CODE':
        return this.showQrCode(action.image);
      case 'TOKEN_SUBMITTED': {
        const page = await this.currentPage(action.type);
        if (!(page instanceof TokenEntryPage)) throw notOn('TOKEN_SUBMITTED', page.id);
        return page.submit(action.token);
      }
      case 'SIGN_IN': {
        const page = await this.currentPage(action.type);
        await page.perform('SIGN_IN', action.upn);
        this.signedInAs = action.upn.trim();
        return;
      }
      case 'FACTORY_RESET': {
        const shown = await this.shown();
        const page = shown.screen ? pageFor(this.live(), shown.screen, this.camera) : null;
        // Error screens offer the reset; anywhere else (even switched off) it is done from recovery.
        if (page?.offers('FACTORY_RESET')) await page.perform('FACTORY_RESET');
        else
          await this.simulatedOnly('a factory reset from recovery').execute('mobile: stagesimFactoryReset');
        this.signedInAs = null;
        return;
      }
      default: {
        const page = await this.currentPage(action.type);
        return page.perform(action.type);
      }
    }
  }

  private async showQrCode(image: Buffer): Promise<void> {
    const page = await this.currentPage('QR_SCANNED');
    if (!(page instanceof QrReaderPage)) throw notOn('QR_SCANNED', page.id);
    await page.showCode(image);
    this.forgetView();
    // The reader reads the frame; a frame with no code leaves it where it was.
    const deadline = Date.now() + (this.options.simulated ? 0 : 15_000);
    for (;;) {
      if ((await this.shown()).id !== 'qr-reader') return;
      if (Date.now() >= deadline)
        throw new StagesimError('QR_NOT_FOUND', 'the QR reader found no code in the image shown to it');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  // --- What happens to the device -------------------------------------------------------------------

  private simulatedOnly(what: string): AppiumSession {
    if (!this.options.simulated)
      throw new StagesimError(
        'NOT_SUPPORTED_ON_TARGET',
        `${what} is only available on the stagesim driver's simulated device`,
      );
    return this.live();
  }

  private emulator(what: string): EmulatorControl {
    if (!this.options.emulator) {
      throw new StagesimError(
        'NOT_SUPPORTED_ON_TARGET',
        `${what} needs an emulator on this machine (appium:udid emulator-PORT); this device's power cannot be switched`,
      );
    }
    return this.options.emulator;
  }

  private async powerOn(): Promise<void> {
    if (this.options.simulated) {
      await this.live().execute('mobile: stagesimPowerOn');
      return;
    }
    if (!this.switchedOff)
      throw new StagesimError('ACTION_NOT_AVAILABLE', 'POWER_ON is not possible: the device is on');
    // The emulator cold booted when it was switched off; switching on is the new session.
    this.session ??= await this.options.openSession();
    this.switchedOff = false;
  }

  private async powerOff(hard: boolean): Promise<void> {
    if (this.options.simulated) {
      await this.live().execute(hard ? 'mobile: stagesimCutPower' : 'mobile: stagesimPowerOff');
      return;
    }
    if (this.switchedOff) {
      if (hard) return;
      throw new StagesimError('ACTION_NOT_AVAILABLE', 'POWER_OFF is not possible: the device is off');
    }
    const emulator = this.emulator(hard ? 'cutting the power' : 'switching the device off');
    const session = this.session;
    this.session = null;
    this.switchedOff = true;
    await session?.delete().catch(() => undefined);
    await emulator.powerCycle({ hard });
  }

  async cutPower(): Promise<void> {
    this.forgetView();
    await this.powerOff(true);
  }

  async setNetwork(conditions: NetworkConditions): Promise<void> {
    this.forgetView();
    if (this.options.simulated) {
      await this.live().execute('mobile: stagesimSetNetwork', { ...conditions });
      return;
    }
    // UiAutomator2 switches the radios: out of range is Wi-Fi off, no mobile data is data off.
    await this.live().execute('mobile: setConnectivity', {
      ...(conditions.wifiInRange !== undefined ? { wifi: conditions.wifiInRange } : {}),
      ...(conditions.cellular !== undefined ? { data: conditions.cellular } : {}),
    });
  }

  async setConfiguration(configuration: DeviceConfigurationInput | null): Promise<void> {
    this.forgetView();
    // Google's and Samsung's portals are in the cloud: only the simulated device has them here.
    await this.simulatedOnly('a zero-touch or KME configuration').execute(
      'mobile: stagesimSetConfiguration',
      {
        configuration,
      },
    );
  }

  async holdWork(effect?: Effect): Promise<void> {
    this.forgetView();
    await this.simulatedOnly('holding work in flight').execute(
      'mobile: stagesimHoldWork',
      effect ? { effect } : {},
    );
  }

  async releaseWork(): Promise<void> {
    this.forgetView();
    await this.simulatedOnly('releasing held work').execute('mobile: stagesimReleaseWork');
  }

  async artifacts(): Promise<TargetArtifacts> {
    const session = this.session;
    if (!session) return { screenshotPng: null, pageSource: null };
    const [screenshotPng, pageSource] = await Promise.all([
      session.screenshot().catch(() => null),
      session.pageSource().catch(() => null),
    ]);
    return { screenshotPng, pageSource };
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    try {
      await session?.delete();
    } catch {
      // A session the server already ended is closed as far as anyone can tell.
    } finally {
      this.options.onClose?.();
    }
  }
}

function notOn(event: DeviceEventType, screenId: string): StagesimError {
  return new StagesimError('ACTION_NOT_AVAILABLE', `${event} is not possible on screen "${screenId}"`);
}
