import { z } from 'zod';
import { StagesimError } from '../errors';

/**
 * The Android Enterprise provisioning payload Intune puts in its enrollment QR code (domain-facts
 * section 2), plus the two "export" forms of the same token (Zero Touch DPC extras, Knox Mobile
 * Enrollment custom JSON).
 *
 * Error codes:
 * - QR_NOT_JSON: the text is not JSON (or is too long to have come from a QR code).
 * - QR_NOT_PROVISIONING: JSON, but not a provisioning payload; the message names the field and what it
 *   should hold.
 * - QR_NO_TOKEN: a provisioning payload without an enrollment token in its admin extras bundle.
 * - PROVISIONING_OPTIONS_INVALID: buildProvisioningPayload was given options it cannot encode.
 */

const EXTRA = 'android.app.extra.';

export const PROVISIONING_KEYS = {
  adminComponentName: `${EXTRA}PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME`,
  signatureChecksum: `${EXTRA}PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM`,
  packageDownloadLocation: `${EXTRA}PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION`,
  adminExtrasBundle: `${EXTRA}PROVISIONING_ADMIN_EXTRAS_BUNDLE`,
  wifiSsid: `${EXTRA}PROVISIONING_WIFI_SSID`,
  wifiPassword: `${EXTRA}PROVISIONING_WIFI_PASSWORD`,
  wifiSecurityType: `${EXTRA}PROVISIONING_WIFI_SECURITY_TYPE`,
  wifiHidden: `${EXTRA}PROVISIONING_WIFI_HIDDEN`,
  useMobileData: `${EXTRA}PROVISIONING_USE_MOBILE_DATA`,
  skipEncryption: `${EXTRA}PROVISIONING_SKIP_ENCRYPTION`,
  leaveAllSystemAppsEnabled: `${EXTRA}PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED`,
  skipEducationScreens: `${EXTRA}PROVISIONING_SKIP_EDUCATION_SCREENS`,
} as const;

/** The key Android Device Policy reads the Intune enrollment token from, inside the admin extras bundle. */
export const EXTRA_ENROLLMENT_TOKEN = 'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN';

/** What Intune puts in every QR code: Android Device Policy (CloudDPC) from managed Google Play. */
export const INTUNE_DEFAULTS = {
  adminComponentName: 'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
  signatureChecksum: 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
  packageDownloadLocation: 'https://play.google.com/managed/downloadManagingApp?identifier=setup',
} as const;

export const wifiSecurityTypeSchema = z.enum(['NONE', 'WPA', 'WEP', 'EAP']);
export type WifiSecurityType = z.infer<typeof wifiSecurityTypeSchema>;

/** A QR code holds at most 2953 bytes; anything much longer did not come from one. */
const MAX_PAYLOAD_TEXT = 8192;

/** Messages say what a field must hold, and whether it was missing or wrong. */
function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `missing; expected ${what}` : `expected ${what}`;
}

/**
 * Android reads provisioning extras from the QR JSON with string-tolerant parsing, and payloads in the
 * wild write booleans both as JSON booleans and as "true"/"false"; accept both, yield a boolean.
 */
const flagSchema = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')], {
  error: expected('true or false'),
});

/** SSIDs are at most 32 bytes (IEEE 802.11); counted in UTF-8 since the QR code carries UTF-8. */
const ssidSchema = z
  .string({ error: expected('the Wi-Fi network name') })
  .min(1, { error: expected('a non-empty Wi-Fi network name') })
  .refine((ssid) => Buffer.byteLength(ssid, 'utf8') <= 32, {
    error: expected('a Wi-Fi network name of at most 32 bytes'),
  });

const tokenInBundleSchema = z.string({ error: expected('the enrollment token as a string') }).min(1, {
  error: expected('a non-empty enrollment token'),
});

