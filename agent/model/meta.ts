import { z } from 'zod';

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
