import { errors } from '@appium/base-driver';
import { z } from 'zod';
import { StagesimError } from '../../errors';
import type { DeviceTransition, DeviceView } from '../../device/SimulatedDevice';
import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';
import { DISPLAY } from '../render/layout';

/** `execute` runs only `mobile:` methods: there is no JavaScript engine on the other side. */
export async function execute(this: StagesimDriver, script: string, args: unknown[] = []): Promise<unknown> {
  const name = String(script).trim();
  if (!name.startsWith('mobile:')) {
    throw new errors.NotImplementedError(
      `the stagesim driver runs no scripts, only "mobile:" methods (${Object.keys((this.constructor as typeof StagesimDriver).executeMethodMap).join(', ')})`,
    );
  }
  return this.executeMethod(name, args);
}

function argument<T extends z.ZodType>(name: string, schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new StagesimError('ARGUMENT_INVALID', `${name}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/**
 * UiAutomator2's camera injection: the frame is what the emulator's camera sees from now on. If the QR
 * reader is open it reads the frame at once; a frame with no code in it changes nothing (the reader
 * keeps looking), a code that is not an enrollment code shows the invalid-code screen.
 */
export async function mobileInjectEmulatorCameraImage(this: StagesimDriver, payload: unknown): Promise<null> {
  return asWebDriver('command', async () => {
    const base64 = argument(
      'payload',
      z
        .string()
        .min(1, 'expected a base64 PNG')
        .regex(/^[A-Za-z0-9+/=\s]+$/, 'expected base64'),
      payload,
    );
    const frame = Buffer.from(base64, 'base64');
    const session = this.deviceSession();
    await session.idle();
    session.cameraFrame = frame;
    if (session.view().screen.id === 'qr-reader') await session.device.showQrCode(frame);
    await session.idle();
    return null;
  });
}

/** Android API levels by release, for getDeviceInfo's apiVersion. */
const API_LEVELS: Record<string, number> = {
  '7': 24,
  '7.1': 25,
  '8': 26,
  '8.1': 27,
  '9': 28,
  '10': 29,
  '11': 30,
  '12': 31,
  '12.1': 32,
  '13': 33,
  '14': 34,
  '15': 35,
  '16': 36,
};

/** The subset of UiAutomator2's `mobile: getDeviceInfo` a harness reads to pick its selectors. */
export async function mobileGetDeviceInfo(this: StagesimDriver) {
  const { manufacturer, model, osVersion, serialNumber } = this.deviceSession().device.profile;
  const release = osVersion.replace(/(\.0)+$/, '');
  return {
    manufacturer,
    model,
    brand: manufacturer,
    platformVersion: osVersion,
    apiVersion: String(API_LEVELS[release] ?? API_LEVELS[release.split('.')[0]!] ?? ''),
    realDisplaySize: `${DISPLAY.width}x${DISPLAY.height}`,
    displayDensity: 320,
    serialNumber,
  };
}

/**
 * What the model says about the device now, wrapped as `{ view, historyMark }`: a W3C client reads a
 * result that has an `error` key as a failed command, and the view has one (true on error screens). The
 * history mark comes along so a client checking every step needs one call, not two.
 */
export async function mobileStagesimDeviceView(
  this: StagesimDriver,
): Promise<{ view: DeviceView; historyMark: number }> {
  return asWebDriver('command', async () => {
    const session = this.deviceSession();
    await session.idle();
    return { view: session.view(), historyMark: session.device.historyMark() };
  });
}

export async function mobileStagesimHistory(
  this: StagesimDriver,
  after: unknown,
): Promise<DeviceTransition[]> {
  return asWebDriver('command', async () => {
    const since = argument('after', z.number().int().min(0).optional(), after ?? undefined);
    const session = this.deviceSession();
    await session.idle();
    return session.device.history(since ?? 0);
  });
}

export async function mobileStagesimHistoryMark(this: StagesimDriver): Promise<number> {
  return asWebDriver('command', async () => {
    const session = this.deviceSession();
    await session.idle();
    return session.device.historyMark();
  });
}
