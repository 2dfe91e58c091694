import { PNG } from 'pngjs';
import { startBackend, type RunningBackend } from '../../backend/server';
import { AdminClient } from '../../world/AdminClient';
import { EnrollmentWorld } from '../../world/EnrollmentWorld';
import { HeadlessTarget } from '../headless/HeadlessTarget';
import type { TargetAction, TargetDevice } from '../target';
import { AppiumDevice } from './AppiumDevice';
import type { AppiumTarget } from './AppiumTarget';
import { resolveFile } from '../../../agent/selectors/selectors';
import { AppiumSession } from './session';
import { testAppiumTarget, testAppiumUrl } from './testing/appiumServer';

/** The Appium target's own behaviour: sessions and ports, and refusals that match the headless device's. */

let backend: RunningBackend;
let target: AppiumTarget;
const headless = new HeadlessTarget();

beforeAll(async () => {
  backend = await startBackend();
  target = await testAppiumTarget({ parallel: 3 });
});
afterAll(async () => {
  await target.close();
  await headless.close();
  await backend.close();
});

async function sessionPorts(): Promise<number[]> {
  const response = await fetch(`${testAppiumUrl()}/appium/sessions`);
  const body = (await response.json()) as {
    value: Array<{ capabilities: { systemPort?: number; 'stagesim:serialNumber'?: string } }>;
  };
  return body.value
    .filter((session) => session.capabilities['stagesim:serialNumber']?.startsWith('PORT-'))
    .map((session) => session.capabilities.systemPort!)
    .sort();
}

test('sessions at the same time get distinct systemPorts; a closed session frees its port', async () => {
  const devices = await Promise.all(
    [1, 2, 3].map((n) =>
      target.createDevice(
        { serialNumber: `PORT-${n}`, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
        backend.url,
      ),
    ),
  );
  expect(await sessionPorts()).toEqual([8200, 8201, 8202]);
  await devices[1]!.close();
  const again = await target.createDevice(
    { serialNumber: 'PORT-4', manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
    backend.url,
  );
  expect(await sessionPorts()).toEqual([8200, 8201, 8202]);
  await Promise.all([devices[0]!.close(), devices[2]!.close(), again.close()]);
  expect(await sessionPorts()).toEqual([]);
});

/** The error code an action ends with on a device (null when it succeeds). */
async function codeOf(device: TargetDevice, action: TargetAction): Promise<string | null> {
  return device.perform(action).then(
    () => null,
    (error: { code?: string }) => error.code ?? 'no code',
  );
}

describe("what the device refuses is refused with the headless device's codes", () => {
  const profile = {
    serialNumber: 'REF-1',
    manufacturer: 'Zebra Technologies',
    model: 'TC58',
    osVersion: '12',
  };
  let onAppium: TargetDevice;
  let onHeadless: TargetDevice;
  let world: EnrollmentWorld;
  beforeEach(async () => {
    onAppium = await target.createDevice(profile, backend.url);
    onHeadless = await headless.createDevice(profile, backend.url);
    world = new EnrollmentWorld(new AdminClient(backend.url), 'refusals');
  });
  afterEach(async () => {
    await onAppium.close();
    await onHeadless.close();
  });
  const both = async (action: TargetAction) => [
    await codeOf(onAppium, action),
    await codeOf(onHeadless, action),
  ];

  test('an action the screen does not offer, or any while the device is off', async () => {
    expect(await both({ type: 'START' })).toEqual(['ACTION_NOT_AVAILABLE', 'ACTION_NOT_AVAILABLE']);
    expect(await both({ type: 'POWER_ON' })).toEqual([null, null]);
    expect(await both({ type: 'TOKEN_SUBMITTED', token: 'ABCDEFGH' })).toEqual([
      'ACTION_NOT_AVAILABLE',
      'ACTION_NOT_AVAILABLE',
    ]);
    expect(await both({ type: 'POWER_ON' })).toEqual(['ACTION_NOT_AVAILABLE', 'ACTION_NOT_AVAILABLE']);
  });

  test('a token typed wrong, a frame with no code, a file that is not a PNG', async () => {
    for (const action of [
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'CONNECT_WIFI' },
      { type: 'OPEN_TOKEN_ENTRY' },
    ] as const) {
      expect(await both(action)).toEqual([null, null]);
    }
    const [appiumCode, headlessCode] = await both({ type: 'TOKEN_SUBMITTED', token: 'ab' });
    expect(appiumCode).toMatch(/^TOKEN_/);
    expect(appiumCode).toBe(headlessCode);
    expect(await both({ type: 'CANCEL' })).toEqual([null, null]);
    expect(await both({ type: 'OPEN_QR_READER' })).toEqual([null, null]);
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(await both({ type: 'SHOW_QR_CODE', image: PNG.sync.write(blank) })).toEqual([
      'QR_NOT_FOUND',
      'QR_NOT_FOUND',
    ]);
    expect(await both({ type: 'SHOW_QR_CODE', image: Buffer.from('not a png') })).toEqual([
      'FRAME_NOT_PNG',
      'FRAME_NOT_PNG',
    ]);
    const offer = await world.validToken({ tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' });
    expect(await both({ type: 'SHOW_QR_CODE', image: offer.qrPng })).toEqual([null, null]);
    expect((await onAppium.view()).state).toBe('stagingStage2.readyToPowerOff');
  });
});

test('a page source that matches no screen of the selector files is SCREEN_UNKNOWN at once', async () => {
  // The device renders Pixel wording (android-14-google.json); the page objects expect default.json's.
  const session = await AppiumSession.open(testAppiumUrl(), {
    platformName: 'Android',
    'appium:automationName': 'StagesimDevice',
    'stagesim:backendUrl': backend.url,
    'stagesim:serialNumber': 'UNK-1',
  });
  const device = new AppiumDevice(session, {
    serialNumber: 'UNK-1',
    selectors: resolveFile('default'),
    openSession: async () => session,
    simulated: true,
  });
  try {
    await device.perform({ type: 'POWER_ON' });
    for (let tap = 0; tap < 6; tap += 1) await device.perform({ type: 'TAP_WELCOME' });
    await expect(device.view()).rejects.toMatchObject({ code: 'SCREEN_UNKNOWN' });
  } finally {
    await device.close();
  }
});

test('a device read as a real one has no stalled network or recovery, and no power switch without an emulator', async () => {
  const session = await AppiumSession.open(testAppiumUrl(), {
    platformName: 'Android',
    'appium:automationName': 'StagesimDevice',
    'stagesim:backendUrl': backend.url,
    'stagesim:serialNumber': 'REAL-1',
  });
  const device = new AppiumDevice(session, {
    serialNumber: 'REAL-1',
    selectors: resolveFile('android-14-google'),
    openSession: async () => session,
    simulated: false,
    emulator: null,
  });
  try {
    // A real device is running when it is unboxed; the harness switching it on is what starts using it.
    expect((await device.view()).screen.id).toBe('powered-off');
    await session.execute('mobile: stagesimPowerOn');
    await device.perform({ type: 'POWER_ON' });
    expect(await device.view()).toMatchObject({ state: 'setupWizard.welcome', screen: { id: 'welcome' } });
    expect(device.history).toBeUndefined();
    await expect(device.holdWork()).rejects.toMatchObject({ code: 'NOT_SUPPORTED_ON_TARGET' });
    await expect(device.perform({ type: 'FACTORY_RESET' })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED_ON_TARGET',
    });
    await expect(device.cutPower()).rejects.toMatchObject({ code: 'NOT_SUPPORTED_ON_TARGET' });
  } finally {
    await device.close();
  }
});
