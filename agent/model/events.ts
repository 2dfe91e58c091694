import { z } from 'zod';
import { signInRejectionReasonSchema, tokenRejectionReasonSchema, upnSchema } from '../protocol/enrollment';

/**
 * Every event the device model understands, as zod schemas so that scenario steps, Appium commands and
 * test-generation payloads are all checked against one definition.
 *
 * Three kinds, which the harness treats differently:
 * - action: something a person does at the device (tap, type, scan, power button);
 * - outcome: the answer of work the runtime did on entering a state (the enrollment service replied,
 *   the DPC installed); a test never sends these, it arranges the world so the runtime produces them;
 * - environment: something that happens to the device (power is cut).
 */
const e = <T extends string>(type: T) => z.object({ type: z.literal(type) });

/**
 * Why provisioning stopped on "Can't set up device". configurationInvalid and otherDpc come from a
 * zero-touch or Knox Mobile Enrollment configuration (agent/provisioning/deviceConfiguration.ts).
 */
export const setupFailureReasonSchema = z.enum([
  'checksumMismatch',
  'downloadFailed',
  'installFailed',
  'configurationInvalid',
  'otherDpc',
]);
export type SetupFailureReason = z.infer<typeof setupFailureReasonSchema>;

export const acceptedTokenTypeSchema = z.enum(['deviceStaging', 'default']);
export const acceptedModeSchema = z.enum(['corporateOwnedFullyManaged', 'corporateOwnedWorkProfile']);
/** Where a device found its configuration on first boot: Google's zero-touch service or Samsung's Knox cloud. */
export const configurationSourceSchema = z.enum(['zeroTouch', 'knoxMobileEnrollment']);
export type ConfigurationSource = z.infer<typeof configurationSourceSchema>;

export const actionEventSchemas = {
  POWER_ON: e('POWER_ON'),
  POWER_OFF: e('POWER_OFF'),
  START: e('START'),
  TAP_WELCOME: e('TAP_WELCOME'),
  SELECT_LANGUAGE: e('SELECT_LANGUAGE'),
  CONNECT_WIFI: e('CONNECT_WIFI'),
  SKIP_NETWORK: e('SKIP_NETWORK'),
  OPEN_QR_READER: e('OPEN_QR_READER'),
  OPEN_TOKEN_ENTRY: e('OPEN_TOKEN_ENTRY'),
  QR_SCANNED: e('QR_SCANNED'),
  QR_INVALID: e('QR_INVALID'),
  TOKEN_SUBMITTED: e('TOKEN_SUBMITTED'),
  CANCEL: e('CANCEL'),
  TRY_AGAIN: e('TRY_AGAIN'),
  OPEN_INTUNE_APP: e('OPEN_INTUNE_APP'),
  SIGN_IN: z.object({ type: z.literal('SIGN_IN'), upn: upnSchema }),
  CREATE_WORK_PROFILE: e('CREATE_WORK_PROFILE'),
  GRANT_PERMISSIONS: e('GRANT_PERMISSIONS'),
  ACCEPT_TERMS: e('ACCEPT_TERMS'),
  RESUME_ENROLLMENT: e('RESUME_ENROLLMENT'),
  FACTORY_RESET: e('FACTORY_RESET'),
} as const;

export const outcomeEventSchemas = {
  CONFIGURATION_FOUND: z.object({
    type: z.literal('CONFIGURATION_FOUND'),
    source: configurationSourceSchema,
  }),
  NO_CONFIGURATION: e('NO_CONFIGURATION'),
  DEVICE_READY: e('DEVICE_READY'),
  NETWORK_UNAVAILABLE: e('NETWORK_UNAVAILABLE'),
  SETUP_FAILED: z.object({ type: z.literal('SETUP_FAILED'), reason: setupFailureReasonSchema }),
  TOKEN_ACCEPTED: z.object({
    type: z.literal('TOKEN_ACCEPTED'),
    tokenType: acceptedTokenTypeSchema,
    mode: acceptedModeSchema,
  }),
  TOKEN_REJECTED: z.object({ type: z.literal('TOKEN_REJECTED'), reason: tokenRejectionReasonSchema }),
  STAGE_RECORDED: e('STAGE_RECORDED'),
  SIGN_IN_ACCEPTED: e('SIGN_IN_ACCEPTED'),
  SIGN_IN_REJECTED: z.object({ type: z.literal('SIGN_IN_REJECTED'), reason: signInRejectionReasonSchema }),
} as const;

export const environmentEventSchemas = {
  POWER_LOST: e('POWER_LOST'),
} as const;

const allSchemas = { ...actionEventSchemas, ...outcomeEventSchemas, ...environmentEventSchemas };
type AllSchemas = typeof allSchemas;

export type DeviceEvent = { [K in keyof AllSchemas]: z.infer<AllSchemas[K]> }[keyof AllSchemas];

/** Validates any event arriving from outside (a scenario file, an Appium command, a test path). */
export const deviceEventSchema = z.discriminatedUnion(
  'type',
  Object.values(allSchemas) as [AllSchemas[keyof AllSchemas], ...AllSchemas[keyof AllSchemas][]],
) as unknown as z.ZodType<DeviceEvent>;
export type DeviceEventType = DeviceEvent['type'];
export type DeviceEventOf<T extends DeviceEventType> = Extract<DeviceEvent, { type: T }>;

export type EventKind = 'action' | 'outcome' | 'environment';

export function eventKind(type: DeviceEventType): EventKind {
  if (type in outcomeEventSchemas) return 'outcome';
  if (type in environmentEventSchemas) return 'environment';
  return 'action';
}

export const deviceEventTypes = Object.keys(allSchemas) as DeviceEventType[];
