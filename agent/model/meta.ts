import { z } from 'zod';
import type { EnrollmentStage } from '../protocol/enrollment';
import type { DeviceEventType } from './events';

/**
 * What every state of the device model says about itself. The harness checks each target against this,
 * the diagram labels states with it, and the Appium driver renders the screen it names.
 */
export const actorSchema = z.enum(['admin', 'vendor', 'user', 'nobody']);
export type Actor = z.infer<typeof actorSchema>;

/** The staging document's stages, named by token: "stage 2 of the staging token" is stagingStage2. */
export const modelStageSchema = z.enum([
  'unprovisioned',
  'stagingStage2',
  'stagingStage3',
  'defaultStage1',
  'defaultStage2',
  'enrolled',
]);
export type ModelStage = z.infer<typeof modelStageSchema>;

/**
 * Work the runtime around the model does when the device enters a state; it answers with outcome events.
 * The model itself stays pure (no invoke, no delays) so xstate/graph can walk it.
 */
export const effectSchema = z.enum([
  'checkConfiguration',
  'prepareDevice',
  'redeemToken',
  'recordStaged',
  'recordAdminProvisioned',
  'recordEnrolled',
  'checkAccount',
]);
export type Effect = z.infer<typeof effectSchema>;

export interface EffectWork {
  /** The work sends the enrollment service a request of its own (every effect but prepareDevice). */
  callsBackend: boolean;
  /** The stage the service's ledger records when the request succeeds (the sign-in check records none). */
  records: EnrollmentStage | null;
  /** The outcome event that says the work succeeded (the service did what was asked). */
  succeededWith: DeviceEventType;
}

/**
 * What each effect's work asks of the enrollment service. The device runtime, the fleet's latency
 * figures, the fault matrix and the walks that count what a device heard all read it from here.
 */
export const EFFECT_WORK = {
  // Looks for a zero-touch or KME configuration registered for the device (Google's or Samsung's
  // servers, not the enrollment service).
  checkConfiguration: { callsBackend: false, records: null, succeededWith: 'CONFIGURATION_FOUND' },
  // Joins the network and checks the device policy app on the device itself.
  prepareDevice: { callsBackend: false, records: null, succeededWith: 'DEVICE_READY' },
  // The service records the redeemed token as the admin's stage 1 for this device.
  redeemToken: { callsBackend: true, records: 'tokenCreated', succeededWith: 'TOKEN_ACCEPTED' },
  recordStaged: { callsBackend: true, records: 'staged', succeededWith: 'STAGE_RECORDED' },
  recordAdminProvisioned: {
    callsBackend: true,
    records: 'adminProvisioned',
    succeededWith: 'STAGE_RECORDED',
  },
  recordEnrolled: { callsBackend: true, records: 'enrolled', succeededWith: 'STAGE_RECORDED' },
  checkAccount: { callsBackend: true, records: null, succeededWith: 'SIGN_IN_ACCEPTED' },
} as const satisfies Record<Effect, EffectWork>;

/** A state with this effect (if any) exchanges a request with the enrollment service on entry. */
export function callsBackend(effect: Effect | undefined): boolean {
  return effect !== undefined && EFFECT_WORK[effect].callsBackend;
}

export const screenSchema = z.object({
  /** Stable id the harness, selectors and the Appium driver use (kebab-case). */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** The title a person sees on the device. */
  title: z.string().min(1),
});
export type Screen = z.infer<typeof screenSchema>;

export const stateMetaSchema = z
  .object({
    screen: screenSchema,
    stage: modelStageSchema,
    actor: actorSchema,
    userless: z.boolean(),
    /** The device is switched off: nothing is on screen. */
    poweredOff: z.boolean().default(false),
    /** An error screen (the harness expects an error reason here). */
    error: z.boolean().default(false),
    effect: effectSchema.optional(),
  })
  .strict();
export type StateMetaInput = z.input<typeof stateMetaSchema>;
export type StateMeta = z.infer<typeof stateMetaSchema>;
