import { PNG } from 'pngjs';
import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import { findTransition, modelTransitions } from '../../../agent/model/transitions';
import type { DeviceEventType } from '../../../agent/model/events';
import {
  runReportSchema,
  type BackendView,
  type CaseResult,
  type Coverage,
  type Reporter,
  type RunReport,
  type StepResult,
} from '../report';

/**
 * Realistic run reports for the reporter tests: real model states, real transition ids and coverage
 * computed from the steps the way a producer would, a passed, a failed (with a real PNG screenshot and a
 * page source) and a skipped case.
 */

/** Text a device, a scenario author or an attacker could put in a report: markup, quotes, controls, ANSI. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'q' ]]> </pre></details>\u0000\u0007\u001b[31mred\u001b[0m\u000b\ud800 ☃`;

type StepSpec = {
  action: string;
  kind?: StepResult['kind'];
  /** The model event this step sent; expect steps send none and stay where they are. */
  event?: DeviceEventType;
  to?: string;
  backend?: Partial<BackendView> | null;
  fail?: string;
};

const TOKEN = 'tok-7f3a9c';

function backendView(patch: Partial<BackendView>): BackendView {
  return {
    stage: 'tokenCreated',
    deviceName: null,
    userPrincipalName: null,
    tokenId: TOKEN,
    policies: [],
    apps: [],
    ...patch,
  };
}

interface Walk {
  steps: StepResult[];
  states: Set<string>;
  transitions: Set<string>;
}

/** Builds the steps of one case from the model's initial state, collecting what it covered. */
function walk(specs: StepSpec[], device = 'pixel-7-01'): Walk {
  const states = new Set<string>(['outOfBox']);
  const transitions = new Set<string>();
  let state = 'outOfBox';
  let backend: BackendView | null = null;
  const steps = specs.map((spec, index): StepResult => {
    if (spec.event && spec.to) {
      const transition = findTransition(state, spec.event, spec.to);
      if (!transition) throw new Error(`fixture: no transition ${state} --${spec.event}--> ${spec.to}`);
      transitions.add(transition.id);
      state = spec.to;
      states.add(state);
    }
    if (spec.backend !== undefined)
      backend = spec.backend === null ? null : backendView({ ...backend, ...spec.backend });
    const meta = metaOfPath(state);
    return {
      index,
      action: spec.action,
      kind: spec.kind ?? 'action',
      device,
      state,
      screen: meta.poweredOff ? null : { id: meta.screen.id, title: meta.screen.title },
      stage: meta.stage,
      userless: meta.userless,
      backend,
      status: spec.fail ? 'failed' : 'passed',
      error: spec.fail ?? null,
      durationMs: 40 + ((index * 37) % 300),
    };
  });
  return { steps, states, transitions };
}

const stagingToEnrolled: StepSpec[] = [
  { action: 'vendor powers on the device', event: 'POWER_ON', to: 'setupWizard.welcome' },
  { action: 'vendor taps Start', event: 'START', to: 'setupWizard.language' },
  { action: 'vendor selects English (United States)', event: 'SELECT_LANGUAGE', to: 'setupWizard.network' },
  {
    action: 'vendor connects to Wi-Fi "Staging-Lab"',
    event: 'CONNECT_WIFI',
    to: 'setupWizard.checkingConfiguration',
  },
  {
    action: 'no zero-touch or Knox configuration for this device',
    kind: 'outcome',
    event: 'NO_CONFIGURATION',
    to: 'setupWizard.signIn',
  },
  { action: 'vendor opens the QR reader', event: 'OPEN_QR_READER', to: 'setupWizard.qrReader' },
  {
    action: 'vendor scans the staging token QR code',
    event: 'QR_SCANNED',
    to: 'setupWizard.preparingDevice',
    backend: {},
  },
  {
    action: 'device policy controller installed',
    kind: 'outcome',
    event: 'DEVICE_READY',
    to: 'setupWizard.checkingToken',
  },
  {
    action: 'enrollment service accepts the staging token',
    kind: 'outcome',
    event: 'TOKEN_ACCEPTED',
    to: 'stagingStage2.enrollmentInProgress',
    backend: { deviceName: 'CONTOSO-PX7-0001' },
  },
  {
    action: 'enrollment service records stage staged',
    kind: 'outcome',
    event: 'STAGE_RECORDED',
    to: 'stagingStage2.readyToPowerOff',
    backend: { stage: 'staged', policies: ['Wi-Fi: Contoso-Corp'], apps: ['Microsoft Intune'] },
  },
  { action: 'vendor turns the device off', event: 'POWER_OFF', to: 'stagingStage3.poweredOff' },
  { action: 'user powers on the device', event: 'POWER_ON', to: 'stagingStage3.home' },
  {
    action: 'user opens the Microsoft Intune app',
    event: 'OPEN_INTUNE_APP',
    to: 'stagingStage3.intuneSignIn',
  },
  { action: 'user signs in as megan@contoso.com', event: 'SIGN_IN', to: 'stagingStage3.checkingAccount' },
  {
    action: 'enrollment service accepts the account',
    kind: 'outcome',
    event: 'SIGN_IN_ACCEPTED',
    to: 'stagingStage3.enrollmentInProgress',
  },
];

