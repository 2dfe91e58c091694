import { oneLine } from '../../agent/errors';
import type { DeviceView } from '../../agent/device/SimulatedDevice';
import type { CaseResult, Reporter, RunReport, StepResult } from '../reporters/report';
import type { Target, TargetDevice } from '../targets/target';
import { computeCoverage, type TakenTransition } from '../model-testing/coverage';
import { AdminCenter } from './adminCenter';
import { backendViewOf, deviceProblems, fieldProblems, reportProblems } from './checks';
import { ADMIN_CENTER_COMMANDS, BACKEND_COMMANDS } from './commands';
import { describeStep } from './describe';
import { runDeviceCommand, type DeviceCommand, type DeviceSurroundings } from './deviceSteps';
import { checksDevices } from './expectations';
import type { LoadedScenario, LoadedStep } from './loader';
import { scenarioId } from './scenarioFiles';
import type { EmbeddedTls } from '../backend/tls/serverTls';
import {
  EmbeddedBackends,
  externalBackend,
  type ScenarioBackend,
  type StartBackend,
} from './scenarioBackend';
import type { ScenarioStep } from './schema';
import { DeviceRecordReader, type DeviceBackendRecord } from '../world/DeviceRecordReader';
import { startBackend } from '../backend/server';
import { siblingEntry } from '../fleet/sourceEntry';
import { runShared, type ItemRunner } from '../threads/sharedRun';
import type { ScenarioWorkerInput } from './scenarioWorker';

/**
 * Runs scenarios on a target against a backend: an embedded backend that knows nothing at the start of
 * each scenario (new, or reset) unless one is given. Every step yields StepResults (one per device it
 * acted on) with the device's screen and stage and what the backend recorded; the first failing step
 * ends its scenario, with the device's screenshot and page source when the target has them.
 */
export interface ScenarioRunOptions {
  target: Target;
  reporter?: Reporter;
  /** A backend somebody else runs (stagesim run --backend URL); scenarios then share it. */
  backendUrl?: string;
  adminKey?: string;
  /** Stop after the first failing scenario; the rest are reported as skipped. */
  bail?: boolean;
  /** How embedded backends are started (tests use it to fault-inject). */
  startBackend?: StartBackend;
  /** TLS the embedded backends serve (stagesim run --tls), their CA trusted by the devices and the admin. */
  tls?: EmbeddedTls;
  /** A step that takes longer than this fails (a device waiting on a backend that never answers). */
  stepTimeoutMs?: number;
  /** Receives the transitions each device really took (from its history), for model coverage. */
  onTaken?: (taken: TakenTransition[]) => void;
  /**
   * Told the admin console of the embedded backend at the start of each scenario (new, or reset for it),
   * and again when a scenario restarts it.
   */
  onBackendStarted?: (consoleUrl: string) => void;
  /**
   * Where scenarios on this thread borrow their embedded backend, reset between them; without it each
   * scenario starts (and closes) one of its own. runScenarios makes one per thread.
   */
  backends?: EmbeddedBackends;
  /**
   * Threads that run the scenarios, this one included (1 by default). The other threads run the
   * headless target of their own, with embedded backends: with more than 1, `target` must be the
   * headless one, and there is no `backendUrl` or `startBackend`.
   */
  workers?: number;
}

const DEFAULT_STEP_TIMEOUT_MS = 30_000;

interface DeviceSlot {
  device: TargetDevice;
  surroundings: DeviceSurroundings;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly stepIndex: number,
    readonly serial: string | null,
  ) {
    super(message);
  }
}

