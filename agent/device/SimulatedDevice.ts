import { createActor, type Actor } from 'xstate';
import { decodeCameraFrame } from '../camera/decodeCameraFrame';
import { isStagesimError, StagesimError } from '../errors';
import {
  parseProvisioningPayload,
  PROVISIONING_KEYS,
  provisioningDetails,
  type ProvisioningDetails,
  type ProvisioningPayload,
} from '../provisioning/payload';
import { normalizeTypedToken } from '../provisioning/tokenEntry';
import {
  parseDeviceConfiguration,
  readDeviceConfiguration,
  type ConfigurationReading,
  type DeviceConfiguration,
  type DeviceConfigurationInput,
} from '../provisioning/deviceConfiguration';
import { deviceModel } from '../model/deviceModel';
import type { DeviceEvent, DeviceEventType } from '../model/events';
import { accepts, metaOf, metaOfPath, statePath, type DeviceSnapshot } from '../model/inspect';
import type { Effect } from '../model/meta';
import type { ScreenElement } from '../model/screens';
import type { Deliveries } from '../protocol/enrollment';
import { POWER_BUTTON, type DeviceRecordView, type PressCommand } from '../protocol/messages';
import { buildDeviceView, type DeviceView } from './deviceView';
import { deviceProfileSchema, type DeviceProfile, type DeviceProfileInput } from './deviceProfile';
import { MemoryDeviceStorage, type DeviceMemory, type DeviceStorage } from './deviceStorage';
import { effects, hasConnectivity, isSamsung, type EffectContext } from './effects';
import type { EnrollmentService } from './enrollmentService';
import { EffectGate } from './EffectGate';
import { sharedDeviceModel } from './memoizedModel';

/** What a scanned QR code told the device: the provisioning details plus the app it must install. */
export interface ScannedProvisioning extends ProvisioningDetails {
  adminComponentName: string;
  downloadLocation: string;
}

export type { DeviceView } from './deviceView';

export type QrScanResult = 'scanned' | 'invalid' | 'noCode';

export interface SimulatedDeviceOptions {
  profile: DeviceProfileInput;
  service: EnrollmentService;
  storage?: DeviceStorage;
  /** A zero-touch or Knox Mobile Enrollment configuration registered for the device (setConfiguration). */
  configuration?: DeviceConfigurationInput;
}

/** One step the device took: the event and the state it led to. */
export interface DeviceTransition {
  seq: number;
  event: string;
  state: string;
}

const HISTORY_LIMIT = 256;
/**
 * State reports wait this long after a change, so a device that walks through several screens at once
 * (a fleet, a scenario) sends one report with where it ended up rather than one per screen.
 */
const REPORT_DELAY_MS = 100;

/**
 * A headless Android device: runs the device model, performs the effects its states ask for, and keeps
 * what must survive a power cycle in its storage. Actions are what a person can do at the device; each
 * is refused with ACTION_NOT_AVAILABLE when the current screen offers no such thing.
 */
export class SimulatedDevice {
  readonly profile: DeviceProfile;
  private readonly service: EnrollmentService;
  private readonly storage: DeviceStorage;
  private actor: Actor<typeof deviceModel>;
  private readonly gate = new EffectGate();
  private wifiConnected = false;
  private wifiInRange: boolean;
  private cellular: boolean;
  private scanned: ScannedProvisioning | null = null;
  private typedToken: string | null = null;
  /** What Google's zero-touch service or Samsung's Knox cloud holds for this device. */
  private configuration: DeviceConfiguration | null = null;
  /** The configuration the device found on first boot and goes on with. */
  private adopted: { source: DeviceConfiguration['format']; reading: ConfigurationReading } | null = null;
  private inputs = new Map<string, string>();
  private deviceName: string | null = null;
  private deliveries: Deliveries | null = null;
  private lastPath: string;
  /** Bumped on every change of state, so an effect that outlived its state cannot deliver an outcome. */
  private epoch = 0;
  private helloDone = false;
  /** Every transition this device object has taken, oldest first (bounded). */
  private readonly transitions: DeviceTransition[] = [];
  private transitionCount = 0;
  private lastEvent: string | null = null;
  private lastEffectError: Error | null = null;
  private readonly transitionListeners = new Set<(transition: DeviceTransition) => void>();
  /** What effects may use of this device; one object for the device's life (effects run often). */
  private readonly effectContext: EffectContext;
  private reportTimer: NodeJS.Timeout | null = null;
  private readonly stopPresses: () => void;