export const provisioningPayloadSchema = z
  .looseObject({
    [PROVISIONING_KEYS.adminComponentName]: z
      .string({ error: expected('the device admin component name, "package/.Receiver"') })
      .regex(/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+\/\.?[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, {
        error: expected('a component name of the form "package/.Receiver"'),
      }),
    // Base64url SHA-256 of the DPC's signing certificate: 32 bytes are 43 symbols, padding optional.
    [PROVISIONING_KEYS.signatureChecksum]: z
      .string({ error: expected('the DPC signature checksum (base64url SHA-256)') })
      .regex(/^[A-Za-z0-9_-]{43}=?$/, { error: expected('a base64url SHA-256 checksum of 43 characters') }),
    [PROVISIONING_KEYS.packageDownloadLocation]: z.url({
      protocol: /^https?$/,
      error: expected('the DPC download location, an http(s) URL'),
    }),
    [PROVISIONING_KEYS.adminExtrasBundle]: z.looseObject(
      { [EXTRA_ENROLLMENT_TOKEN]: tokenInBundleSchema },
      { error: expected(`an object holding "${EXTRA_ENROLLMENT_TOKEN}"`) },
    ),
    [PROVISIONING_KEYS.wifiSsid]: ssidSchema.optional(),
    [PROVISIONING_KEYS.wifiPassword]: z
      .string({ error: expected('the Wi-Fi password as a string') })
      .optional(),
    [PROVISIONING_KEYS.wifiSecurityType]: z
      .enum(wifiSecurityTypeSchema.options, { error: expected('one of NONE, WPA, WEP, EAP') })
      .optional(),
    [PROVISIONING_KEYS.wifiHidden]: flagSchema.optional(),
    [PROVISIONING_KEYS.useMobileData]: flagSchema.optional(),
    [PROVISIONING_KEYS.skipEncryption]: flagSchema.optional(),
    [PROVISIONING_KEYS.leaveAllSystemAppsEnabled]: flagSchema.optional(),
    [PROVISIONING_KEYS.skipEducationScreens]: flagSchema.optional(),
  })
  .superRefine((payload, ctx) => {
    // Wi-Fi details without a network to apply them to mean the payload was assembled wrongly.
    if (payload[PROVISIONING_KEYS.wifiSsid] !== undefined) return;
    for (const key of [
      PROVISIONING_KEYS.wifiPassword,
      PROVISIONING_KEYS.wifiSecurityType,
      PROVISIONING_KEYS.wifiHidden,
    ]) {
      if (payload[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [PROVISIONING_KEYS.wifiSsid],
          message: `missing; expected the Wi-Fi network name since ${key} is set`,
        });
      }
    }
  });
export type ProvisioningPayload = z.infer<typeof provisioningPayloadSchema>;

export const wifiOptionsSchema = z
  .object({
    ssid: ssidSchema,
    password: z.string().min(1).optional(),
    security: wifiSecurityTypeSchema,
    hidden: z.boolean().optional(),
  })
  .superRefine((wifi, ctx) => {
    if (wifi.security === 'NONE' && wifi.password !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'an open network (security NONE) takes no password',
      });
    }
    if (wifi.security !== 'NONE' && wifi.password === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: `missing; a ${wifi.security} network needs a password`,
      });
    }
  });
export type WifiOptions = z.infer<typeof wifiOptionsSchema>;

export const provisioningOptionsSchema = z.object({
  token: tokenInBundleSchema,
  wifi: wifiOptionsSchema.optional(),
  useMobileData: z.boolean().optional(),
});
export type ProvisioningOptions = z.infer<typeof provisioningOptionsSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join(' > ') : 'the payload';
  return `${JSON.stringify(field)}: ${issue.message}`;
}

function checkOptions(options: ProvisioningOptions): ProvisioningOptions {
  const checked = provisioningOptionsSchema.safeParse(options);
  if (!checked.success) {
    throw new StagesimError(
      'PROVISIONING_OPTIONS_INVALID',
      `cannot build a provisioning payload: ${describeIssue(checked.error.issues[0]!)}`,
    );
  }
  return checked.data;
}

/**
 * The provisioning payload Intune would put in the QR code for this token. Parsing it through the schema
 * also puts the keys in the schema's order, which is the order of Intune's own codes.
 */
export function buildProvisioningPayload(options: ProvisioningOptions): ProvisioningPayload {
  const { token, wifi, useMobileData } = checkOptions(options);
  const payload: Record<string, unknown> = {
    [PROVISIONING_KEYS.adminComponentName]: INTUNE_DEFAULTS.adminComponentName,
    [PROVISIONING_KEYS.signatureChecksum]: INTUNE_DEFAULTS.signatureChecksum,
    [PROVISIONING_KEYS.packageDownloadLocation]: INTUNE_DEFAULTS.packageDownloadLocation,
    [PROVISIONING_KEYS.adminExtrasBundle]: { [EXTRA_ENROLLMENT_TOKEN]: token },
  };
  if (wifi) {
    payload[PROVISIONING_KEYS.wifiSsid] = wifi.ssid;
    if (wifi.password !== undefined) payload[PROVISIONING_KEYS.wifiPassword] = wifi.password;
    payload[PROVISIONING_KEYS.wifiSecurityType] = wifi.security;
    if (wifi.hidden !== undefined) payload[PROVISIONING_KEYS.wifiHidden] = wifi.hidden;
  }
  if (useMobileData !== undefined) payload[PROVISIONING_KEYS.useMobileData] = useMobileData;
  return provisioningPayloadSchema.parse(payload);
}

