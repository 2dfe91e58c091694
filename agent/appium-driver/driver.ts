import { BaseDriver, errors } from '@appium/base-driver';
import type { InitialOpts } from '@appium/types';
import { oneLine } from '../errors';
import * as elementCommands from './commands/element';
import * as executeCommands from './commands/execute';
import * as findCommands from './commands/find';
import * as powerCommands from './commands/power';
import * as screenshotCommands from './commands/screenshot';
import * as sourceCommands from './commands/source';
import {
  describeCapsProblems,
  desiredCapConstraints,
  sessionCapsSchema,
  type SessionCaps,
  type StagesimConstraints,
} from './desiredCaps';
import { AppiumDeviceSession } from './appiumDeviceSession';
import { EXECUTE_METHOD_MAP } from './executeMethods';
import { LOCATOR_STRATEGIES } from './select';

/**
 * An Android device for Appium with no emulator behind it: the stagesim device model and its backend
 * channel (a SimulatedDevice, the same as the headless target's), shown as UiAutomator2 would show an
 * app: a view hierarchy in its page-source form, elements found by its locator strategies, screenshots,
 * and UiAutomator2's `mobile:` methods where they apply. Commands it does not define answer
 * base-driver's "not implemented" WebDriver error.
 */
export class StagesimDriver extends BaseDriver<StagesimConstraints> {
  static executeMethodMap = EXECUTE_METHOD_MAP;

  override readonly desiredCapConstraints = desiredCapConstraints;
  private sessionCaps: SessionCaps | null = null;
  private session: AppiumDeviceSession | null = null;

  // find
  override findElOrEls = findCommands.findElOrEls;
  // element
  click = elementCommands.click;
  setValue = elementCommands.setValue;
  clear = elementCommands.clear;
  getText = elementCommands.getText;
  getAttribute = elementCommands.getAttribute;
  elementDisplayed = elementCommands.elementDisplayed;
  elementEnabled = elementCommands.elementEnabled;
  elementSelected = elementCommands.elementSelected;
  getName = elementCommands.getName;
  getElementRect = elementCommands.getElementRect;
  // source
  override getPageSource = sourceCommands.getPageSource;
  getWindowRect = sourceCommands.getWindowRect;
  // screenshot
  getScreenshot = screenshotCommands.getScreenshot;
  // execute / mobile
  execute = executeCommands.execute;
  mobileInjectEmulatorCameraImage = executeCommands.mobileInjectEmulatorCameraImage;
  mobileGetDeviceInfo = executeCommands.mobileGetDeviceInfo;
  mobileStagesimDeviceView = executeCommands.mobileStagesimDeviceView;
  mobileStagesimHistory = executeCommands.mobileStagesimHistory;
  mobileStagesimHistoryMark = executeCommands.mobileStagesimHistoryMark;
  // power, network, work
  mobileStagesimPowerOn = powerCommands.mobileStagesimPowerOn;
  mobileStagesimPowerOff = powerCommands.mobileStagesimPowerOff;
  mobileStagesimPressPowerButton = powerCommands.mobileStagesimPressPowerButton;
  mobileStagesimPowerCycle = powerCommands.mobileStagesimPowerCycle;
  mobileStagesimCutPower = powerCommands.mobileStagesimCutPower;
  mobileStagesimFactoryReset = powerCommands.mobileStagesimFactoryReset;
  mobileStagesimSetNetwork = powerCommands.mobileStagesimSetNetwork;
  mobileStagesimSetConfiguration = powerCommands.mobileStagesimSetConfiguration;
  mobileStagesimHoldWork = powerCommands.mobileStagesimHoldWork;
  mobileStagesimReleaseWork = powerCommands.mobileStagesimReleaseWork;

  constructor(opts: InitialOpts = {} as InitialOpts, shouldValidateCaps = true) {
    super(opts, shouldValidateCaps);
    this.locatorStrategies = [...LOCATOR_STRATEGIES];
  }

  /** Appium's constraint check, then the zod schema, so a bad capability fails session creation with its name. */
  override validateDesiredCaps(caps: unknown): caps is never {
    super.validateDesiredCaps(caps);
    const parsed = sessionCapsSchema.safeParse(caps);
    if (!parsed.success) {
      throw new errors.SessionNotCreatedError(
        `stagesim capabilities are not valid: ${describeCapsProblems(parsed.error)}`,
      );
    }
    this.sessionCaps = parsed.data;
    return true;
  }

  override async createSession(...args: Parameters<BaseDriver<StagesimConstraints>['createSession']>) {
    const result = await super.createSession(...args);
    try {
      this.session = new AppiumDeviceSession(this.sessionCaps!);
    } catch (error) {
      await super.deleteSession();
      throw new errors.SessionNotCreatedError(`the simulated device could not start: ${oneLine(error)}`);
    }
    return result;
  }

  override async deleteSession(sessionId?: string | null): Promise<void> {
    const session = this.session;
    this.session = null;
    try {
      await session?.close();
    } finally {
      await super.deleteSession(sessionId);
    }
  }

  deviceSession(): AppiumDeviceSession {
    if (!this.session)
      throw new errors.InvalidContextError('no simulated device: the session has not started or has ended');
    return this.session;
  }
}
