import { StagesimError } from '../errors';
import {
  buildProvisioningPayload,
  EXTRA_ENROLLMENT_TOKEN,
  exportForKnoxMobileEnrollment,
  exportForZeroTouch,
  INTUNE_DEFAULTS,
  parseProvisioningPayload,
  PROVISIONING_KEYS,
  provisioningDetails,
  serializeProvisioningPayload,
} from './payload';

const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';

/** The example payload of domain-facts section 2, as Intune writes it. */
const INTUNE_EXAMPLE = {
  'android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME':
    'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
  'android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM':
    'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
  'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION':
    'https://play.google.com/managed/downloadManagingApp?identifier=setup',
  'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
    'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': TOKEN,
  },
};

function errorOf(action: () => unknown): StagesimError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StagesimError);
    return error as StagesimError;
  }
  throw new Error('expected a StagesimError');
}

describe('buildProvisioningPayload', () => {
  it('builds exactly the payload Intune puts in its QR code, keys in the same order', () => {
    const payload = buildProvisioningPayload({ token: TOKEN });
    expect(serializeProvisioningPayload(payload)).toBe(JSON.stringify(INTUNE_EXAMPLE));
  });

  it('uses the Intune defaults the constants name', () => {
    const payload = buildProvisioningPayload({ token: TOKEN });
    expect(payload[PROVISIONING_KEYS.adminComponentName]).toBe(INTUNE_DEFAULTS.adminComponentName);
    expect(payload[PROVISIONING_KEYS.signatureChecksum]).toBe('I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg');
    expect(payload[PROVISIONING_KEYS.packageDownloadLocation]).toBe(INTUNE_DEFAULTS.packageDownloadLocation);
  });

  it('adds Wi-Fi and mobile-data extras after the required keys', () => {
    const payload = buildProvisioningPayload({
      token: TOKEN,
      wifi: { ssid: 'Staging Lab', password: 'correct horse', security: 'WPA', hidden: true },
      useMobileData: true,
    });
    expect(Object.keys(payload)).toEqual([
      PROVISIONING_KEYS.adminComponentName,
      PROVISIONING_KEYS.signatureChecksum,
      PROVISIONING_KEYS.packageDownloadLocation,
      PROVISIONING_KEYS.adminExtrasBundle,
      PROVISIONING_KEYS.wifiSsid,
      PROVISIONING_KEYS.wifiPassword,
      PROVISIONING_KEYS.wifiSecurityType,
      PROVISIONING_KEYS.wifiHidden,
      PROVISIONING_KEYS.useMobileData,
    ]);
    expect(payload[PROVISIONING_KEYS.wifiSsid]).toBe('Staging Lab');
    expect(payload[PROVISIONING_KEYS.wifiHidden]).toBe(true);
    expect(payload[PROVISIONING_KEYS.useMobileData]).toBe(true);
  });

  it('builds an open network without a password', () => {
    const payload = buildProvisioningPayload({ token: TOKEN, wifi: { ssid: 'Guest', security: 'NONE' } });
    expect(payload[PROVISIONING_KEYS.wifiPassword]).toBeUndefined();
    expect(payload[PROVISIONING_KEYS.wifiSecurityType]).toBe('NONE');
  });

  it.each([
    ['an empty token', { token: '' }, /"token"/],
    ['an empty SSID', { token: TOKEN, wifi: { ssid: '', security: 'NONE' as const } }, /"wifi > ssid"/],
    [
      'an SSID over 32 bytes',
      { token: TOKEN, wifi: { ssid: 'é'.repeat(17), security: 'NONE' as const } },
      /32 bytes/,
    ],
    [
      'a password on an open network',
      { token: TOKEN, wifi: { ssid: 'Guest', password: 'x', security: 'NONE' as const } },
      /open network/,
    ],
    [
      'a WPA network without a password',
      { token: TOKEN, wifi: { ssid: 'Lab', security: 'WPA' as const } },
      /WPA network needs a password/,
    ],
    [
      'an unknown security type',
      { token: TOKEN, wifi: { ssid: 'Lab', password: 'x', security: 'WPA3' as never } },
      /"wifi > security"/,
    ],
  ])('refuses %s with PROVISIONING_OPTIONS_INVALID', (_what, options, message) => {
    const error = errorOf(() => buildProvisioningPayload(options));
    expect(error.code).toBe('PROVISIONING_OPTIONS_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('parseProvisioningPayload', () => {
  it('reads what buildProvisioningPayload writes', () => {
    const built = buildProvisioningPayload({
      token: TOKEN,
      wifi: { ssid: 'Lab', password: 'pw', security: 'WEP' },
      useMobileData: false,
    });
    expect(parseProvisioningPayload(serializeProvisioningPayload(built))).toEqual(built);
  });

  it("reads Intune's own payload, pretty-printed or not", () => {
    expect(parseProvisioningPayload(JSON.stringify(INTUNE_EXAMPLE, null, 2))).toEqual(INTUNE_EXAMPLE);
  });

  it('accepts booleans written as strings, as some payloads in the wild do, and keeps unknown extras', () => {
    const payload = parseProvisioningPayload(
      JSON.stringify({
        ...INTUNE_EXAMPLE,
        [PROVISIONING_KEYS.skipEncryption]: 'true',
        [PROVISIONING_KEYS.leaveAllSystemAppsEnabled]: false,
        [PROVISIONING_KEYS.skipEducationScreens]: 'false',
        'android.app.extra.PROVISIONING_LOCALE': 'en_US',
      }),
    );
    expect(payload[PROVISIONING_KEYS.skipEncryption]).toBe(true);
    expect(payload[PROVISIONING_KEYS.leaveAllSystemAppsEnabled]).toBe(false);
    expect(payload[PROVISIONING_KEYS.skipEducationScreens]).toBe(false);
    expect(payload['android.app.extra.PROVISIONING_LOCALE']).toBe('en_US');
  });

  it.each([
    ['plain text', 'WIFI:S:Lab;T:WPA;P:secret;;'],
    ['a URL', 'https://example.com/enroll'],
    ['truncated JSON', JSON.stringify(INTUNE_EXAMPLE).slice(0, 100)],
    ['nothing', ''],
    ['text longer than any QR code holds', `{"a":"${'x'.repeat(9000)}"}`],
  ])('says QR_NOT_JSON for %s', (_what, text) => {
    expect(errorOf(() => parseProvisioningPayload(text)).code).toBe('QR_NOT_JSON');
  });

  const without = (key: string) => {
    const copy: Record<string, unknown> = { ...INTUNE_EXAMPLE };
    delete copy[key];
    return copy;
  };

  it.each([
    ['a JSON array', [1, 2], /expected a JSON object, got an array/],
    ['a JSON string', 'hello', /got string/],
    ['null', null, /got null/],
    ['some other JSON object', { name: 'Ada' }, /PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME.*missing/],
    [
      'a payload without a checksum',
      without(PROVISIONING_KEYS.signatureChecksum),
      /SIGNATURE_CHECKSUM": missing; expected the DPC signature checksum/,
    ],
    [
      'a short checksum',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.signatureChecksum]: 'abc' },
      /SIGNATURE_CHECKSUM": expected a base64url SHA-256 checksum of 43 characters/,
    ],
    [
      'a download location that is not a URL',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.packageDownloadLocation]: 'play store' },
      /DOWNLOAD_LOCATION": expected .*http\(s\) URL/,
    ],
    [
      'an ftp download location',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.packageDownloadLocation]: 'ftp://example.com/dpc.apk' },
      /http\(s\) URL/,
    ],
    [
      'a component name without a class',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.adminComponentName]: 'com.google.android.apps.work.clouddpc' },
      /package\/\.Receiver/,
    ],
    [
      'an unknown Wi-Fi security type',
      {
        ...INTUNE_EXAMPLE,
        [PROVISIONING_KEYS.wifiSsid]: 'Lab',
        [PROVISIONING_KEYS.wifiSecurityType]: 'WPA2',
      },
      /NONE, WPA, WEP, EAP/,
    ],
    [
      'a Wi-Fi password without an SSID',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.wifiPassword]: 'pw' },
      /WIFI_SSID": missing/,
    ],
    [
      'a flag that is not a boolean',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.useMobileData]: 'yes' },
      /USE_MOBILE_DATA": expected true or false/,
    ],
  ])('says QR_NOT_PROVISIONING for %s, naming the field and what it expects', (_what, json, message) => {
    const error = errorOf(() => parseProvisioningPayload(JSON.stringify(json)));
    expect(error.code).toBe('QR_NOT_PROVISIONING');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['no admin extras bundle', without(PROVISIONING_KEYS.adminExtrasBundle)],
    ['an empty bundle', { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.adminExtrasBundle]: {} }],
    [
      'an empty token',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.adminExtrasBundle]: { [EXTRA_ENROLLMENT_TOKEN]: '' } },
    ],
    [
      'a token that is a number',
      { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.adminExtrasBundle]: { [EXTRA_ENROLLMENT_TOKEN]: 12345678 } },
    ],
    ['a bundle that is a string', { ...INTUNE_EXAMPLE, [PROVISIONING_KEYS.adminExtrasBundle]: TOKEN }],
  ])('says QR_NO_TOKEN for a provisioning payload with %s', (_what, json) => {
    const error = errorOf(() => parseProvisioningPayload(JSON.stringify(json)));
    expect(error.code).toBe('QR_NO_TOKEN');
    expect(error.message).toContain(PROVISIONING_KEYS.adminExtrasBundle);
  });

  it('reports a payload wrong in more than its token as not a provisioning payload', () => {
    const json = { [PROVISIONING_KEYS.adminExtrasBundle]: {} };
    expect(errorOf(() => parseProvisioningPayload(JSON.stringify(json))).code).toBe('QR_NOT_PROVISIONING');
  });
});

