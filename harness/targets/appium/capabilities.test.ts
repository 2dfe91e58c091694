import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { deviceProfileSchema } from '../../../agent/device/deviceProfile';
import {
  loadCapabilitiesFile,
  parseCapabilities,
  sessionCapabilities,
  usesStagesimDriver,
} from './capabilities';

const profile = deviceProfileSchema.parse({
  serialNumber: 'CAP-1',
  manufacturer: 'Samsung',
  model: 'Galaxy XCover6 Pro',
  osVersion: '13',
  wifiInRange: false,
});

test('the capabilities files of emulator-scripts are accepted (once their placeholders are filled)', () => {
  const folder = join(projectRoot(), 'emulator-scripts', 'capabilities');
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.json'))) {
    const text = readFileSync(join(folder, name), 'utf8').replace(/\$\{([A-Z_]+)\}/g, 'filled');
    const caps = parseCapabilities(JSON.parse(text), name);
    expect(usesStagesimDriver(caps)).toBe(false);
  }
});

test('a stagesim session carries the device the harness asked for, its backend and its own systemPort', () => {
  expect(sessionCapabilities({}, 2, { profile, backendUrl: 'http://127.0.0.1:4000' })).toEqual({
    platformName: 'Android',
    'appium:automationName': 'StagesimDevice',
    'appium:systemPort': 8202,
    'appium:platformVersion': '13',
    'stagesim:backendUrl': 'http://127.0.0.1:4000',
    'stagesim:serialNumber': 'CAP-1',
    'stagesim:manufacturer': 'Samsung',
    'stagesim:model': 'Galaxy XCover6 Pro',
    'stagesim:wifiInRange': false,
    'stagesim:cellular': true,
  });
});

test("a UiAutomator2 session keeps the file as it is, but for its own systemPort counted from the file's", () => {
  const base = parseCapabilities(
    {
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:udid': 'emulator-5554',
      'appium:systemPort': 8300,
    },
    'caps.json',
  );
  expect(sessionCapabilities(base, 0, { profile, backendUrl: 'http://x' })).toEqual({
    ...base,
    'appium:systemPort': 8300,
  });
  expect(sessionCapabilities(base, 3, { profile, backendUrl: 'http://x' })['appium:systemPort']).toBe(8303);
});

describe('a capabilities file that cannot work is refused with the file and the key', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'stagesim-caps-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  const refused = (content: string) => {
    const file = join(folder, 'caps.json');
    writeFileSync(file, content);
    try {
      loadCapabilitiesFile(file);
    } catch (error) {
      return error as Error & { code: string };
    }
    throw new Error('accepted');
  };

  test.each([
    ['not JSON', '{', /caps\.json: not valid JSON/],
    ['not an object', '[1]', /expected a JSON object of capabilities/],
    ['another platform', '{"platformName": "iOS"}', /platformName: expected "Android"/],
    [
      'a vendor capability without its prefix',
      '{"automationName": "UiAutomator2"}',
      /automationName: .*"appium:automationName"/,
    ],
    [
      'a systemPort that is no port',
      '{"appium:systemPort": 80}',
      /appium:systemPort: expected a port number/,
    ],
    [
      'a placeholder left unfilled',
      '{"bstack:options": {"userName": "${BROWSERSTACK_USERNAME}"}}',
      /\$\{BROWSERSTACK_USERNAME\} not filled in/,
    ],
  ])('%s', (_what, content, message) => {
    const error = refused(content);
    expect(error.code).toBe('CAPABILITIES_INVALID');
    expect(error.message).toMatch(message);
  });

  test('a file that is not there', () => {
    expect(() => loadCapabilitiesFile(join(folder, 'nope.json'))).toThrow(
      expect.objectContaining({
        code: 'CAPABILITIES_INVALID',
        message: expect.stringMatching(/cannot read: ENOENT/),
      }),
    );
  });
});
