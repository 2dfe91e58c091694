import { deviceFixture, elementId, type Browser } from '../testing/session';

/** Locator strategies on the welcome and sign-in screens of a Pixel on Android 14 (android-14-google.json). */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;
const SW = 'com.google.android.setupwizard';

beforeAll(async () => {
  fixture = await deviceFixture({ 'stagesim:manufacturer': 'Google', 'appium:platformVersion': '14' });
  browser = fixture.browser;
  await browser.execute('mobile: stagesimPowerOn', {});
});
afterAll(() => fixture.close());

const textOf = async (ref: unknown) => browser.getElementText(elementId(ref));

test('id: the full resource id, or the id alone (the package of the node is assumed, as UiAutomator2 does)', async () => {
  expect(await textOf(await browser.findElement('id', `${SW}:id/start_button`))).toBe('Get started');
  expect(await textOf(await browser.findElement('id', 'start_button'))).toBe('Get started');
  expect(await textOf(await browser.findElement('id', `${SW}:id/sud_layout_title`))).toBe(
    'Welcome to your device',
  );
});

test('accessibility id: the content-desc', async () => {
  const ref = await browser.findElement('accessibility id', 'Welcome illustration');
  expect(await browser.getElementAttribute(elementId(ref), 'class')).toBe('android.widget.ImageView');
});

test('class name', async () => {
  const buttons = await browser.findElements('class name', 'android.widget.Button');
  expect(await Promise.all(buttons.map(textOf))).toEqual(['Get started']);
});

test('xpath over the page source, including predicates and positions', async () => {
  expect(
    await textOf(await browser.findElement('xpath', "//android.widget.Button[@text='Get started']")),
  ).toBe('Get started');
  expect(await textOf(await browser.findElement('xpath', '//android.widget.FrameLayout/*[1]'))).toBe(
    'Welcome to your device',
  );
  const all = await browser.findElements('xpath', '//*[@clickable="true"]');
  expect(all).toHaveLength(2);
});

test('-android uiautomator: single and chained criteria, contains/regex forms, instance', async () => {
  const find = (selector: string) => browser.findElements('-android uiautomator', selector);
  expect(
    await Promise.all((await find(`new UiSelector().resourceId("${SW}:id/start_button")`)).map(textOf)),
  ).toEqual(['Get started']);
  expect(
    await Promise.all(
      (await find('new UiSelector().text("Get started").className("android.widget.Button")')).map(textOf),
    ),
  ).toEqual(['Get started']);
  expect(await find('new UiSelector().description("Welcome illustration").clickable(true)')).toHaveLength(1);
  expect(await find('new UiSelector().textContains("Welcome")')).toHaveLength(1);
  expect(
    await find('new UiSelector().resourceIdMatches(".*:id/(start_button|sud_layout_title)")'),
  ).toHaveLength(2);
  expect(await Promise.all((await find('new UiSelector().clickable(true).instance(1)')).map(textOf))).toEqual(
    ['Get started'],
  );
  expect(await find('new UiSelector().text("Start")')).toHaveLength(0);
});

test('finding inside an element searches its descendants only', async () => {
  const window = await browser.findElement('class name', 'android.widget.FrameLayout');
  const inside = await browser.findElementsFromElement(
    elementId(window),
    'class name',
    'android.widget.Button',
  );
  expect(inside).toHaveLength(1);
  const title = await browser.findElement('id', `${SW}:id/sud_layout_title`);
  expect(
    await browser.findElementsFromElement(elementId(title), 'class name', 'android.widget.Button'),
  ).toHaveLength(0);
});

test('nothing found: "no such element" for one, an empty list for many', async () => {
  await expect(browser.findElement('id', 'no_such_id')).resolves.toMatchObject({ error: 'no such element' });
  expect(await browser.findElements('id', 'no_such_id')).toEqual([]);
});

test.each([
  ['-android uiautomator', 'new UiSelector().text("unterminated)', /closing quote/],
  [
    '-android uiautomator',
    'new UiSelector().fromParent(new UiSelector())',
    /fromParent\(\) is not supported/,
  ],
  ['xpath', '//*[', /invalid XPath/],
  ['css selector', 'button', /not supported/],
])(
  'a malformed selector or a strategy the driver lacks answers "invalid selector": %s %s',
  async (strategy, selector, message) => {
    const error = await browser.findElement(strategy, selector).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.name).toBe('invalid selector');
    expect(error?.message).toMatch(message);
  },
);

test('an element found on one screen is stale once the device shows another', async () => {
  const start = await browser.findElement('id', 'start_button');
  await browser.elementClick(elementId(start));
  const error = await browser.elementClick(elementId(start)).then(
    () => null,
    (e: Error) => e,
  );
  expect(error?.name).toBe('stale element reference');
  expect(await textOf(await browser.findElement('id', `${SW}:id/sud_layout_title`))).toBe(
    'Choose your language',
  );
});