function passedCase(): { result: CaseResult; walk: Walk } {
  const w = walk([
    ...stagingToEnrolled,
    {
      action: 'enrollment service records stage enrolled',
      kind: 'outcome',
      event: 'STAGE_RECORDED',
      to: 'enrolled.readyForWork',
      backend: {
        stage: 'enrolled',
        userPrincipalName: 'megan@contoso.com',
        policies: ['Wi-Fi: Contoso-Corp', 'Passcode: 6 digits'],
        apps: ['Microsoft Intune', 'Outlook'],
      },
    },
    { action: 'expect backend stage enrolled', kind: 'expect' },
  ]);
  return {
    walk: w,
    result: {
      id: 'path-01',
      title: 'Staging token: vendor stages, user enrolls (fully managed)',
      file: null,
      status: 'passed',
      durationMs: w.steps.reduce((sum, s) => sum + s.durationMs, 0),
      steps: w.steps,
      failure: null,
      artifacts: null,
    },
  };
}

export const FAILURE_MESSAGE =
  'Expected screen "enrollment-incomplete" (Finish enrolling your device), got "enrolled"';

const REPLAY = `# stagesim replay: model path 2, seed 1234
name: Power lost during stage 3 enrollment
seed: 1234
device: { serial: PX7-0002, android: "14" }
token: { type: deviceStaging, mode: corporateOwnedFullyManaged }
steps:
  - powerOn
  - tapOn: start
  - selectLanguage: en-US
  - connectWifi: Staging-Lab
  - openQrReader
  - scanQr: stagingToken
  - powerOff
  - powerOn
  - signIn: megan@contoso.com
  - cutPower
  - powerOn
  - assertScreen: enrollment-incomplete
`;

/** A small real PNG: a phone screen with a title bar, enough for an <img> to decode. */
export function screenshotPng(): string {
  const png = new PNG({ width: 90, height: 160 });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (png.width * y + x) << 2;
      const titleBar = y < 24;
      png.data[i] = titleBar ? 0 : 245;
      png.data[i + 1] = titleBar ? 120 : 245;
      png.data[i + 2] = titleBar ? 212 : 245;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png).toString('base64');
}

function failedCase(): { result: CaseResult; walk: Walk } {
  const w = walk([
    ...stagingToEnrolled,
    {
      action: 'power is cut while enrollment runs',
      kind: 'environment',
      event: 'POWER_LOST',
      to: 'stagingStage3.interrupted',
    },
    { action: 'user powers on the device', event: 'POWER_ON', to: 'stagingStage3.enrollmentIncomplete' },
    { action: 'expect screen enrollment-incomplete', kind: 'expect', fail: FAILURE_MESSAGE },
  ]);
  const failed = w.steps[w.steps.length - 1]!;
  return {
    walk: w,
    result: {
      id: 'path-02',
      title: 'Power lost during stage 3 enrollment',
      file: null,
      status: 'failed',
      durationMs: w.steps.reduce((sum, s) => sum + s.durationMs, 0),
      steps: w.steps,
      failure: { message: FAILURE_MESSAGE, stepIndex: failed.index, replay: REPLAY },
      artifacts: {
        screenshotPng: screenshotPng(),
        pageSource:
          '<hierarchy rotation="0">\n  <node class="android.widget.TextView" text="Microsoft Intune: sign in" resource-id="com.microsoft.intune:id/title"/>\n</hierarchy>',
      },
    },
  };
}

