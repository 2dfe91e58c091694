import type { DeviceProfileInput } from '../../../agent/device/deviceProfile';
import { deviceProfileSchema } from '../../../agent/device/deviceProfile';
import { StagesimError } from '../../../agent/errors';
import type { Target } from '../target';
import { AppiumDevice } from './AppiumDevice';
import { sessionCapabilities, usesStagesimDriver, type Capabilities } from './capabilities';
import { EmulatorControl, emulatorSerialOf } from './emulatorControl';
import { startAppiumProcess, type LocalAppium } from './localAppium';
import { appiumParallelSchema } from './parallel';
import { loadSelectors } from '../../../agent/selectors/selectors';
import { AppiumSession } from './session';

/**
 * Devices behind an Appium server, driven with webdriverio: an existing server, Selenium Grid 4 or a
 * device cloud (`url`), or, with no URL, a local Appium server this target starts in a child process
 * with the stagesim driver and stops in close(). Each device is one session; sessions that run at the
 * same time get distinct `appium:systemPort`s.
 */
export interface AppiumTargetOptions {
  /** The Appium server (or Grid hub); a local one is started when left out. */
  url?: string;
  /** The capabilities file's content; the stagesim driver's simulated device when left out. */
  capabilities?: Capabilities;
  /** How many device sessions runners may keep at the same time. */
  parallel?: number;
  /** For the stagesim driver: ask its model for the state (default), or read the state from the screens as on a real device. */
  modelState?: 'driver' | 'inferred';
  /** How long a real device may take to settle on a screen. */
  settleTimeoutMs?: number;
}

export class AppiumTarget implements Target {
  readonly name = 'appium';
  /** The sessions runners may keep at once (`--parallel`). */
  readonly concurrency: number;
  private readonly slots = new Set<number>();
  private readonly devices = new Set<AppiumDevice>();

  private constructor(
    readonly url: string,
    private readonly options: AppiumTargetOptions,
    private readonly server: LocalAppium | null,
  ) {
    this.concurrency = appiumParallelSchema.parse(options.parallel);
  }

  /** Connects to the server given, or starts a local one. */
  static async start(options: AppiumTargetOptions = {}): Promise<AppiumTarget> {
    if (!appiumParallelSchema.safeParse(options.parallel).success) {
      throw new StagesimError(
        'APPIUM_OPTIONS_INVALID',
        `parallel must be a whole number of at least 1, got ${options.parallel}`,
      );
    }
    if (options.url) return new AppiumTarget(options.url, options, null);
    if (options.capabilities && !usesStagesimDriver(options.capabilities)) {
      throw new StagesimError(
        'APPIUM_OPTIONS_INVALID',
        `a local Appium server has only the stagesim driver; for ${String(options.capabilities['appium:automationName'])} give the URL of a server that has it (emulator-scripts/start-appium.sh)`,
      );
    }
    const server = await startAppiumProcess();
    return new AppiumTarget(server.url, options, server);
  }

  /** The pid of the local Appium server this target started (null when it uses somebody else's). */
  get serverPid(): number | null {
    return this.server?.pid ?? null;
  }

  private takeSlot(): number {
    let slot = 0;
    while (this.slots.has(slot)) slot += 1;
    this.slots.add(slot);
    return slot;
  }

  async createDevice(input: DeviceProfileInput, backendUrl: string, ca?: string): Promise<AppiumDevice> {
    // A device behind Appium trusts what its own system does; the CLI refuses --tls with this target.
    if (ca !== undefined)
      throw new StagesimError(
        'APPIUM_OPTIONS_INVALID',
        'devices behind Appium cannot be handed a CA to trust; serve a certificate they trust',
      );
    const profile = deviceProfileSchema.parse(input);
    const base = this.options.capabilities ?? {};
    const simulated = usesStagesimDriver(base);
    const slot = this.takeSlot();
    const capabilities = sessionCapabilities(base, slot, { profile, backendUrl });
    const openSession = () => AppiumSession.open(this.url, capabilities);
    let session: AppiumSession | null = null;
    try {
      session = await openSession();
      const answered = session.capabilities;
      const serial = simulated ? null : emulatorSerialOf({ ...capabilities, ...answered });
      // A real device shows the screens of its own build: pick its selector file from what it says it is.
      const info = simulated
        ? null
        : await session
            .execute<{ manufacturer?: string; platformVersion?: string }>('mobile: getDeviceInfo')
            .catch(() => null);
      const selectors = loadSelectors({
        androidVersion: info?.platformVersion ?? String(answered.platformVersion ?? profile.osVersion),
        manufacturer: info?.manufacturer ?? profile.manufacturer,
      });
      const device = new AppiumDevice(session, {
        serialNumber: profile.serialNumber,
        selectors,
        openSession,
        simulated,
        ...(this.options.modelState ? { modelState: this.options.modelState } : {}),
        emulator: serial ? new EmulatorControl(serial) : null,
        ...(this.options.settleTimeoutMs !== undefined
          ? { settleTimeoutMs: this.options.settleTimeoutMs }
          : {}),
        onClose: () => {
          this.slots.delete(slot);
          this.devices.delete(device);
        },
      });
      this.devices.add(device);
      return device;
    } catch (error) {
      this.slots.delete(slot);
      await session?.delete().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    try {
      await Promise.all([...this.devices].map((device) => device.close()));
    } finally {
      await this.server?.stop();
    }
  }
}