  constructor(options: SimulatedDeviceOptions) {
    this.profile = deviceProfileSchema.parse(options.profile);
    this.service = options.service;
    this.storage = options.storage ?? new MemoryDeviceStorage();
    this.wifiInRange = this.profile.wifiInRange;
    this.cellular = this.profile.cellular;
    this.effectContext = this.createEffectContext();
    if (options.configuration) this.setConfiguration(options.configuration);

    const memory = this.storage.load(this.profile.serialNumber);
    this.actor = this.createModelActor(memory);
    if (memory) {
      this.wifiConnected = memory.wifiConnected;
      this.deviceName = memory.deviceName;
      this.deliveries = memory.deliveries;
    }
    this.lastPath = statePath(this.actor.getSnapshot());
    this.actor.subscribe((snapshot) => this.onSnapshot(snapshot));
    this.stopPresses =
      this.service.onPress?.((command) => this.pressFromConsole(command)) ?? (() => undefined);
    this.actor.start();
    this.scheduleReport();
    // A device restored in an effect state (its process died mid-enrollment) picks the work up again.
    this.startEffect(this.lastPath);
  }

  private createModelActor(memory: DeviceMemory | undefined): Actor<typeof deviceModel> {
    return memory
      ? createActor(sharedDeviceModel, { snapshot: memory.snapshot as DeviceSnapshot })
      : createActor(sharedDeviceModel);
  }

  get serialNumber(): string {
    return this.profile.serialNumber;
  }

  snapshot(): DeviceSnapshot {
    return this.actor.getSnapshot();
  }

  /** The dotted path of the state the device is in (view().state without building the view). */
  stateName(): string {
    return this.lastPath;
  }

  view(): DeviceView {
    const snapshot = this.actor.getSnapshot();
    return buildDeviceView(snapshot, {
      serialNumber: this.serialNumber,
      inputs: this.inputs,
      deviceName: this.deviceName,
      deliveries: this.deliveries,
      wifiConnected: this.wifiConnected,
    });
  }

  // --- What a person does -------------------------------------------------------------------------

  /** Short-press the power button: switches the device on when it is off, off when it is on. */
  pressPowerButton(): void {
    this.send({ type: metaOfPath(this.lastPath).poweredOff ? 'POWER_ON' : 'POWER_OFF' });
  }

  /** Tap an element of the current screen by its catalogue key. */
  tap(key: string): void {
    const element = this.element(key);
    if (element.kind === 'input') return; // focusing a field changes nothing the model sees
    if (!element.action)
      throw new StagesimError(
        'ELEMENT_NOT_TAPPABLE',
        `"${key}" on screen "${this.view().screen.id}" does nothing when tapped`,
      );
    if (element.reads) {
      const value = this.inputs.get(element.reads) ?? '';
      if (element.action === 'SIGN_IN') return this.signIn(value);
      if (element.action === 'TOKEN_SUBMITTED') return this.enterToken(value);
    }
    this.send({ type: element.action } as DeviceEvent);
  }

  /** Type into an input of the current screen. */
  type(key: string, value: string): void {
    const element = this.element(key);
    if (element.kind !== 'input')
      throw new StagesimError(
        'ELEMENT_NOT_EDITABLE',
        `"${key}" on screen "${this.view().screen.id}" is not a text field`,
      );
    this.inputs.set(key, value);
  }

  /** Tap the welcome screen; the sixth tap in a row opens the QR reader. */
  tapWelcome(times = 1): void {
    for (let i = 0; i < times; i += 1) this.send({ type: 'TAP_WELCOME' });
  }

  connectWifi(): void {
    this.send({ type: 'CONNECT_WIFI' });
  }

  /**
   * Hold a PNG camera frame in front of the QR reader. A frame with no readable code changes nothing
   * (the reader keeps looking); a code that is not an enrollment code shows the invalid-code screen.
   * A file that is not a usable camera frame (not a PNG, too large) is refused with its error code.
   */
  async showQrCode(frame: Buffer): Promise<QrScanResult> {
    this.requireAvailable('QR_SCANNED');
    let text: string;
    try {
      text = (await decodeCameraFrame(frame)).text;
    } catch (error) {
      if (isStagesimError(error, 'QR_NOT_FOUND')) return 'noCode';
      throw error;
    }
    return this.readProvisioningText(text);
  }

