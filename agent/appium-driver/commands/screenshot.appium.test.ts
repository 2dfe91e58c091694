import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { renderQrPng } from '../../../harness/backend/qr/renderQrPng';
import { deviceFixture, elementId, type Browser } from '../testing/session';
import { readText } from '../testing/readText';

/** Screenshots are real PNGs of the display's size, showing the screen's text where its bounds are. */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;

beforeAll(async () => {
  fixture = await deviceFixture({ 'stagesim:serialNumber': 'SHOT-1' });
  browser = fixture.browser;
});
afterAll(() => fixture.close());

async function screenshot(): Promise<PNG> {
  const bytes = Buffer.from(await browser.takeScreenshot(), 'base64');
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return PNG.sync.read(bytes);
}

test('a device that is off shows a black screen of the display size', async () => {
  const png = await screenshot();
  const { width, height } = await browser.getWindowRect();
  expect([png.width, png.height]).toEqual([width, height]);
  let lit = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! > 0) lit += 1;
  expect(lit).toBe(0);
});

test('the title and the button text can be read back at their bounds', async () => {
  await browser.execute('mobile: stagesimPowerOn', {});
  const png = await screenshot();
  const title = await browser.getElementRect(elementId(await browser.findElement('id', 'sud_layout_title')));
  expect(
    readText(png, {
      x: title.x,
      y: title.y,
      scale: 4,
      length: 'Welcome to your device'.length,
      ink: [32, 33, 36],
    }),
  ).toBe('Welcome to your device');
  // The button is blue with its label centred on it in white.
  const button = await browser.getElementRect(elementId(await browser.findElement('id', 'start_button')));
  const label = 'Get started';
  const labelWidth = label.length * 18 - 3;
  const x = Math.round(button.x + button.width / 2 - labelWidth / 2);
  const y = Math.round(button.y + button.height / 2 - (7 * 3) / 2);
  expect(readText(png, { x, y, scale: 3, length: label.length, ink: [255, 255, 255] })).toBe(label);
  // The status bar names the device.
  expect(
    readText(png, { x: 24, y: 17, scale: 2, length: 'Pixel 8  SHOT-1'.length, ink: [232, 234, 237] }),
  ).toBe('Pixel 8  SHOT-1');
});

test('the screenshot follows the screen', async () => {
  const before = await screenshot();
  await browser.elementClick(elementId(await browser.findElement('id', 'start_button')));
  const after = await screenshot();
  const title = await browser.getElementRect(elementId(await browser.findElement('id', 'sud_layout_title')));
  expect(
    readText(after, {
      x: title.x,
      y: title.y,
      scale: 4,
      length: 'Choose your language'.length,
      ink: [32, 33, 36],
    }),
  ).toBe('Choose your language');
  expect(after.data.equals(before.data)).toBe(false);
});

test('on the QR reader the viewfinder shows the frame the camera sees, readable as a code', async () => {
  await browser.execute('mobile: stagesimFactoryReset', {});
  const image = elementId(await browser.findElement('accessibility id', 'Welcome illustration'));
  for (let tap = 0; tap < 6; tap += 1) await browser.elementClick(image);
  // A code that is no enrollment code: the device shows the invalid-code screen, so try again first.
  await browser.execute('mobile: injectEmulatorCameraImage', {
    payload: renderQrPng('hello from the camera').toString('base64'),
  });
  await browser.elementClick(elementId(await browser.findElement('id', 'try_again_button')));
  const png = await screenshot();
  // Only the camera preview, where the page source says it is.
  const preview = await browser.getElementRect(
    elementId(await browser.findElement('accessibility id', 'Camera preview')),
  );
  const crop = new PNG({ width: preview.width, height: preview.height });
  PNG.bitblt(png, crop, preview.x, preview.y, preview.width, preview.height, 0, 0);
  const found = jsQR(
    new Uint8ClampedArray(crop.data.buffer, crop.data.byteOffset, crop.data.length),
    crop.width,
    crop.height,
  );
  expect(found?.data).toBe('hello from the camera');
});