const ADMIN_CENTER: ReadonlySet<string> = new Set(ADMIN_CENTER_COMMANDS);
const BACKEND: ReadonlySet<string> = new Set(BACKEND_COMMANDS);

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one scenario; never throws for a failing step (that is a failed case). */
export async function runScenario(loaded: LoadedScenario, options: ScenarioRunOptions): Promise<CaseResult> {
  const { target } = options;
  const reporter = options.reporter ?? {};
  const stepTimeout = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const { scenario, file } = loaded;
  const id = scenarioId(file);
  const started = Date.now();
  const results: StepResult[] = [];
  const slots = new Map<string, DeviceSlot>();
  let backend: ScenarioBackend | null = null;
  // A scenario run on its own (no `backends` given) lends itself one and closes it when done.
  let ownBackends: EmbeddedBackends | null = null;

  const record = (result: Omit<StepResult, 'index'>): StepResult => {
    const step = { index: results.length, ...result };
    results.push(step);
    reporter.onStepEnd?.(id, step);
    return step;
  };

  const deviceResult = (
    action: string,
    kind: StepResult['kind'],
    serial: string,
    view: DeviceView | null,
    backendRecord: DeviceBackendRecord | null,
    problems: string[],
    since: number,
  ) =>
    record({
      action,
      kind,
      device: serial,
      state: view?.state ?? null,
      screen: view ? { id: view.screen.id, title: view.screen.title } : null,
      stage: view?.stage ?? null,
      userless: view?.userless ?? null,
      backend: backendRecord ? backendViewOf(backendRecord) : null,
      status: problems.length === 0 ? 'passed' : 'failed',
      error: problems.length === 0 ? null : problems.join('; '),
      durationMs: Date.now() - since,
    });

  /** A step no device takes part in: the admin center, the environment, a check of the backend alone. */
  const backendResult = (action: string, kind: StepResult['kind'], problems: string[], since: number) =>
    record({
      action,
      kind,
      device: null,
      state: null,
      screen: null,
      stage: null,
      userless: null,
      backend: null,
      status: problems.length === 0 ? 'passed' : 'failed',
      error: problems.length === 0 ? null : problems.join('; '),
      durationMs: Date.now() - since,
    });

  const fail = (step: LoadedStep, serial: string | null, problems: string[]): never => {
    const where = `${file}${step.line === null ? '' : `:${step.line}`}`;
    throw new StepFailure(
      `${where}: ${describeStep(step.step)}${serial ? ` [${serial}]` : ''}: ${problems.join('; ')}`,
      results.length - 1,
      serial,
    );
  };

  /** The devices a step acts on: the one it names, or all of them in scenario order. */
  const scope = (named: string | undefined): Array<[string, DeviceSlot]> =>
    named === undefined ? [...slots] : [[named, slots.get(named)!]];

  const runStep = async (
    loadedStep: LoadedStep,
    admin: AdminCenter,
    current: ScenarioBackend,
    records: DeviceRecordReader,
  ) => {
    const { step } = loadedStep;
    const action = describeStep(step);
    const since = Date.now();

    if (step.role === 'expect') {
      const expectation = step.expect;
      if (checksDevices(expectation)) {
        for (const [serial, slot] of scope(expectation.device)) {
          let view: DeviceView | null = null;
          let backendRecord: DeviceBackendRecord | null = null;
          let problems: string[];
          try {
            view = await slot.device.view();
            backendRecord = await records.read(serial);
            problems = deviceProblems(expectation, view, backendRecord);
          } catch (error) {
            problems = [`could not check: ${oneLine(error)}`];
          }
          deviceResult(action, 'expect', serial, view, backendRecord, problems, since);
          if (problems.length > 0) fail(loadedStep, serial, problems);
        }
      }
      if (expectation.enrollmentProfile !== undefined) {
        const check = expectation.enrollmentProfile;
        const problems = await admin
          .profileEntity(check.profile)
          .then((entity) =>
            fieldProblems(`profile "${check.profile ?? String(entity.displayName)}"`, entity, check.fields),
          )
          .catch((error: unknown) => [`could not read the profile: ${oneLine(error)}`]);
        backendResult(
          describeStep({ ...step, expect: { enrollmentProfile: check } }),
          'expect',
          problems,
          since,
        );
        if (problems.length > 0) fail(loadedStep, null, problems);
      }
      if (expectation.managedDevices !== undefined) {
        const problems = await reportProblems(expectation, current.admin).catch((error: unknown) => [
          `could not read the report: ${oneLine(error)}`,
        ]);
        backendResult(
          describeStep({ ...step, expect: { managedDevices: expectation.managedDevices } }),
          'expect',
          problems,
          since,
        );
        if (problems.length > 0) fail(loadedStep, null, problems);
      }
      return;
    }

    if (ADMIN_CENTER.has(step.command) || BACKEND.has(step.command)) {
      const kind: StepResult['kind'] = ADMIN_CENTER.has(step.command) ? 'admin' : 'environment';
      let problems: string[] = [];
      try {
        await withTimeout(runBackendStep(step, admin, current), stepTimeout, action);
      } catch (error) {
        problems = [oneLine(error)];
      }
      backendResult(action, kind, problems, since);
      if (problems.length > 0) fail(loadedStep, null, problems);
      return;
    }

    const command = step as DeviceCommand & { device?: string };
    const kind: StepResult['kind'] = step.role === 'environment' ? 'environment' : 'action';
    for (const [serial, slot] of scope(command.device)) {
      const deviceSince = Date.now();
      let problems: string[] = [];
      try {
        await withTimeout(
          runDeviceCommand(command, slot.device, admin, slot.surroundings),
          stepTimeout,
          action,
        );
      } catch (error) {
        problems = [oneLine(error)];
      }
      const view = await slot.device.view().catch(() => null);
      const backendRecord = await records.read(serial).catch(() => null);
      deviceResult(action, kind, serial, view, backendRecord, problems, deviceSince);
      if (problems.length > 0) fail(loadedStep, serial, problems);
    }
  };

  try {
    const persistent = loaded.steps.some(({ step }) => step.command === 'restartBackend');
    const start: StartBackend = async (backendOptions) => {
      const started = await (options.startBackend ?? startBackend)(backendOptions);
      options.onBackendStarted?.(started.consoleUrl);
      return started;
    };
    if (options.backendUrl) backend = externalBackend(options.backendUrl, options.adminKey);
    else {
      const backends = options.backends ?? (ownBackends = new EmbeddedBackends(options.tls));
      backend = await backends.lend(persistent, start, options.onBackendStarted);
    }
    const admin = new AdminCenter(backend.admin);
    for (const device of scenario.devices) {
      const created = await target.createDevice(
        {
          serialNumber: device.serial,
          manufacturer: device.manufacturer,
          model: device.model,
          osVersion: device.androidVersion,
          wifiInRange: device.wifi,
          cellular: device.cellular,
        },
        backend.url,
        backend.ca,
      );
      slots.set(device.serial, {
        device: created,
        surroundings: { wifiInRange: device.wifi, cellular: device.cellular },
      });
    }
    const records = new DeviceRecordReader(backend.admin, backend.devicesRevision);
    for (const step of loaded.steps) await runStep(step, admin, backend, records);
    return caseResult('passed', null, null);
  } catch (error) {
    const failure = error instanceof StepFailure ? error : null;
    const message = failure ? failure.message : `${file}: ${oneLine(error)}`;
    const slot = (failure?.serial ? slots.get(failure.serial) : undefined) ?? [...slots.values()][0];
    const artifacts = slot ? await slot.device.artifacts().catch(() => null) : null;
    return caseResult(
      'failed',
      { message, stepIndex: failure ? failure.stepIndex : null, replay: null },
      artifacts
        ? {
            screenshotPng: artifacts.screenshotPng ? artifacts.screenshotPng.toString('base64') : null,
            pageSource: artifacts.pageSource,
          }
        : null,
    );
  } finally {
    if (options.onTaken) for (const slot of slots.values()) options.onTaken(await takenBy(slot.device));
    await Promise.all([...slots.values()].map((slot) => slot.device.close().catch(() => undefined)));
    await backend?.close().catch(() => undefined);
    await ownBackends?.close().catch(() => undefined);
  }

  function caseResult(
    status: CaseResult['status'],
    failure: CaseResult['failure'],
    artifacts: CaseResult['artifacts'],
  ): CaseResult {
    return {
      id,
      title: scenario.name,
      file,
      status,
      durationMs: Date.now() - started,
      steps: results,
      failure,
      artifacts,
    };
  }
}

