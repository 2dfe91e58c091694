import { z } from 'zod';

/** Graph's enrollmentMode values; device staging exists only for the two corporate-owned modes. */
export const enrollmentModeSchema = z.enum([
  'corporateOwnedDedicatedDevice',
  'corporateOwnedFullyManaged',
  'corporateOwnedWorkProfile',
  'corporateOwnedAOSPUserlessDevice',
  'corporateOwnedAOSPUserAssociatedDevice',
]);
export type EnrollmentMode = z.infer<typeof enrollmentModeSchema>;

export const STAGING_MODES: readonly EnrollmentMode[] = [
  'corporateOwnedFullyManaged',
  'corporateOwnedWorkProfile',
];

/** Graph's enrollmentTokenType values. */
export const enrollmentTokenTypeSchema = z.enum([
  'default',
  'corporateOwnedDedicatedDeviceWithAzureADSharedMode',
  'deviceStaging',
]);
export type EnrollmentTokenType = z.infer<typeof enrollmentTokenTypeSchema>;

/**
 * The enrollment stage the backend records for a device. Graph has no such field; the simulator adds it.
 * Staging token:  tokenCreated -> staged (userless) -> enrolled (user affiliated).
 * Default token:  tokenCreated -> adminProvisioned (userless) -> enrolled.
 * factoryReset can follow any stage, and a reset device can be staged or provisioned again.
 */
export const enrollmentStageSchema = z.enum([
  'tokenCreated',
  'staged',
  'adminProvisioned',
  'enrolled',
  'factoryReset',
]);
export type EnrollmentStage = z.infer<typeof enrollmentStageSchema>;

/** Why the enrollment service refused a token; the device shows each one distinctly. */
export const tokenRejectionReasonSchema = z.enum([
  'unknown',
  'expired',
  'revoked',
  'replaced',
  'wrongTokenType',
  'modeNotAllowed',
  'androidTooOld',
  'manualEntryNotSupported',
  'rateLimited',
]);
export type TokenRejectionReason = z.infer<typeof tokenRejectionReasonSchema>;

/** accountNotFound: the account's domain is not one of the tenant's. */
export const signInRejectionReasonSchema = z.enum([
  'deviceNotStaged',
  'invalidUpn',
  'alreadyEnrolled',
  'accountNotFound',
]);
export type SignInRejectionReason = z.infer<typeof signInRejectionReasonSchema>;

/** The hardware facts a device reports about itself. */
export const deviceIdentitySchema = z.object({
  serialNumber: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9-]+$/, 'letters, digits and dashes'),
  manufacturer: z.string().min(1).max(64),
  model: z.string().min(1).max(64),
  /** Android release as Android numbers it ("13", "8.1"). */
  osVersion: z.string().regex(/^\d{1,2}(\.\d{1,2}){0,2}$/, 'an Android release such as "13" or "8.1"'),
});
export type DeviceIdentity = z.infer<typeof deviceIdentitySchema>;

/** Policies and apps that targeted the device when a stage completed. */
export const deliveriesSchema = z.object({
  policies: z.array(z.string()),
  apps: z.array(z.string()),
});
export type Deliveries = z.infer<typeof deliveriesSchema>;

export const upnSchema = z
  .string()
  .max(113)
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'a work or school account such as john@contoso.com');

export { androidMajor } from './androidVersions';
