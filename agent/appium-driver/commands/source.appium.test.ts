import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import { deviceFixture, elementId, type Browser } from '../testing/session';

/** The page source is UiAutomator2's XML form and says what the device shows. */

let fixture: Awaited<ReturnType<typeof deviceFixture>>;
let browser: Browser;

beforeAll(async () => {
  fixture = await deviceFixture({ 'stagesim:manufacturer': 'Samsung', 'appium:platformVersion': '13' });
  browser = fixture.browser;
});
afterAll(() => fixture.close());

const UIAUTOMATOR2_ATTRIBUTES = [
  'index',
  'package',
  'class',
  'text',
  'content-desc',
  'resource-id',
  'checkable',
  'checked',
  'clickable',
  'enabled',
  'focusable',
  'focused',
  'long-clickable',
  'password',
  'scrollable',
  'selected',
  'bounds',
  'displayed',
];

function parse(xml: string): XmlElement {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => void (level !== 'warning' && errors.push(message)),
  }).parseFromString(xml, 'text/xml');
  expect(errors).toEqual([]);
  return document.documentElement!;
}

function elements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (element: XmlElement) => {
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) {
        out.push(child as XmlElement);
        walk(child as XmlElement);
      }
    }
  };
  walk(root);
  return out;
}

test('a device that is off has an empty hierarchy', async () => {
  const root = parse(await browser.getPageSource());
  expect(root.tagName).toBe('hierarchy');
  expect(elements(root)).toEqual([]);
});

test('a screen: hierarchy root, elements named by class with every UiAutomator2 attribute, bounds inside the display', async () => {
  await browser.execute('mobile: stagesimPowerOn', {});
  const xml = await browser.getPageSource();
  expect(xml.startsWith("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>")).toBe(true);
  const root = parse(xml);
  expect(root.getAttribute('rotation')).toBe('0');
  const width = Number(root.getAttribute('width'));
  const height = Number(root.getAttribute('height'));
  const nodes = elements(root);
  expect(nodes.length).toBeGreaterThan(2);
  for (const node of nodes) {
    for (const attribute of UIAUTOMATOR2_ATTRIBUTES) expect(node.hasAttribute(attribute)).toBe(true);
    expect(node.getAttribute('class')).toBe(node.tagName);
    const bounds = /^\[(\d+),(\d+)\]\[(\d+),(\d+)\]$/.exec(node.getAttribute('bounds') ?? '');
    expect(bounds).not.toBeNull();
    const [x1, y1, x2, y2] = bounds!.slice(1).map(Number) as [number, number, number, number];
    expect(0 <= x1 && x1 < x2 && x2 <= width && 0 <= y1 && y1 < y2 && y2 <= height).toBe(true);
  }
  // Samsung's own setup wizard on Android 13 (android-13-samsung.json).
  expect(nodes[0]!.getAttribute('package')).toBe('com.sec.android.app.SecSetupWizard');
  expect(nodes.map((node) => node.getAttribute('resource-id'))).toContain(
    'com.sec.android.app.SecSetupWizard:id/next_button',
  );
});

test('texts with quotes and apostrophes survive the XML; the source and getText agree', async () => {
  // Sign in on a device nobody staged: an error screen with an apostrophe in its title.
  await browser.elementClick(
    elementId(await browser.findElement('id', 'com.sec.android.app.SecSetupWizard:id/next_button')),
  );
  await browser.elementClick(
    elementId(await browser.findElement('id', 'com.sec.android.app.SecSetupWizard:id/next_button')),
  );
  await browser.elementClick(
    elementId(await browser.findElement('id', 'com.sec.android.app.SecSetupWizard:id/wifi_item')),
  );
  await browser.elementSendKeys(
    elementId(await browser.findElement('id', 'identifier_field')),
    'a"b@contoso.com',
  );
  expect(elements(parse(await browser.getPageSource())).map((node) => node.getAttribute('text'))).toContain(
    'a"b@contoso.com',
  );
  await browser.elementClick(elementId(await browser.findElement('id', 'sud_navbar_next')));
  const nodes = elements(parse(await browser.getPageSource()));
  expect(nodes.map((node) => node.getAttribute('text'))).toContain("Can't sign in on this device");
  const message = nodes.find((node) => node.getAttribute('resource-id')?.endsWith(':id/error_message'))!;
  expect(await browser.getElementText(elementId(await browser.findElement('id', 'error_message')))).toBe(
    message.getAttribute('text'),
  );
  const { view } = (await browser.execute('mobile: stagesimDeviceView', {})) as {
    view: { errorMessage: string };
  };
  expect(message.getAttribute('text')).toBe(view.errorMessage);
});