describe('provisioningDetails', () => {
  it("gives the token, checksum and Android's defaults for a payload without extras", () => {
    expect(provisioningDetails(parseProvisioningPayload(JSON.stringify(INTUNE_EXAMPLE)))).toEqual({
      token: TOKEN,
      wifi: undefined,
      checksum: 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
      useMobileData: false,
    });
  });

  it('gives the Wi-Fi network, treating a missing security type as open and hidden as false', () => {
    const payload = parseProvisioningPayload(
      JSON.stringify({
        ...INTUNE_EXAMPLE,
        [PROVISIONING_KEYS.wifiSsid]: 'Cafe',
        [PROVISIONING_KEYS.useMobileData]: 'true',
      }),
    );
    expect(provisioningDetails(payload)).toEqual({
      token: TOKEN,
      wifi: { ssid: 'Cafe', security: 'NONE', hidden: false },
      checksum: INTUNE_DEFAULTS.signatureChecksum,
      useMobileData: true,
    });
  });

  it('gives a secured network with its password', () => {
    const payload = buildProvisioningPayload({
      token: TOKEN,
      wifi: { ssid: 'Lab', password: 'pw', security: 'EAP', hidden: true },
    });
    expect(provisioningDetails(payload).wifi).toEqual({
      ssid: 'Lab',
      password: 'pw',
      security: 'EAP',
      hidden: true,
    });
  });
});

describe('exports for Zero Touch and Knox Mobile Enrollment', () => {
  it("gives Zero Touch the DPC extras: the QR payload's required keys and token, without Wi-Fi", () => {
    expect(JSON.parse(exportForZeroTouch(TOKEN))).toEqual(INTUNE_EXAMPLE);
    expect(() => parseProvisioningPayload(exportForZeroTouch(TOKEN))).not.toThrow();
  });

  it('gives KME custom JSON holding only the token', () => {
    expect(JSON.parse(exportForKnoxMobileEnrollment(TOKEN))).toEqual({
      'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': TOKEN,
    });
  });

  it('refuses an empty token in both', () => {
    expect(errorOf(() => exportForZeroTouch('')).code).toBe('PROVISIONING_OPTIONS_INVALID');
    expect(errorOf(() => exportForKnoxMobileEnrollment('')).code).toBe('PROVISIONING_OPTIONS_INVALID');
  });
});