/** The model transitions a device went through, where its target keeps a history. */
async function takenBy(device: TargetDevice): Promise<TakenTransition[]> {
  if (!device.history) return [];
  const taken: TakenTransition[] = [];
  let from = 'outOfBox';
  for (const entry of await device.history(0).catch(() => [])) {
    taken.push({ from, event: entry.event, to: entry.state });
    from = entry.state;
  }
  return taken;
}

async function runBackendStep(
  step: ScenarioStep,
  admin: AdminCenter,
  backend: ScenarioBackend,
): Promise<void> {
  switch (step.command) {
    case 'advanceClock':
      return backend.admin.advanceClock(step.by);
    case 'setClock':
      return backend.setClock(Date.parse(step.to));
    case 'restartBackend':
      return backend.restart();
    default:
      if (step.role === 'admin') return admin.run(step as Parameters<AdminCenter['run']>[0]);
      throw new Error(`${step.command} is not a backend step`);
  }
}

/** One scenario's run as another thread hands it back: its result and what happened, in order. */
export interface RecordedScenario {
  result: CaseResult;
  /** A step reported (an index into result.steps), or a backend started. */
  events: Array<{ step: number } | { consoleUrl: string }>;
  taken: TakenTransition[];
}

/** Runs scenarios on this thread, recording what a reporter would be told, to be told in order later. */
export function recordingRunner(
  scenarios: readonly LoadedScenario[],
  options: Omit<ScenarioRunOptions, 'reporter' | 'onTaken' | 'onBackendStarted' | 'backends'>,
): ItemRunner<RecordedScenario> {
  const backends = new EmbeddedBackends(options.tls);
  return {
    async run(index) {
      const events: RecordedScenario['events'] = [];
      const taken: TakenTransition[] = [];
      const result = await runScenario(scenarios[index]!, {
        ...options,
        backends,
        reporter: { onStepEnd: (_id, step) => events.push({ step: step.index }) },
        onBackendStarted: (consoleUrl) => events.push({ consoleUrl }),
        onTaken: (more) => taken.push(...more),
      });
      return { result, events, taken };
    },
    close: () => backends.close(),
  };
}