/** The text for the QR code and for Graph's qrCodeContent: compact, since every byte enlarges the code. */
export function serializeProvisioningPayload(payload: ProvisioningPayload): string {
  return JSON.stringify(payload);
}

/**
 * The last text read and what it held. A fleet's devices all scan the one QR code of their profile, and
 * the payload is a pure function of the text; it is frozen, so no reader can change it for the next.
 */
let lastRead: { text: string; payload: ProvisioningPayload } | null = null;

/** Reads the text a QR code held; throws QR_NOT_JSON, QR_NOT_PROVISIONING or QR_NO_TOKEN. */
export function parseProvisioningPayload(text: string): ProvisioningPayload {
  if (lastRead?.text === text) return lastRead.payload;
  const payload = deepFreeze(readPayload(text));
  lastRead = { text, payload };
  return payload;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function readPayload(text: string): ProvisioningPayload {
  if (text.length > MAX_PAYLOAD_TEXT) {
    throw new StagesimError(
      'QR_NOT_JSON',
      `the QR text is ${text.length} characters, longer than any provisioning payload (${MAX_PAYLOAD_TEXT})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StagesimError('QR_NOT_JSON', `the QR code does not hold JSON: ${preview(text)}`, {
      cause: error,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StagesimError(
      'QR_NOT_PROVISIONING',
      `not a provisioning payload: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json === 'object' ? 'null' : typeof json}`,
    );
  }
  const result = provisioningPayloadSchema.safeParse(json);
  if (result.success) return result.data;

  // A payload whose only fault is the token is a provisioning payload without a token; anything else
  // wrong means it is not (or not only) that, and the first other fault is the more useful report.
  const bundle = PROVISIONING_KEYS.adminExtrasBundle;
  const other = result.error.issues.find((issue) => issue.path[0] !== bundle);
  if (other)
    throw new StagesimError('QR_NOT_PROVISIONING', `not a provisioning payload: ${describeIssue(other)}`);
  throw new StagesimError(
    'QR_NO_TOKEN',
    `the provisioning payload holds no enrollment token: ${describeIssue(result.error.issues[0]!)}`,
  );
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine);
}

/** The facts the device acts on, with Android's defaults filled in. */
export interface ProvisioningDetails {
  token: string;
  wifi: (WifiOptions & { hidden: boolean }) | undefined;
  checksum: string;
  useMobileData: boolean;
}

export function provisioningDetails(payload: ProvisioningPayload): ProvisioningDetails {
  const ssid = payload[PROVISIONING_KEYS.wifiSsid];
  return {
    token: payload[PROVISIONING_KEYS.adminExtrasBundle][EXTRA_ENROLLMENT_TOKEN],
    wifi:
      ssid === undefined
        ? undefined
        : {
            ssid,
            ...(payload[PROVISIONING_KEYS.wifiPassword] === undefined
              ? {}
              : { password: payload[PROVISIONING_KEYS.wifiPassword] }),
            // AOSP treats a missing security type as an open network.
            security: payload[PROVISIONING_KEYS.wifiSecurityType] ?? 'NONE',
            hidden: payload[PROVISIONING_KEYS.wifiHidden] ?? false,
          },
    checksum: payload[PROVISIONING_KEYS.signatureChecksum],
    useMobileData: payload[PROVISIONING_KEYS.useMobileData] ?? false,
  };
}

/**
 * Zero Touch portal "DPC extras": the QR payload's DPC fields and token, without Wi-Fi (a Zero Touch
 * device is already online when it fetches its configuration). Pretty-printed: a person pastes it.
 */
export function exportForZeroTouch(token: string): string {
  const payload = buildProvisioningPayload({ token });
  return JSON.stringify(payload, null, 2);
}

/** Samsung Knox Mobile Enrollment "custom JSON": only the token, keyed as Android Device Policy reads it. */
export function exportForKnoxMobileEnrollment(token: string): string {
  checkOptions({ token });
  return JSON.stringify({ [EXTRA_ENROLLMENT_TOKEN]: token }, null, 2);
}
