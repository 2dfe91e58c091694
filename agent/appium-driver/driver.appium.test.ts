import { startBackend, type RunningBackend } from '../../harness/backend/server';
import { deviceFixture, openSession, stagesimCaps } from './testing/session';

/** Sessions: created with valid capabilities, refused with a clear line for bad ones, ended cleanly. */

let backend: RunningBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.close());

test('a session starts a factory-new device, powered off, on the backend given', async () => {
  const fixture = await deviceFixture({
    'stagesim:serialNumber': 'DRV-1',
    'appium:platformVersion': '13',
    'stagesim:manufacturer': 'Samsung',
  });
  try {
    const { browser } = fixture;
    expect(browser.capabilities).toMatchObject({ platformName: 'Android', automationName: 'StagesimDevice' });
    const { view } = (await browser.execute('mobile: stagesimDeviceView', {})) as {
      view: { state: string; serialNumber: string; poweredOff: boolean };
    };
    expect(view).toMatchObject({ state: 'outOfBox', serialNumber: 'DRV-1', poweredOff: true });
    await browser.execute('mobile: stagesimPowerOn', {});
    expect(await browser.execute('mobile: getDeviceInfo', {})).toMatchObject({
      manufacturer: 'Samsung',
      platformVersion: '13',
      apiVersion: '33',
    });
  } finally {
    await fixture.close();
  }
});

async function creationError(extra: Record<string, unknown>, withBackend = true): Promise<Error> {
  const caps = stagesimCaps(withBackend ? backend.url : '', extra) as Record<string, unknown>;
  if (!withBackend) delete caps['stagesim:backendUrl'];
  try {
    const browser = await openSession(caps as WebdriverIO.Capabilities);
    await browser.deleteSession();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the session was created');
}

test.each([
  ['no backend URL', {}, false, /stagesim:backendUrl: required/],
  [
    'a backend URL that is not http(s) or ws(s)',
    { 'stagesim:backendUrl': 'ftp://example.com' },
    true,
    /stagesim:backendUrl: .*http\(s\) or ws\(s\)/,
  ],
  [
    'a serial number with spaces',
    { 'stagesim:serialNumber': 'AB 12' },
    true,
    /stagesim:serialNumber: letters, digits and dashes/,
  ],
  [
    'an Android version that is not one',
    { 'appium:platformVersion': 'fourteen' },
    true,
    /appium:platformVersion: an Android release/,
  ],
  ['Wi-Fi in range as a string', { 'stagesim:wifiInRange': 'yes' }, true, /stagesim:wifiInRange: /],
])(
  'bad capabilities fail session creation with the capability named: %s',
  async (_name, extra, withBackend, message) => {
    const error = await creationError(extra, withBackend);
    expect(error.message).toMatch(/session not created|could not be created/i);
    expect(error.message).toMatch(message);
  },
);

test('several problems are all reported in one error', async () => {
  const error = await creationError({ 'stagesim:serialNumber': '', 'stagesim:cellular': 1 });
  expect(error.message).toMatch(/stagesim:serialNumber: .*stagesim:cellular: /);
});

describe('commands the driver does not have', () => {
  let fixture: Awaited<ReturnType<typeof deviceFixture>>;
  beforeAll(async () => {
    fixture = await deviceFixture();
  });
  afterAll(() => fixture.close());

  test('a WebDriver command it does not implement answers the standard "not implemented" error, and the session lives on', async () => {
    for (const call of [
      () => fixture.browser.getUrl(),
      () => fixture.browser.back(),
      () => fixture.browser.getAlertText(),
    ]) {
      const error = (await call().then(
        () => null,
        (e: Error) => e,
      )) as Error | null;
      // W3C "unknown method" (HTTP 405), as base-driver answers for a command a driver does not define.
      expect(error?.name).toBe('unknown method');
      expect(error?.message).toMatch(/has not yet been implemented/);
    }
    expect(await fixture.browser.getPageSource()).toContain('<hierarchy');
  });

  test('a script that is not a mobile: method is refused as not implemented', async () => {
    await expect(fixture.browser.execute('return 1 + 1')).rejects.toThrow(/runs no scripts/);
  });

  test('an unknown mobile: method names the ones that exist', async () => {
    await expect(fixture.browser.execute('mobile: stagesimPowerOnn', {})).rejects.toThrow(
      /did you mean 'mobile: stagesimPowerOn'/,
    );
  });
});
