import { z } from 'zod';
import {
  deliveriesSchema,
  deviceIdentitySchema,
  enrollmentModeSchema,
  enrollmentStageSchema,
  signInRejectionReasonSchema,
  tokenRejectionReasonSchema,
  upnSchema,
} from './enrollment';

/**
 * The device channel: JSON text frames over a WebSocket at /device. Every device request carries a
 * requestId that its reply echoes, so a device that resends after a dropped connection can match the
 * answer, and the backend can answer a repeated request without recording anything twice.
 */
const requestId = z.string().min(1).max(64);

export const redemptionMethodSchema = z.enum(['qr', 'manual', 'zeroTouch', 'knoxMobileEnrollment']);
export type RedemptionMethod = z.infer<typeof redemptionMethodSchema>;

export const helloMessageSchema = z.object({
  type: z.literal('hello'),
  requestId,
  device: deviceIdentitySchema,
});
export const redeemTokenMessageSchema = z.object({
  type: z.literal('redeemToken'),
  requestId,
  token: z.string().min(1).max(256),
  /**
   * How the token reached the device: scanned from the QR code, typed on the sign-in screen, or from
   * the zero-touch or Knox Mobile Enrollment configuration the device found on first boot.
   */
  method: redemptionMethodSchema,
});
/** The device finished a stage's enrollment-in-progress work and asks the backend to record it. */
export const completeStageMessageSchema = z.object({
  type: z.literal('completeStage'),
  requestId,
  stage: z.enum(['staged', 'adminProvisioned', 'enrolled']),
});
export const signInMessageSchema = z.object({ type: z.literal('signIn'), requestId, upn: upnSchema });
export const factoryResetMessageSchema = z.object({ type: z.literal('factoryReset'), requestId });

/**
 * The device tells the backend where its model is now, so the admin console can draw its screen and
 * count devices per state. Sent without a requestId and never answered: a lost report is replaced by
 * the next one. `values` holds what the screen's elements show that the model cannot know (typed
 * text, the error message, the device name), by element key.
 */
export const stateReportMessageSchema = z.object({
  type: z.literal('stateReport'),
  /** Who reports: the same identity as hello's (the console picks the screen's selectors by it). */
  device: deviceIdentitySchema,
  /** The model's state path, e.g. "setupWizard.signIn". */
  state: z.string().min(1).max(128),
  values: z.record(z.string().max(64), z.string().max(1024)),
});
export type StateReportMessage = z.infer<typeof stateReportMessageSchema>;

export const deviceMessageSchema = z.discriminatedUnion('type', [
  helloMessageSchema,
  redeemTokenMessageSchema,
  completeStageMessageSchema,
  signInMessageSchema,
  factoryResetMessageSchema,
]);
export type DeviceMessage = z.infer<typeof deviceMessageSchema>;
export type DeviceMessageType = DeviceMessage['type'];

/** What the backend knows of a device: enough for a device that reconnects to resume where it was. */
export const deviceRecordViewSchema = z.object({
  managedDeviceId: z.string(),
  deviceName: z.string(),
  stage: enrollmentStageSchema,
  userPrincipalName: z.string().nullable(),
  profileId: z.string().nullable(),
  enrollmentMode: enrollmentModeSchema.nullable(),
});
export type DeviceRecordView = z.infer<typeof deviceRecordViewSchema>;

export const helloAckSchema = z.object({
  type: z.literal('helloAck'),
  requestId,
  record: deviceRecordViewSchema.nullable(),
});
export const tokenAcceptedSchema = z.object({
  type: z.literal('tokenAccepted'),
  requestId,
  tokenType: z.enum(['deviceStaging', 'default']),
  enrollmentMode: z.enum(['corporateOwnedFullyManaged', 'corporateOwnedWorkProfile']),
  profileId: z.string(),
  profileName: z.string(),
});
export const tokenRejectedSchema = z.object({
  type: z.literal('tokenRejected'),
  requestId,
  reason: tokenRejectionReasonSchema,
});
export const stageRecordedSchema = z.object({
  type: z.literal('stageRecorded'),
  requestId,
  record: deviceRecordViewSchema,
  deliveries: deliveriesSchema,
});
export const signInAcceptedSchema = z.object({
  type: z.literal('signInAccepted'),
  requestId,
  upn: upnSchema,
});
export const signInRejectedSchema = z.object({
  type: z.literal('signInRejected'),
  requestId,
  reason: signInRejectionReasonSchema,
});
export const resetRecordedSchema = z.object({ type: z.literal('resetRecorded'), requestId });

/**
 * The backend relays a person's tap in the admin console: tap the element `key` of the current screen,
 * after typing `inputs` (element key -> text) into its fields. Not a reply; the device answers with its
 * next state report.
 */
/** The key a press uses for the power button, which is on the device rather than on its screen. */
export const POWER_BUTTON = 'powerButton';

export const pressCommandSchema = z.object({
  type: z.literal('press'),
  key: z.string().min(1).max(64),
  inputs: z.record(z.string().max(64), z.string().max(1024)).default({}),
});
export type PressCommand = z.infer<typeof pressCommandSchema>;

/** Error codes of the channel itself (not enrollment outcomes). */
export const channelErrorCodeSchema = z.enum([
  'invalidJson',
  'invalidMessage',
  'unknownType',
  'binaryNotSupported',
  'stageOutOfOrder',
  'notRegistered',
  'internalError',
]);
export type ChannelErrorCode = z.infer<typeof channelErrorCodeSchema>;
export const channelErrorSchema = z.object({
  type: z.literal('error'),
  requestId: requestId.nullable(),
  code: channelErrorCodeSchema,
  message: z.string(),
});

export const backendMessageSchema = z.discriminatedUnion('type', [
  helloAckSchema,
  tokenAcceptedSchema,
  tokenRejectedSchema,
  stageRecordedSchema,
  signInAcceptedSchema,
  signInRejectedSchema,
  resetRecordedSchema,
  channelErrorSchema,
]);
export type BackendMessage = z.infer<typeof backendMessageSchema>;
export type BackendMessageOf<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>;

/** Frames above this size close the connection that sent them (1009, message too big). */
export const MAX_FRAME_BYTES = 16 * 1024;
