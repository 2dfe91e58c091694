import { PNG } from 'pngjs';
import { renderQrPng } from '../../../harness/backend/qr/renderQrPng';
import { AdminClient } from '../../../harness/world/AdminClient';
import { EnrollmentWorld } from '../../../harness/world/EnrollmentWorld';
import { deviceFixture, elementId, type Browser } from '../testing/session';

/** mobile: methods: the camera injection the QR reader sees, device info, and what the model saw. */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;
let world: EnrollmentWorld;

beforeEach(async () => {
  fixture = await deviceFixture({
    'stagesim:serialNumber': 'CAM-1',
    'stagesim:manufacturer': 'Honeywell',
    'stagesim:model': 'CT47',
    'appium:platformVersion': '12',
  });
  browser = fixture.browser;
  world = new EnrollmentWorld(new AdminClient(fixture.backend.url), 'cam');
  await browser.execute('mobile: stagesimPowerOn', {});
});
afterEach(() => fixture.close());

const view = async () =>
  (
    (await browser.execute('mobile: stagesimDeviceView', {})) as {
      view: { state: string; screen: { id: string }; errorReason: string | null; deviceName: string | null };
    }
  ).view;
const inject = (png: Buffer) =>
  browser.execute('mobile: injectEmulatorCameraImage', { payload: png.toString('base64') });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error) => e,
  );

async function openQrReader(): Promise<void> {
  const image = elementId(await browser.findElement('accessibility id', 'Welcome illustration'));
  for (let i = 0; i < 6; i += 1) await browser.elementClick(image);
  expect((await view()).screen.id).toBe('qr-reader');
}

test('an enrollment QR code injected into the camera is read: the device enrolls and is staged', async () => {
  const offer = await world.validToken({ tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' });
  await openQrReader();
  expect(await inject(offer.qrPng)).toBeNull();
  const after = await view();
  expect(after.state).toBe('stagingStage2.readyToPowerOff');
  expect(after.deviceName).toMatch(/^Staging_CAM-1_/);
});

test('a frame with no code in it changes nothing: the reader keeps looking', async () => {
  await openQrReader();
  const blank = new PNG({ width: 64, height: 64 });
  blank.data.fill(255);
  await inject(PNG.sync.write(blank));
  expect((await view()).state).toBe('setupWizard.qrReader');
});

test('a QR code that is not an enrollment code shows the invalid-code screen', async () => {
  await openQrReader();
  await inject(renderQrPng('https://example.com/not-a-provisioning-payload'));
  expect(await view()).toMatchObject({ state: 'setupWizard.invalidQrCode', errorReason: 'invalidQrCode' });
});

test('a frame injected while the QR reader is not open is not read', async () => {
  const offer = await world.validToken({ tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' });
  await inject(offer.qrPng);
  expect((await view()).state).toBe('setupWizard.welcome');
});

test('a payload that is not a PNG, or none, is an invalid argument', async () => {
  await openQrReader();
  const notPng = await failure(inject(Buffer.from('hello, camera')));
  expect(notPng?.name).toBe('invalid argument');
  expect(notPng?.message).toContain('[stagesim:FRAME_NOT_PNG]');
  const missing = await failure(browser.execute('mobile: injectEmulatorCameraImage', {}));
  expect(missing?.name).toBe('invalid argument');
  expect(missing?.message).toMatch(/payload/);
});

test('getDeviceInfo answers as UiAutomator2 does, from the capabilities', async () => {
  expect(await browser.execute('mobile: getDeviceInfo', {})).toEqual({
    manufacturer: 'Honeywell',
    model: 'CT47',
    brand: 'Honeywell',
    platformVersion: '12',
    apiVersion: '31',
    realDisplaySize: '720x1600',
    displayDensity: 320,
    serialNumber: 'CAM-1',
  });
});

test('history and its mark tell the transitions a step went through', async () => {
  const mark = (await browser.execute('mobile: stagesimHistoryMark', {})) as number;
  await browser.elementClick(elementId(await browser.findElement('id', 'start_button')));
  expect(await browser.execute('mobile: stagesimHistory', { after: mark })).toEqual([
    { seq: mark + 1, event: 'START', state: 'setupWizard.language' },
  ]);
  // The device view carries the mark too, so a client checking every step needs one call.
  expect(await browser.execute('mobile: stagesimDeviceView', {})).toMatchObject({ historyMark: mark + 1 });
  const all = (await browser.execute('mobile: stagesimHistory', {})) as Array<{ event: string }>;
  expect(all.map((entry) => entry.event)).toEqual(['POWER_ON', 'START']);
  const bad = await failure(browser.execute('mobile: stagesimHistory', { after: 'yesterday' }));
  expect(bad?.name).toBe('invalid argument');
});
