import { AdminClient } from '../../../harness/world/AdminClient';
import { EnrollmentWorld } from '../../../harness/world/EnrollmentWorld';
import { deviceFixture, elementId, type Browser } from '../testing/session';

/** Power, network and work in flight: what UiAutomator2 has no command for, as stagesim mobile: methods. */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;

beforeEach(async () => {
  fixture = await deviceFixture({ 'stagesim:serialNumber': 'PWR-1' });
  browser = fixture.browser;
});
afterEach(() => fixture.close());

type View = {
  state: string;
  screen: { id: string };
  recordedStage: string | null;
  poweredOff: boolean;
  errorReason: string | null;
};
const view = async () => ((await browser.execute('mobile: stagesimDeviceView', {})) as { view: View }).view;
const mobile = (name: string, args: Record<string, unknown> = {}) => browser.execute(`mobile: ${name}`, args);
const click = async (strategy: string, selector: string) =>
  browser.elementClick(elementId(await browser.findElement(strategy, selector)));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error) => e,
  );

async function stage(): Promise<void> {
  const world = new EnrollmentWorld(new AdminClient(fixture.backend.url), 'pwr');
  const offer = await world.validToken({ tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' });
  const image = elementId(await browser.findElement('accessibility id', 'Welcome illustration'));
  for (let i = 0; i < 6; i += 1) await browser.elementClick(image);
  await mobile('injectEmulatorCameraImage', { payload: offer.qrPng.toString('base64') });
}

test('power on and off; the power button toggles; asking for the state the device is in is refused', async () => {
  await mobile('stagesimPowerOn');
  expect((await view()).screen.id).toBe('welcome');
  const again = await failure(mobile('stagesimPowerOn'));
  expect(again?.message).toContain('[stagesim:ACTION_NOT_AVAILABLE]');
  await mobile('stagesimPowerOff');
  expect((await view()).poweredOff).toBe(true);
  await mobile('stagesimPressPowerButton');
  expect((await view()).state).toBe('setupWizard.welcome');
});

test('a staged device keeps its state through a power cycle within the session', async () => {
  await mobile('stagesimPowerOn');
  await stage();
  expect(await view()).toMatchObject({ state: 'stagingStage2.readyToPowerOff', recordedStage: 'staged' });
  await mobile('stagesimPowerCycle');
  expect(await view()).toMatchObject({ state: 'stagingStage3.home', recordedStage: 'staged' });
  expect(await browser.getPageSource()).toContain('content-desc="Intune"');
});

test('cutting the power mid-enrollment (work held) interrupts setup', async () => {
  await mobile('stagesimPowerOn');
  await mobile('stagesimHoldWork', { effect: 'recordStaged' });
  await stage();
  expect((await view()).state).toBe('stagingStage2.enrollmentInProgress');
  await mobile('stagesimCutPower');
  expect((await view()).state).toBe('setupInterrupted.poweredOff');
  await mobile('stagesimReleaseWork');
  await mobile('stagesimPowerOn');
  expect(await view()).toMatchObject({
    state: 'setupInterrupted.resetRequired',
    errorReason: 'setupInterrupted',
  });
});

test('held work keeps the device on its progress screen until released', async () => {
  await mobile('stagesimPowerOn');
  await mobile('stagesimHoldWork');
  await stage();
  expect((await view()).screen.id).toBe('preparing-device');
  await mobile('stagesimReleaseWork');
  expect((await view()).state).toBe('stagingStage2.readyToPowerOff');
});

test('no Wi-Fi in range: connecting is refused with the device code; back in range it connects', async () => {
  await mobile('stagesimPowerOn');
  await mobile('stagesimSetNetwork', { wifiInRange: false });
  await click('id', 'start_button');
  await click('id', 'sud_navbar_next');
  const refused = await failure(click('id', 'wifi_network'));
  expect(refused?.message).toContain('[stagesim:NO_WIFI_IN_RANGE]');
  await mobile('stagesimSetNetwork', { wifiInRange: true, cellular: false });
  await click('id', 'wifi_network');
  expect((await view()).screen.id).toBe('sign-in');
  const bad = await failure(mobile('stagesimSetNetwork', { wifiInRange: 'no' }));
  expect(bad?.name).toBe('invalid argument');
});

test('a factory reset from recovery wipes the device back to the welcome screen', async () => {
  await mobile('stagesimPowerOn');
  await stage();
  await mobile('stagesimFactoryReset');
  expect(await view()).toMatchObject({ state: 'setupWizard.welcome', recordedStage: 'factoryReset' });
});

test('holding an effect that does not exist is an invalid argument', async () => {
  const error = await failure(mobile('stagesimHoldWork', { effect: 'teleport' }));
  expect(error?.name).toBe('invalid argument');
  expect(error?.message).toMatch(/prepareDevice/);
});

test('a zero-touch configuration registered for the device stages it once it has Wi-Fi; a bad one is an invalid argument', async () => {
  const admin = new AdminClient(fixture.backend.url);
  const world = new EnrollmentWorld(admin, 'pwr-zt');
  const offer = await world.validToken({ tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' });
  const json = JSON.stringify(await admin.exportToken(offer.profile!.id, 'zeroTouch'));
  await mobile('stagesimSetConfiguration', { configuration: { format: 'zeroTouch', json } });
  await mobile('stagesimPowerOn');
  await click('id', 'start_button');
  await click('id', 'sud_navbar_next');
  await click('id', 'wifi_network');
  expect(await view()).toMatchObject({ state: 'stagingStage2.readyToPowerOff', recordedStage: 'staged' });
  const bad = await failure(
    mobile('stagesimSetConfiguration', { configuration: { format: 'nfc', json: '{}' } }),
  );
  expect(bad?.name).toBe('invalid argument');
  expect(bad?.message).toMatch(/device configuration format/);
});