/**
 * Runs scenarios one after the other, or spread over `workers` threads, and reports them in the order
 * given (the same reports and output either way); the report says how many passed.
 */
export async function runScenarios(
  scenarios: readonly LoadedScenario[],
  options: ScenarioRunOptions,
): Promise<RunReport> {
  const reporter = options.reporter ?? {};
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  reporter.onBegin?.({ kind: 'scenarios', target: options.target.name, total: scenarios.length, seed: null });
  const cases: CaseResult[] = [];
  const taken: TakenTransition[] = [];
  const skip = (loaded: LoadedScenario) => {
    const result: CaseResult = {
      id: scenarioId(loaded.file),
      title: loaded.scenario.name,
      file: loaded.file,
      status: 'skipped',
      durationMs: 0,
      steps: [],
      failure: null,
      artifacts: null,
    };
    cases.push(result);
    reporter.onCaseEnd?.(result);
  };
  const workers = options.workers ?? 1;
  if (workers > 1) {
    if (options.backendUrl || options.startBackend)
      throw new Error(
        'runScenarios: workers > 1 start their own backends; backendUrl and startBackend need workers 1',
      );
    const input: ScenarioWorkerInput = {
      scenarios: [...scenarios],
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: options.stepTimeoutMs }),
    };
    const { reporter: _reporter, onTaken: _onTaken, onBackendStarted: _onBackend, ...rest } = options;
    const ran = await runShared({
      items: scenarios.length,
      threads: workers,
      entry: siblingEntry(__filename, 'scenarioWorker'),
      input,
      here: recordingRunner(scenarios, rest),
      inOrder: (index, recorded) => {
        const { result } = recorded;
        reporter.onCaseBegin?.({
          id: scenarioId(scenarios[index]!.file),
          title: scenarios[index]!.scenario.name,
        });
        for (const event of recorded.events) {
          if ('step' in event) reporter.onStepEnd?.(result.id, result.steps[event.step]!);
          else options.onBackendStarted?.(event.consoleUrl);
        }
        taken.push(...recorded.taken);
        cases.push(result);
        reporter.onCaseEnd?.(result);
      },
      last: (recorded) => options.bail === true && recorded.result.status === 'failed',
    });
    scenarios.slice(ran).forEach(skip);
  } else {
    let bailed = false;
    const backends = new EmbeddedBackends(options.tls);
    try {
      for (const loaded of scenarios) {
        if (bailed) {
          skip(loaded);
          continue;
        }
        reporter.onCaseBegin?.({ id: scenarioId(loaded.file), title: loaded.scenario.name });
        const result = await runScenario(loaded, {
          ...options,
          backends,
          onTaken: (more) => taken.push(...more),
        });
        if (result.status === 'failed' && options.bail) bailed = true;
        cases.push(result);
        reporter.onCaseEnd?.(result);
      }
    } finally {
      await backends.close();
    }
  }
  const count = (status: CaseResult['status']) => cases.filter((result) => result.status === status).length;
  const report: RunReport = {
    kind: 'scenarios',
    target: options.target.name,
    startedAt,
    durationMs: Date.now() - started,
    seed: null,
    paths: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    // How much of the device model the scenarios exercised (informational: scenarios are not meant to cover it all).
    coverage: taken.length > 0 ? computeCoverage(taken) : null,
    cases,
  };
  await reporter.onEnd?.(report);
  return report;
}