  /** The QR reader decoded a code holding `text` (a fleet decodes one image once and hands out its text). */
  readProvisioningText(text: string): QrScanResult {
    this.requireAvailable('QR_SCANNED');
    let payload: ProvisioningPayload;
    try {
      payload = parseProvisioningPayload(text);
    } catch (error) {
      if (!isStagesimError(error)) throw error;
      this.deliver({ type: 'QR_INVALID' });
      return 'invalid';
    }
    const details = provisioningDetails(payload);
    this.adopted = null;
    this.scanned = {
      ...details,
      adminComponentName: payload[PROVISIONING_KEYS.adminComponentName],
      downloadLocation: payload[PROVISIONING_KEYS.packageDownloadLocation],
    };
    this.typedToken = null;
    // The QR code's Wi-Fi extras join the network without the vendor typing anything.
    if (details.wifi && this.wifiInRange) this.wifiConnected = true;
    this.deliver({ type: 'QR_SCANNED' });
    return 'scanned';
  }

  /** The vendor typed the token string on the token entry screen and submitted it. */
  enterToken(typed: string): void {
    this.requireAvailable('TOKEN_SUBMITTED');
    // A malformed token is refused on the field (TOKEN_* codes) and never leaves the device.
    const token = normalizeTypedToken(typed);
    this.scanned = null;
    this.adopted = null;
    this.typedToken = token;
    this.deliver({ type: 'TOKEN_SUBMITTED' });
  }

  signIn(upn: string): void {
    this.send({ type: 'SIGN_IN', upn: upn.trim() });
  }

  /** Reset to factory settings: everything on the device is wiped; the backend hears of it. */
  factoryReset(): void {
    this.send({ type: 'FACTORY_RESET' });
  }

  /** Send any action event the current screen accepts (scenario steps and test paths use this). */
  send(event: DeviceEvent): void {
    this.requireAvailable(event.type, event);
    if (event.type === 'CONNECT_WIFI') {
      if (!this.wifiInRange)
        throw new StagesimError('NO_WIFI_IN_RANGE', 'no Wi-Fi network is in range of this device');
      this.wifiConnected = true;
    }
    if (event.type === 'FACTORY_RESET') this.wipe();
    this.deliver(event);
  }

  // --- What happens to the device -----------------------------------------------------------------

  /** Cut the power (pull the battery): the device goes dark wherever it was. */
  cutPower(): void {
    if (accepts(this.actor.getSnapshot(), this.lastPath, { type: 'POWER_LOST' }))
      this.deliver({ type: 'POWER_LOST' });
  }

  setWifiInRange(inRange: boolean): void {
    this.wifiInRange = inRange;
    if (!inRange) this.wifiConnected = false;
  }

  setCellular(available: boolean): void {
    this.cellular = available;
  }

  /**
   * Registers (or with null removes) the device's zero-touch or Knox Mobile Enrollment configuration, as
   * an admin does in Google's or Samsung's portal; the device finds it the next time its setup wizard
   * checks in with a network. Throws DEVICE_CONFIGURATION_INVALID for a configuration that cannot exist
   * (KME on a device that is not a Samsung, text over 8 KiB, a DPC that is no package name).
   */
  setConfiguration(configuration: DeviceConfigurationInput | null): void {
    if (configuration === null) {
      this.configuration = null;
      return;
    }
    const parsed = parseDeviceConfiguration(configuration);
    if (parsed.format === 'knoxMobileEnrollment' && !isSamsung(this.profile.manufacturer))
      throw new StagesimError(
        'DEVICE_CONFIGURATION_INVALID',
        `Knox Mobile Enrollment is for Samsung devices; ${this.serialNumber} is a ${this.profile.manufacturer} ${this.profile.model}`,
      );
    this.configuration = parsed;
  }

  /**
   * Effects wait until released: a network so slow that the device stays on its progress screen.
   * With an effect name, only that effect waits.
   */
  holdEffects(effect?: Effect): void {
    this.gate.hold(effect);
  }

