import { z } from 'zod';
import { StagesimError } from '../errors';
import { EXTRA_ENROLLMENT_TOKEN, INTUNE_DEFAULTS, PROVISIONING_KEYS } from './payload';

/**
 * A zero-touch or Knox Mobile Enrollment configuration: what Google's zero-touch service or Samsung's
 * Knox cloud hands a device that checks in on first boot with a network, in place of a QR code or a
 * typed token.
 *
 * - Zero-touch (Intune's "Enroll by using Google Zero Touch"): the configuration names the DPC ("Microsoft
 *   Intune", that is Android Device Policy) and holds the DPC extras JSON: the QR payload's DPC fields and
 *   the token in PROVISIONING_ADMIN_EXTRAS_BUNDLE.
 * - Knox Mobile Enrollment ("Automatically enroll Android devices by using Samsung's Knox Mobile
 *   Enrollment"): the MDM profile names the MDM agent (Intune's) and holds the custom JSON
 *   `{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": "<token>"}`. Samsung devices only.
 *
 * Neither portal is simulated; the text is kept as given, so that a device can be handed a malformed
 * configuration and show what a real one does (readDeviceConfiguration below).
 */
export const configurationFormatSchema = z.enum(['zeroTouch', 'knoxMobileEnrollment']);
export type ConfigurationFormat = z.infer<typeof configurationFormatSchema>;

/** Android Device Policy, the DPC Intune enrolls Android Enterprise devices with. */
export const ANDROID_DEVICE_POLICY = INTUNE_DEFAULTS.adminComponentName.split('/')[0]!;

/** The longest configuration text a device takes (zero-touch's own limit is not documented). */
export const MAX_CONFIGURATION_TEXT = 8192;

export const deviceConfigurationSchema = z.object({
  format: configurationFormatSchema,
  /** The DPC extras (zero-touch) or custom JSON (KME), as the admin pasted it. */
  json: z.string().max(MAX_CONFIGURATION_TEXT),
  /** The package of the DPC the configuration installs: Android Device Policy for Intune. */
  dpc: z
    .string()
    .regex(/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$/, 'an Android package name such as com.example.dpc')
    .default(ANDROID_DEVICE_POLICY),
});
export type DeviceConfiguration = z.infer<typeof deviceConfigurationSchema>;
export type DeviceConfigurationInput = z.input<typeof deviceConfigurationSchema>;

/** Why a device cannot provision from its configuration; each ends on "Can't set up device". */
export type ConfigurationProblem = 'configurationInvalid' | 'otherDpc';

export type ConfigurationReading =
  | {
      ok: true;
      token: string;
      /** The DPC fields a zero-touch configuration may carry (a KME one carries none). */
      checksum: string | null;
      downloadLocation: string | null;
    }
  | { ok: false; problem: ConfigurationProblem; detail: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What Android makes of a configuration, as AOSP's ManagedProvisioning does with provisioning extras:
 * extras it cannot parse are refused before anything is installed, and a device admin component that
 * is not in the installed DPC fails after the install; both show "Can't set up device. Contact your IT
 * admin for help." A configuration without an enrollment token where Android Device Policy reads it is
 * invalid too: Intune's documentation says the field is required for the device to enroll.
 */
export function readDeviceConfiguration(configuration: DeviceConfiguration): ConfigurationReading {
  const invalid = (detail: string): ConfigurationReading => ({
    ok: false,
    problem: 'configurationInvalid',
    detail,
  });
  if (configuration.dpc !== ANDROID_DEVICE_POLICY)
    return {
      ok: false,
      problem: 'otherDpc',
      detail: `the configuration installs ${configuration.dpc}, not Android Device Policy`,
    };
  let json: unknown;
  try {
    json = JSON.parse(configuration.json);
  } catch {
    return invalid('the configuration is not JSON');
  }
  if (!isObject(json)) return invalid('the configuration is not a JSON object');

  if (configuration.format === 'knoxMobileEnrollment') {
    const token = json[EXTRA_ENROLLMENT_TOKEN];
    if (typeof token !== 'string' || token === '')
      return invalid(`the custom JSON holds no ${EXTRA_ENROLLMENT_TOKEN}`);
    return { ok: true, token, checksum: null, downloadLocation: null };
  }

  const component = json[PROVISIONING_KEYS.adminComponentName];
  if (component !== undefined) {
    if (typeof component !== 'string') return invalid('the device admin component name is not a string');
    if (component.split('/')[0] !== ANDROID_DEVICE_POLICY)
      return {
        ok: false,
        problem: 'otherDpc',
        detail: `the DPC extras name the device admin ${component}, which Android Device Policy does not have`,
      };
  }
  const bundle = json[PROVISIONING_KEYS.adminExtrasBundle];
  const token = isObject(bundle) ? bundle[EXTRA_ENROLLMENT_TOKEN] : undefined;
  if (typeof token !== 'string' || token === '')
    return invalid(`the DPC extras hold no ${EXTRA_ENROLLMENT_TOKEN} in the admin extras bundle`);
  const text = (key: string) => (typeof json[key] === 'string' ? (json[key] as string) : null);
  return {
    ok: true,
    token,
    checksum: text(PROVISIONING_KEYS.signatureChecksum),
    downloadLocation: text(PROVISIONING_KEYS.packageDownloadLocation),
  };
}

/** Checks a configuration handed to a device; throws DEVICE_CONFIGURATION_INVALID with the first problem. */
export function parseDeviceConfiguration(input: unknown): DeviceConfiguration {
  const result = deviceConfigurationSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new StagesimError(
    'DEVICE_CONFIGURATION_INVALID',
    `device configuration ${issue.path.join('.') || 'value'}: ${issue.message}`,
  );
}