function skippedCase(): CaseResult {
  return {
    id: 'path-03',
    title: 'Default token: admin provisions, user sets up a work profile',
    file: null,
    status: 'skipped',
    durationMs: 0,
    steps: [],
    failure: null,
    artifacts: null,
  };
}

function coverageOf(walks: Walk[]): Coverage {
  const allStates = leafStateNodes().map(pathOfNode);
  const allTransitions = modelTransitions().map((t) => t.id);
  const states = new Set(walks.flatMap((w) => [...w.states]));
  const transitions = new Set(walks.flatMap((w) => [...w.transitions]));
  const coveredStates = allStates.filter((s) => states.has(s));
  const coveredTransitions = allTransitions.filter((t) => transitions.has(t));
  return {
    states: { covered: coveredStates.length, total: allStates.length },
    transitions: { covered: coveredTransitions.length, total: allTransitions.length },
    coveredStates,
    coveredTransitions,
    uncoveredStates: allStates.filter((s) => !states.has(s)),
    uncoveredTransitions: allTransitions.filter((t) => !transitions.has(t)),
  };
}

/** A `stagesim model` run on the headless target: one passed, one failed, one skipped path. */
export function modelRunReport(): RunReport {
  const passed = passedCase();
  const failed = failedCase();
  const cases = [passed.result, failed.result, skippedCase()];
  return runReportSchema.parse({
    kind: 'model',
    target: 'headless',
    startedAt: '2026-11-27T09:30:00.000Z',
    durationMs: cases.reduce((sum, c) => sum + c.durationMs, 0) + 212,
    seed: 1234,
    paths: cases.length,
    passed: 1,
    failed: 1,
    skipped: 1,
    coverage: coverageOf([passed.walk, failed.walk]),
    cases,
  });
}

/** The same run with HOSTILE text in every free-text field a reporter prints. */
export function hostileRunReport(): RunReport {
  const report = modelRunReport();
  report.target = `headless ${HOSTILE}`;
  for (const c of report.cases) {
    c.title = `${c.title} ${HOSTILE}`;
    c.file = `scenarios/${HOSTILE}.yaml`;
    for (const step of c.steps) {
      step.action = `${step.action} ${HOSTILE}`;
      if (step.backend) step.backend = { ...step.backend, deviceName: HOSTILE, policies: [HOSTILE] };
      if (step.error) step.error = `${step.error}\n${HOSTILE}`;
    }
    if (c.failure)
      c.failure = {
        ...c.failure,
        message: `${c.failure.message}\n${HOSTILE}`,
        replay: `${c.failure.replay}# ${HOSTILE}\n`,
      };
    if (c.artifacts) c.artifacts = { ...c.artifacts, pageSource: `${c.artifacts.pageSource}${HOSTILE}` };
  }
  if (report.coverage) report.coverage.uncoveredStates.push(HOSTILE);
  return runReportSchema.parse(report);
}

/** Plays a finished report through a reporter's hooks the way a run would. */
export function feedReport(reporter: Reporter, report: RunReport): void | Promise<void> {
  reporter.onBegin?.({ kind: report.kind, target: report.target, total: report.paths, seed: report.seed });
  for (const c of report.cases) {
    reporter.onCaseBegin?.({ id: c.id, title: c.title });
    for (const step of c.steps) reporter.onStepEnd?.(c.id, step);
    reporter.onCaseEnd?.(c);
  }
  return reporter.onEnd?.(report);
}