  releaseEffects(): void {
    this.gate.release();
  }

  /** True while an effect runs (not counting held ones): settled() would wait. */
  busy(): boolean {
    return this.gate.busy();
  }

  /** Resolves once the device has no work in flight (effects finished or held). */
  async settled(): Promise<void> {
    await this.gate.idle();
  }

  /** The error an effect failed with, if the last one did not end in an outcome. */
  effectError(): Error | null {
    return this.lastEffectError;
  }

  async close(): Promise<void> {
    // Where the device ended up is the last thing the console hears of it.
    if (this.reportTimer) this.sendReport();
    this.stopPresses();
    this.epoch += 1;
    this.gate.release();
    this.actor.stop();
    await this.service.close();
  }

  /** Transitions taken after `afterSeq` (0 for all that are kept), for checking what a step went through. */
  history(afterSeq = 0): DeviceTransition[] {
    return this.transitions.filter((transition) => transition.seq > afterSeq);
  }

  /**
   * Calls `listener` synchronously with every transition as the device takes it, so an observer can
   * time what the device sees without polling (a fleet measures stage latency this way). Answers a
   * function that stops the calls.
   */
  onTransition(listener: (transition: DeviceTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** The sequence number of the latest transition, to pass to history() later. */
  historyMark(): number {
    return this.transitionCount;
  }

  // --- Internals ----------------------------------------------------------------------------------

  /**
   * A tap a person made in the admin console: the same tap() a person at the device makes, so the event
   * sent is the one the model's screen catalogue gives the element. A tap the screen does not offer
   * (the device moved on meanwhile) changes nothing; the report that follows shows the console why.
   */
  private pressFromConsole(command: PressCommand): void {
    try {
      for (const [key, value] of Object.entries(command.inputs)) this.type(key, value);
      if (command.key === POWER_BUTTON) this.pressPowerButton();
      else this.tap(command.key);
    } catch (error) {
      if (!isStagesimError(error)) throw error;
    }
    this.scheduleReport();
  }

  private scheduleReport(): void {
    if (!this.service.reportState || this.reportTimer) return;
    this.reportTimer = setTimeout(() => this.sendReport(), REPORT_DELAY_MS);
    this.reportTimer.unref();
  }

  private sendReport(): void {
    if (this.reportTimer) clearTimeout(this.reportTimer);
    this.reportTimer = null;
    const view = this.view();
    const values: Record<string, string> = {};
    for (const element of view.elements) values[element.key] = element.value;
    this.service.reportState?.({ device: this.identity(), state: view.state, values });
  }

  private deliver(event: DeviceEvent): void {
    this.lastEvent = event.type;
    this.actor.send(event);
    this.lastEvent = null;
  }

  private element(key: string): ScreenElement {
    const view = this.view();
    const element = view.elements.find((candidate) => candidate.key === key);
    if (!element) {
      throw new StagesimError(
        'NO_SUCH_ELEMENT',
        `screen "${view.screen.id}" has no element "${key}" (it has: ${view.elements.map((e) => e.key).join(', ') || 'none'})`,
      );
    }
    return element;
  }

  private requireAvailable(type: DeviceEventType, event?: DeviceEvent): void {
    const snapshot = this.actor.getSnapshot();
    const probe = event ?? ({ type } as DeviceEvent);
    if (!accepts(snapshot, this.lastPath, probe)) {
      throw new StagesimError(
        'ACTION_NOT_AVAILABLE',
        `${type} is not possible on screen "${metaOf(snapshot).screen.id}" (state ${statePath(snapshot)})`,
      );
    }
  }

  private wipe(): void {
    this.scanned = null;
    this.adopted = null;
    this.typedToken = null;
    this.inputs.clear();
    this.deviceName = null;
    this.deliveries = null;
    this.wifiConnected = false;
    this.helloDone = false;
    const context = this.actor.getSnapshot().context;
    // Only a device the service knows has a reset to report.
    if (context.recordedStage !== null && context.recordedStage !== 'factoryReset') {
      void this.gate
        .run(() => this.withService(() => this.service.factoryReset()))
        .catch((error: Error) => {
          this.lastEffectError = error;
        });
    }
  }

  private onSnapshot(snapshot: DeviceSnapshot): void {
    const path = statePath(snapshot);
    const changed = path !== this.lastPath;
    this.lastPath = path;
    if (this.lastEvent !== null) {
      this.transitionCount += 1;
      const transition = { seq: this.transitionCount, event: this.lastEvent, state: path };
      this.transitions.push(transition);
      if (this.transitions.length > HISTORY_LIMIT) this.transitions.shift();
      this.lastEvent = null;
      for (const listener of this.transitionListeners) listener(transition);
    }
    if (changed) {
      this.epoch += 1;
      this.inputs.clear();
    }
    this.persist(snapshot);
    if (changed) {
      this.scheduleReport();
      this.startEffect(path);
    }
  }

  private persist(snapshot: DeviceSnapshot): void {
    // Snapshots are immutable, so the persisted form can be worked out when the storage reads it: a
    // file storage does at once, the memory storage only when a device is restored from it.
    this.storage.save(
      this.serialNumber,
      new SavedMemory(snapshot, this.wifiConnected, this.deviceName, this.deliveries),
    );
  }

  private startEffect(path: string): void {
    const effect = metaOfPath(path).effect;
    if (!effect) return;
    const epoch = this.epoch;
    this.lastEffectError = null;
    void this.gate
      .run(
        () =>
          epoch === this.epoch
            ? this.withService(() => effects[effect](this.effectContext))
            : Promise.resolve(null),
        effect,
      )
      .then(
        (outcome) => {
          if (outcome && epoch === this.epoch && accepts(this.actor.getSnapshot(), this.lastPath, outcome))
            this.deliver(outcome);
        },
        (error: Error) => {
          if (epoch === this.epoch) this.lastEffectError = error;
        },
      );
  }

  /** Introduces the device to the service before its first request after a start or a reset. */
  private async withService<T>(call: () => Promise<T>): Promise<T> {
    if (!this.helloDone) {
      await this.service.hello(this.identity());
      this.helloDone = true;
    }
    return call();
  }

  private identity() {
    const { serialNumber, manufacturer, model, osVersion } = this.profile;
    return { serialNumber, manufacturer, model, osVersion };
  }

  private online(): boolean {
    return hasConnectivity(
      { ...this.profile, cellular: this.cellular },
      this.wifiConnected,
      this.scanned?.useMobileData ?? this.adopted !== null,
    );
  }

  private createEffectContext(): EffectContext {
    return {
      profile: this.profile,
      service: this.service,
      online: () => this.online(),
      pendingToken: () => {
        if (this.scanned) return { token: this.scanned.token, method: 'qr', provisioning: this.scanned };
        if (this.typedToken !== null) return { token: this.typedToken, method: 'manual', provisioning: null };
        if (this.adopted?.reading.ok)
          return { token: this.adopted.reading.token, method: this.adopted.source, provisioning: null };
        return null;
      },
      registeredConfiguration: () => this.configuration,
      canCheckIn: () => this.wifiConnected || this.cellular,
      adoptConfiguration: (configuration) => {
        this.scanned = null;
        this.typedToken = null;
        this.adopted = { source: configuration.format, reading: readDeviceConfiguration(configuration) };
      },
      adoptedConfiguration: () => this.adopted?.reading ?? null,
      pendingUpn: () => this.actor.getSnapshot().context.upn,
      remember: (record: DeviceRecordView, deliveries: Deliveries) => {
        this.deviceName = record.deviceName;
        this.deliveries = deliveries;
      },
    };
  }
}

/**
 * A memory as the device saves it on every transition: the persisted form of its snapshot is worked
 * out only when read (a getter on the class, not one made per save: an object literal with a getter
 * is a closure and a slow object each time), and JSON carries it like any other field.
 */
class SavedMemory implements DeviceMemory {
  constructor(
    private readonly from: DeviceSnapshot,
    readonly wifiConnected: boolean,
    readonly deviceName: string | null,
    readonly deliveries: Deliveries | null,
  ) {}

  get snapshot(): unknown {
    return deviceModel.getPersistedSnapshot(this.from);
  }

  toJSON(): DeviceMemory {
    const { snapshot, wifiConnected, deviceName, deliveries } = this;
    return { snapshot, wifiConnected, deviceName, deliveries };
  }
}
