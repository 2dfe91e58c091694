import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import defaultSelectors from '../../../agent/selectors/files/default.json';
import type { DeviceView } from '../../../agent/device/SimulatedDevice';
import { pageSource, renderHierarchy } from '../../../agent/appium-driver/render/hierarchy';
import { selectOnScreen } from '../../../agent/appium-driver/select';
import { screens as catalogue } from '../../../agent/model/screens';
import { queryOf } from './locators';
import { parsePageSource, selectLocator } from './pageSource';
import { recognizeScreen } from './recognizeScreen';
import {
  candidateFiles,
  defaultSelectorFolder,
  loadSelectors,
  POWERED_OFF_SCREEN,
  resolveFile,
  screenTitles,
} from '../../../agent/selectors/selectors';

/**
 * The selector files: valid, complete for the screen catalogue, and exact: every locator finds its one
 * element on the driver's rendering of its screen (the driver and the page objects read the same files),
 * and the page source of every screen is recognised as that screen.
 */
const files = readdirSync(defaultSelectorFolder())
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.replace(/\.json$/, ''));

/** What the device would show on a screen, with sample values where the text comes from the device. */
function sampleView(screenId: string): DeviceView {
  const definition = catalogue[screenId]!;
  return {
    serialNumber: 'SEL-1',
    state: 'x',
    screen: { id: screenId, title: screenTitles().get(screenId)!, appPackage: definition.appPackage },
    stage: 'unprovisioned',
    actor: 'vendor',
    userless: true,
    poweredOff: screenId === POWERED_OFF_SCREEN,
    error: false,
    errorReason: null,
    errorMessage: null,
    upn: null,
    flow: null,
    mode: null,
    recordedStage: null,
    deviceName: null,
    deliveries: null,
    wifiConnected: false,
    elements: definition.elements.map((element) => ({
      ...element,
      value: element.label || `sample ${element.key}`,
    })),
  };
}

test('there is a default file and the files the README names', () => {
  expect(files).toEqual(expect.arrayContaining(['default', 'android-14-google', 'android-13-samsung']));
});

const screenIds = Object.keys(catalogue).filter((id) => id !== POWERED_OFF_SCREEN);

describe.each(files)('%s.json', (file) => {
  const selectors = resolveFile(file);

  test('covers every screen and element of the catalogue', () => {
    expect(Object.keys(selectors.screens).sort()).toEqual([...screenIds].sort());
  });

  test.each(screenIds)(
    'screen %s: each locator finds exactly its element, with the strategy the page objects use',
    (screenId) => {
      const rendered = renderHierarchy(sampleView(screenId), selectors);
      const screen = selectors.screens[screenId]!;
      for (const [key, locator] of Object.entries(screen.elements)) {
        const query = queryOf(locator);
        const found = selectOnScreen(rendered, query.using, query.value);
        expect({ key, found: found.map((node) => node.key) }).toEqual({ key, found: [key] });
      }
      const title = queryOf(screen.title);
      expect(selectOnScreen(rendered, title.using, title.value).map((node) => node.role)).toContain('title');
    },
  );

  test.each(screenIds)(
    'screen %s: its page source is recognised as that screen, with the texts of its elements',
    (screenId) => {
      const view = sampleView(screenId);
      const source = parsePageSource(pageSource(renderHierarchy(view, selectors)));
      const recognized = recognizeScreen(source, selectors);
      expect(recognized?.id).toBe(screenId);
      for (const element of view.elements)
        expect(recognized!.texts[element.key]).toBe(
          element.kind === 'image'
            ? (selectors.screens[screenId]!.elements[element.key]!.text ?? '')
            : (selectors.screens[screenId]!.elements[element.key]!.text ?? element.value),
        );
      // Searching the page source locally selects what the driver selects.
      for (const locator of Object.values(selectors.screens[screenId]!.elements))
        expect(selectLocator(source, locator)).toHaveLength(1);
    },
  );
});

test('a device is given the most specific file there is, falling back to default.json', () => {
  expect(candidateFiles({ androidVersion: '13.0', manufacturer: 'Zebra Technologies' })).toEqual([
    'android-13-zebra-technologies',
    'android-13',
    'zebra-technologies',
  ]);
  expect(loadSelectors({ androidVersion: '14', manufacturer: 'Google' }).files).toEqual([
    'android-14-google',
    'default',
  ]);
  expect(loadSelectors({ androidVersion: '13', manufacturer: 'SAMSUNG' }).files).toEqual([
    'android-13-samsung',
    'default',
  ]);
  expect(loadSelectors({ androidVersion: '14', manufacturer: 'Samsung' }).files).toEqual(['default']);
  // An override changes what it names and nothing else.
  expect(
    loadSelectors({ androidVersion: '14', manufacturer: 'Google' }).screens.welcome!.elements.startButton,
  ).toMatchObject({ text: 'Get started' });
  expect(loadSelectors({ androidVersion: '14', manufacturer: 'Google' }).screens['sign-in']).toEqual(
    loadSelectors({ androidVersion: '11', manufacturer: 'Honeywell' }).screens['sign-in'],
  );
});

describe('files a QA engineer got wrong are refused, naming the file and the key', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'stagesim-selectors-'));
    writeFileSync(join(folder, 'default.json'), JSON.stringify(defaultSelectors));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const refused = (name: string, content: unknown) => {
    writeFileSync(
      join(folder, `${name}.json`),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    try {
      resolveFile(name, folder);
    } catch (error) {
      return error as Error & { code: string };
    }
    throw new Error('accepted');
  };

  test.each([
    ['not JSON', '{ "screens": ', /android-9-acme\.json: not valid JSON/],
    ['no description', { screens: {} }, /android-9-acme\.json: description: /],
    [
      'an unknown screen',
      { description: 'x', screens: { lobby: { elements: {} } } },
      /screens\.lobby: not a screen of the catalogue/,
    ],
    [
      'an unknown element',
      { description: 'x', screens: { welcome: { elements: { startButon: { text: 'Start' } } } } },
      /screens\.welcome\.elements\.startButon: screen "welcome" has no such element/,
    ],
    [
      'a locator with nothing to find by',
      {
        description: 'x',
        screens: { welcome: { elements: { startButton: { className: 'android.widget.Button' } } } },
      },
      /at least one of resourceId/,
    ],
    [
      'a resource id without its package',
      { description: 'x', screens: { welcome: { elements: { startButton: { resourceId: 'start' } } } } },
      /resourceId: a full resource id/,
    ],
    [
      'a UiSelector that does not parse',
      {
        description: 'x',
        screens: { welcome: { elements: { startButton: { uiautomator: 'new UiSelector().text(' } } } },
      },
      /uiautomator: invalid UiSelector/,
    ],
    [
      'text on a field',
      { description: 'x', screens: { 'sign-in': { elements: { emailField: { text: 'Email' } } } } },
      /emailField\.text: "emailField" shows text that changes/,
    ],
    [
      'extends going round',
      { description: 'x', extends: 'android-9-acme', screens: {} },
      /goes round in a circle/,
    ],
  ])('%s', (_what, content, message) => {
    const error = refused('android-9-acme', content);
    expect(error.code).toBe('SELECTORS_INVALID');
    expect(error.message).toMatch(message);
  });

  test('a missing default.json is SELECTORS_NOT_FOUND', () => {
    rmSync(join(folder, 'default.json'));
    expect(() => resolveFile('default', folder)).toThrow(
      expect.objectContaining({ code: 'SELECTORS_NOT_FOUND' }),
    );
  });
});
