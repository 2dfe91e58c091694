import { z } from 'zod';

/**
 * The result of a run (`stagesim model` or `stagesim run`), the one shape every reporter reads.
 * The JSON reporter writes it as is, so tools can rely on this schema.
 */
export const backendViewSchema = z.object({
  stage: z.string().nullable(),
  deviceName: z.string().nullable(),
  userPrincipalName: z.string().nullable(),
  tokenId: z.string().nullable(),
  policies: z.array(z.string()),
  apps: z.array(z.string()),
});
export type BackendView = z.infer<typeof backendViewSchema>;

export const stepResultSchema = z.object({
  index: z.number().int(),
  /** What was done, for people: "vendor taps Start", "admin revokes the token", "expect stage staged". */
  action: z.string(),
  kind: z.enum(['action', 'outcome', 'environment', 'admin', 'expect']),
  /** The device this step acted on (scenarios may drive several). */
  device: z.string().nullable(),
  /** The model state after the step, e.g. "stagingStage3.intuneSignIn". */
  state: z.string().nullable(),
  screen: z.object({ id: z.string(), title: z.string() }).nullable(),
  stage: z.string().nullable(),
  userless: z.boolean().nullable(),
  backend: backendViewSchema.nullable(),
  status: z.enum(['passed', 'failed', 'skipped']),
  error: z.string().nullable(),
  durationMs: z.number(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const artifactsSchema = z.object({
  /** Base64 PNG of the device screen when the case failed. */
  screenshotPng: z.string().nullable(),
  pageSource: z.string().nullable(),
});

export const caseResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** The scenario file, for scenario runs. */
  file: z.string().nullable(),
  status: z.enum(['passed', 'failed', 'skipped']),
  durationMs: z.number(),
  steps: z.array(stepResultSchema),
  failure: z
    .object({
      message: z.string(),
      stepIndex: z.number().int().nullable(),
      /** A replayable scenario (YAML) reproducing the failure, with the seed. */
      replay: z.string().nullable(),
    })
    .nullable(),
  artifacts: artifactsSchema.nullable(),
});
export type CaseResult = z.infer<typeof caseResultSchema>;

const countSchema = z.object({ covered: z.number().int(), total: z.number().int() });

export const coverageSchema = z.object({
  states: countSchema,
  transitions: countSchema,
  /** Ids of the model's leaf states and transitions (agent/model/transitions.ts) that were exercised. */
  coveredStates: z.array(z.string()),
  coveredTransitions: z.array(z.string()),
  uncoveredStates: z.array(z.string()),
  uncoveredTransitions: z.array(z.string()),
});
export type Coverage = z.infer<typeof coverageSchema>;

export const runReportSchema = z.object({
  kind: z.enum(['model', 'scenarios']),
  target: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  seed: z.number().int().nullable(),
  /** Number of cases: generated paths for `model`, scenarios for `run`. */
  paths: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  coverage: coverageSchema.nullable(),
  cases: z.array(caseResultSchema),
});
export type RunReport = z.infer<typeof runReportSchema>;

export interface RunInfo {
  kind: RunReport['kind'];
  target: string;
  total: number;
  seed: number | null;
}

/**
 * One reporter per file behind this interface of optional hooks (the Playwright pattern). A reporter's
 * exception is contained by the multiplexer and never fails the run.
 */
export interface Reporter {
  onBegin?(info: RunInfo): void;
  onCaseBegin?(testCase: { id: string; title: string }): void;
  onStepEnd?(caseId: string, step: StepResult): void;
  onCaseEnd?(result: CaseResult): void;
  onEnd?(report: RunReport): void | Promise<void>;
}
