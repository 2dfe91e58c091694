import { deviceFixture, elementId, type Browser } from '../testing/session';

/** Element commands on a device with default.json's selectors (a Zebra device has no file of its own). */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;
const SW = 'com.google.android.setupwizard';
const DPC = 'com.google.android.apps.work.clouddpc';

beforeEach(async () => {
  fixture = await deviceFixture({
    'stagesim:manufacturer': 'Zebra Technologies',
    'stagesim:model': 'TC58',
    'appium:platformVersion': '13',
  });
  browser = fixture.browser;
  await browser.execute('mobile: stagesimPowerOn', {});
});
afterEach(() => fixture.close());

const find = async (strategy: string, selector: string) =>
  elementId(await browser.findElement(strategy, selector));
const title = async () => browser.getElementText(await find('id', `${SW}:id/sud_layout_title`));
const state = async () =>
  ((await browser.execute('mobile: stagesimDeviceView', {})) as { view: { state: string } }).view.state;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error) => e,
  );

async function toSignIn(): Promise<void> {
  await browser.elementClick(await find('id', 'start_button'));
  await browser.elementClick(await find('id', 'sud_navbar_next'));
  await browser.elementClick(await find('id', 'wifi_network'));
}

test('clicking buttons walks the setup wizard to the sign-in screen', async () => {
  await toSignIn();
  expect(await title()).toBe('Sign in');
  expect(await state()).toBe('setupWizard.signIn');
});

test('six clicks on the welcome illustration open the QR reader; five do not', async () => {
  const image = await find('accessibility id', 'Welcome illustration');
  for (let i = 0; i < 5; i += 1) await browser.elementClick(image);
  expect(await title()).toBe('Welcome to your device');
  await browser.elementClick(image);
  expect(await title()).toBe('Scan QR code');
});

test('clicking a label does nothing, as tapping one on Android does', async () => {
  await browser.elementClick(await find('id', `${SW}:id/sud_layout_title`));
  expect(await state()).toBe('setupWizard.welcome');
});

test('set value fills a field (replacing what was there), clear empties it, the text reads back', async () => {
  await toSignIn();
  const email = await find('id', `${SW}:id/identifier_field`);
  await browser.elementSendKeys(email, 'someone@contoso.com');
  await browser.elementSendKeys(email, 'john@contoso.com');
  expect(await browser.getElementText(email)).toBe('john@contoso.com');
  expect(await browser.getElementAttribute(email, 'focused')).toBe('true');
  expect(await browser.getElementAttribute(email, 'hint')).toBe('Email or phone');
  await browser.elementClear(email);
  expect(await browser.getElementText(email)).toBe('');
});

test('a button that submits a field reads it: the typed account signs in', async () => {
  await toSignIn();
  await browser.elementSendKeys(await find('id', `${SW}:id/identifier_field`), 'john@contoso.com');
  await browser.elementClick(await find('id', `${SW}:id/sud_navbar_next`));
  // Nobody staged this device: the service refuses the account.
  expect(await title()).toBe("Can't sign in on this device");
  expect(await browser.getElementText(await find('id', `${SW}:id/error_message`))).toMatch(
    /has not been set up by your organization/,
  );
});

test('typing into something that is not a field answers "invalid element state" with the device code', async () => {
  const error = await failure(browser.elementSendKeys(await find('id', 'start_button'), 'x'));
  expect(error?.name).toBe('invalid element state');
  expect(error?.message).toContain('[stagesim:ELEMENT_NOT_EDITABLE]');
});

test('a token the device refuses on the field comes back as an error with its code, and nothing is sent', async () => {
  await toSignIn();
  await browser.elementClick(await find('id', 'enter_token_button'));
  await browser.elementSendKeys(await find('id', `${DPC}:id/enrollment_token`), 'no!');
  const error = await failure(browser.elementClick(await find('id', `${DPC}:id/next_button`)));
  expect(error?.name).toBe('invalid element state');
  expect(error?.message).toMatch(/\[stagesim:TOKEN_[A-Z_]+\]/);
  expect(await state()).toBe('setupWizard.tokenEntry');
});

test('attributes as UiAutomator2 names them, with their camelCase aliases; displayed, enabled, rect, tag name', async () => {
  const start = await find('id', 'start_button');
  expect(await browser.getElementAttribute(start, 'resource-id')).toBe(`${SW}:id/start_button`);
  expect(await browser.getElementAttribute(start, 'resourceId')).toBe(`${SW}:id/start_button`);
  expect(await browser.getElementAttribute(start, 'class')).toBe('android.widget.Button');
  expect(await browser.getElementAttribute(start, 'clickable')).toBe('true');
  expect(await browser.getElementAttribute(start, 'package')).toBe(SW);
  expect(await browser.getElementAttribute(start, 'text')).toBe('Start');
  expect(await browser.getElementAttribute(start, 'no-such-attribute')).toBeNull();
  const image = await find('accessibility id', 'Welcome illustration');
  expect(await browser.getElementAttribute(image, 'contentDescription')).toBe('Welcome illustration');
  expect(await browser.isElementDisplayed(start)).toBe(true);
  expect(await browser.isElementEnabled(start)).toBe(true);
  expect(await browser.isElementSelected(start)).toBe(false);
  expect(await browser.getElementTagName(start)).toBe('android.widget.Button');
  const rect = await browser.getElementRect(start);
  const bounds = await browser.getElementAttribute(start, 'bounds');
  expect(bounds).toBe(`[${rect.x},${rect.y}][${rect.x + rect.width},${rect.y + rect.height}]`);
  expect(rect.width).toBeGreaterThan(0);
});
