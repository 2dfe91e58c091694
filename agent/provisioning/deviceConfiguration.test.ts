import { exportForKnoxMobileEnrollment, exportForZeroTouch, EXTRA_ENROLLMENT_TOKEN } from './payload';
import {
  ANDROID_DEVICE_POLICY,
  parseDeviceConfiguration,
  readDeviceConfiguration,
} from './deviceConfiguration';

const read = (format: 'zeroTouch' | 'knoxMobileEnrollment', json: string, dpc?: string) =>
  readDeviceConfiguration(parseDeviceConfiguration({ format, json, ...(dpc ? { dpc } : {}) }));

describe('what a device makes of its zero-touch or KME configuration', () => {
  test("the admin center's own exports give the token and, for zero-touch, the DPC fields", () => {
    expect(read('zeroTouch', exportForZeroTouch('ABCDEFGH'))).toEqual({
      ok: true,
      token: 'ABCDEFGH',
      checksum: 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
      downloadLocation: 'https://play.google.com/managed/downloadManagingApp?identifier=setup',
    });
    expect(read('knoxMobileEnrollment', exportForKnoxMobileEnrollment('ABCDEFGH'))).toEqual({
      ok: true,
      token: 'ABCDEFGH',
      checksum: null,
      downloadLocation: null,
    });
  });

  test('JSON that does not parse, or holds no token where Android Device Policy reads it, is invalid', () => {
    for (const [format, json] of [
      ['zeroTouch', '{"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": {'],
      ['zeroTouch', '[]'],
      ['zeroTouch', JSON.stringify({ [EXTRA_ENROLLMENT_TOKEN]: 'ABCDEFGH' })],
      ['knoxMobileEnrollment', exportForZeroTouch('ABCDEFGH')],
      ['knoxMobileEnrollment', JSON.stringify({ [EXTRA_ENROLLMENT_TOKEN]: '' })],
    ] as const)
      expect(read(format, json)).toMatchObject({ ok: false, problem: 'configurationInvalid' });
  });

  test("another DPC, named by the configuration or by the DPC extras, is not Intune's", () => {
    const extras = JSON.parse(exportForZeroTouch('ABCDEFGH')) as Record<string, unknown>;
    extras['android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME'] =
      'com.afwsamples.testdpc/.DeviceAdminReceiver';
    expect(read('zeroTouch', JSON.stringify(extras))).toMatchObject({ ok: false, problem: 'otherDpc' });
    expect(
      read('knoxMobileEnrollment', exportForKnoxMobileEnrollment('ABCDEFGH'), 'com.afwsamples.testdpc'),
    ).toMatchObject({
      ok: false,
      problem: 'otherDpc',
    });
    expect(ANDROID_DEVICE_POLICY).toBe('com.google.android.apps.work.clouddpc');
  });

  test('a configuration that cannot exist is refused with the field that is wrong', () => {
    expect(() => parseDeviceConfiguration({ format: 'nfc', json: '{}' })).toThrow(
      /device configuration format:/,
    );
    expect(() => parseDeviceConfiguration({ format: 'zeroTouch', json: 'x'.repeat(9000) })).toThrow(
      /device configuration json:/,
    );
  });
});
