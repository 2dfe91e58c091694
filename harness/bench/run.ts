import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs as parseNodeArgs } from 'node:util';
import { z } from 'zod';
import { StagesimError } from '../../agent/errors';
import { projectRoot } from '../../agent/projectRoot';
import { fleetSummarySchema, type FleetSummary } from '../fleet/summary';
import { resolveReportPath, writeReportFile } from '../reporters/outputPath';
import { runReportSchema } from '../reporters/report';
import { runAdminApiBench, type LoadResult } from './adminApi';
import { runBackendAlone, type BackendAlone } from './backendAlone';
import { runBackendCeiling, type CeilingRun } from './backendCeiling';
import { runStagesim } from './cliProcess';
import {
  devicesSideFloor,
  runDevicesSideLayers,
  type DevicesSideFloor,
  type DevicesSideLayers,
  type Layer,
} from './devicesSideLayers';
import { describeMachine, machine } from './machine';
import { runModelSuiteInNewProcess, type ModelSuiteRun } from './modelSuite';
import { runQrDecodeBench } from './qrDecode';
import { QR_TARGET } from './qrDecode.bench';
import { repeated, type Repeated } from './repeated';
import { runWsBaseline, type BaselineResult } from './wsBaseline';

/**
 * `npm run bench`: every figure of the performance section in one run on one machine, and a verdict for
 * every target. Never part of `npm test` (jest asserts no timings); this measures and judges.
 *
 *   npm run bench [-- --devices 10000] [-- --large 100000] [-- --stage2 1000000] [-- --ceiling 20000] [-- --json FILE]
 *   npm run bench -- --only model --only scenarios    (only those parts, and only their verdicts)
 *   npm run bench -- --repeat 5    (the model suite and the headless library timed 5 times each, median judged)
 *
 * --json FILE writes one JSON object with every figure, every verdict, the command, the date, the
 * machine and its load (the same path rules as the report files: any path, folders created, written
 * whole), so CI can keep the history. Exit 0 when every target is met, 1 when one is not, 2 for bad
 * arguments (one line).
 */
/**
 * The parts of a run, each with its own targets: the fleet (with the raw baseline and the --large,
 * --stage2 and --ceiling runs), the model suite, QR decoding, the admin API, the scenario library
 * headless and through Appium.
 */
export const BENCH_PARTS = ['fleet', 'model', 'qr', 'admin', 'scenarios', 'appium'] as const;
type BenchPart = (typeof BENCH_PARTS)[number];

/** A whole-number flag from `min` (to `max`), refused with one message whatever is wrong with it. */
function wholeNumberFlag(message: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

const argsSchema = z.object({
  devices: wholeNumberFlag('--devices expects a whole number of at least 100', 100)
    .default(10_000)
    .describe('devices in the fleet'),
  large: wholeNumberFlag('--large expects a whole number', 0)
    .default(100_000)
    .describe(
      'devices of the large fleet, compared per device with --devices on a database file (0 skips it)',
    ),
  stage2: wholeNumberFlag('--stage2 expects a whole number up to 1000000', 0, 1_000_000)
    .default(0)
    .describe('also this many devices through stage 2 on a database file, in one run (0: not run)'),
  ceiling: wholeNumberFlag('--ceiling expects a whole number', 0)
    .default(0)
    .describe('devices of the backend-ceiling runs, 1 then 2 fleet processes on one backend (0: not run)'),
  repeat: wholeNumberFlag('--repeat expects a whole number from 1 to 9', 1, 9)
    .default(3)
    .describe(
      'times the model suite and the headless library are each timed, each in a new process; the median is judged',
    ),
  json: z.string().optional().describe('write every figure and verdict to FILE as one JSON object'),
  only: z
    .array(
      z.enum(BENCH_PARTS, {
        error: (issue) =>
          `--only expects one of ${BENCH_PARTS.join(', ')}, got ${JSON.stringify(issue.input)}`,
      }),
    )
    .optional()
    .describe(`run only this part (${BENCH_PARTS.join(', ')}; repeat for more)`),
});
type BenchArgs = z.infer<typeof argsSchema>;

/** Bad arguments: printed as one line, exit 2. */
export class BenchUsageError extends Error {}

/** Asked for with --help; printed, exit 0. */
export class BenchHelp extends Error {}

/** The usage text, from the schema's descriptions and defaults. */
export function benchUsage(): string {
  const lines = Object.entries(argsSchema.shape).map(([name, schema]) => {
    const fallback = schema.safeParse(undefined).data;
    const value = name === 'only' ? 'PART' : typeof fallback === 'number' ? 'N' : 'FILE';
    return (
      `  --${name} ${value}`.padEnd(18) +
      schema.description +
      (fallback === undefined ? '' : ` (default ${fallback})`)
    );
  });
  return ['Usage: npm run bench [-- options]', '', ...lines, `${'  --help'.padEnd(18)}this text`, ''].join(
    '\n',
  );
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseNodeArgs({
      args: argv,
      options: {
        devices: { type: 'string' },
        large: { type: 'string' },
        stage2: { type: 'string' },
        ceiling: { type: 'string' },
        repeat: { type: 'string' },
        json: { type: 'string' },
        only: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message.split('\n')[0]);
  }
  if (values.help) throw new BenchHelp(benchUsage());
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new BenchUsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** The issue's reference for the raw limit on this machine: 8 round trips of 200 bytes, 200 at a time. */
const REFERENCE = { roundTrips: 8, messageBytes: 200, concurrency: 200 };
/**
 * Devices of each layer of section 2a, at most: a round of one layer takes a few seconds at 10,000 and
 * the section runs twelve, so a larger --devices is not passed on to it.
 */
const LAYER_DEVICES_MAX = 10_000;
const LAYER_ROUNDS = 3;
/** The targets every run is judged against (the README's performance section names them too). */
export const TARGETS = {
  fleetWallMs: 5_000,
  ratio: 0.7,
  /** The large fleet's rate over the first fleet's, both on a database file. */
  largeRate: 0.95,
  backendPeakRssMb: 300,
  modelSuiteMs: 2_000,
  /** The shipped scenario library on the headless target, `stagesim run scenarios` start to exit. */
  headlessLibraryMs: 1_500,
  /** The camera (decodeCameraFrame) reads every 1280x720 frame of qrDecode.bench, median wall time (QR_TARGET). */
  qrDecodeMs: QR_TARGET.medianMs,
  /** The scenario library through Appium, one session, as `stagesim run --target appium` runs it. */
  appiumLibraryMs: 120_000,
};

export interface Verdict {
  target: string;
  figure: string;
  met: boolean;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const timesEach = (times: number) => (times === 1 ? 'once' : `${times} times`);
/** A repeated measurement passes only if none of its runs failed a path or scenario. */
const failedIn = (measured: Repeated<{ wallMs: number; failed: number }>) =>
  Math.max(...measured.runs.map((run) => run.failed));
const medianFigure = (measured: Repeated<{ wallMs: number }>) =>
  measured.runs.length === 1
    ? `${fixed(measured.median.wallMs / 1000, 2)} s`
    : `${fixed(measured.median.wallMs / 1000, 2)} s (median of ${measured.runs.map((run) => fixed(run.wallMs / 1000, 2)).join(', ')})`;

async function fleet(devices: number, ...more: string[]): Promise<FleetSummary> {
  const run = await runStagesim(['fleet', '--devices', String(devices), '--json', ...more]);
  if (run.stdout.trim() === '')
    throw new Error(`stagesim fleet printed nothing (exit ${run.code}): ${run.stderr.trim()}`);
  return fleetSummarySchema.parse(JSON.parse(run.stdout));
}

function jsonPath(file: string): string {
  try {
    return resolveReportPath(file);
  } catch (error) {
    if (error instanceof StagesimError && error.code === 'REPORT_PATH_INVALID')
      throw new BenchUsageError(`--json: ${error.message}`);
    throw error;
  }
}

interface LibraryRun {
  target: 'headless' | 'appium';
  wallMs: number;
  scenarios: number;
  passed: number;
  failed: number;
}

/** `stagesim run scenarios` as a user runs it, timed from start to exit, its JSON report read back. */
async function scenarioLibrary(target: 'headless' | 'appium'): Promise<LibraryRun> {
  const folder = mkdtempSync(join(tmpdir(), 'stagesim-bench-'));
  try {
    const report = join(folder, 'run.json');
    const started = performance.now();
    const run = await runStagesim([
      'run',
      join(projectRoot(), 'scenarios'),
      '--target',
      target,
      '--json',
      report,
    ]);
    const wallMs = performance.now() - started;
    if (run.code !== 0 && run.code !== 1)
      throw new Error(`stagesim run --target ${target} exited ${run.code}: ${run.stderr.trim()}`);
    const parsed = runReportSchema.parse(JSON.parse(readFileSync(report, 'utf8')));
    return { target, wallMs, scenarios: parsed.paths, passed: parsed.passed, failed: parsed.failed };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

interface FleetPart {
  summary: FleetSummary;
  before: BaselineResult;
  after: BaselineResult;
  baselineRate: number;
  ratio: number;
  rawCpu: number;
  fleetCpu: number;
  reference: BaselineResult;
  layers: DevicesSideLayers;
  floor: DevicesSideFloor;
  backendAlone: BackendAlone;
  onDisk: FleetSummary | null;
  large: FleetSummary | null;
  stage2: FleetSummary | null;
  ceiling: CeilingRun[] | null;
}

/**
 * Section 1 to 2d: the fleet, the raw ws baseline around it, the devices' side in layers, and the runs
 * that compare sizes.
 */
async function fleetPart(args: BenchArgs): Promise<FleetPart> {
  // The raw limit is measured right before and right after the fleet, with the fleet's own traffic
  // shape, and averaged: on a shared machine the load drifts, and the ratio should not ride on it.
  out(
    `\n1. fleet: ${args.devices} devices through every stage (stagesim fleet, embedded backend in its own process)`,
  );
  const probe = await fleet(Math.min(200, args.devices));
  const shape = {
    devices: args.devices,
    roundTrips: Math.max(1, Math.round(probe.channel.messagesPerDevice / 2)),
    messageBytes: Math.max(1, Math.round(probe.channel.bytesPerMessage)),
    concurrency: probe.concurrency,
  };
  const before: BaselineResult = await runWsBaseline(shape);
  const summary = await fleet(args.devices);
  const after: BaselineResult = await runWsBaseline(shape);
  const channel = summary.channel;
  out(
    `   ${summary.succeeded} enrolled, ${summary.failed} failed${summary.failed ? ` ${JSON.stringify(summary.failures)}` : ''} in ${fixed(summary.wallMs / 1000, 2)} s: ${fixed(summary.devicesPerSecond)} devices/s`,
  );
  out(
    `   latency of stage transitions p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms, p99 ${summary.latencyMs.p99} ms`,
  );
  out(
    `   peak memory: fleet ${summary.peakRssMb} MB, backend ${summary.backendPeakRssMb} MB; CPU per device: fleet ${summary.cpuMsPerDevice.fleet} ms, backend ${summary.cpuMsPerDevice.backend} ms`,
  );
  out(
    `   channel: ${channel.messagesPerDevice} messages per device, ${channel.bytesPerMessage} bytes per message on average, ${summary.concurrency} devices at a time`,
  );

  out(
    `\n2. raw limit: plain ws echo server in its own process, ${args.devices} connections, ${shape.roundTrips} round trips of ${shape.messageBytes} bytes each, ${shape.concurrency} at a time (right before and after the fleet)`,
  );
  const baselineRate = (before.devicesPerSecond + after.devicesPerSecond) / 2;
  const ratio = summary.devicesPerSecond / baselineRate;
  out(
    `   ${fixed(before.devicesPerSecond)} and ${fixed(after.devicesPerSecond)} devices/s, mean ${fixed(baselineRate)}; fleet/baseline = ${fixed(ratio, 2)}`,
  );
  // The same comparison by CPU time, which other work on the machine bends much less than wall time.
  const rawCpu =
    (before.cpuMsPerDevice.client +
      before.cpuMsPerDevice.server +
      after.cpuMsPerDevice.client +
      after.cpuMsPerDevice.server) /
    2;
  const fleetCpu = summary.cpuMsPerDevice.fleet + (summary.cpuMsPerDevice.backend ?? 0);
  out(
    `   CPU per device: raw ${fixed(rawCpu, 3)} ms (clients and echo server), fleet ${fixed(fleetCpu, 3)} ms (devices and backend); raw/fleet = ${fixed(rawCpu / fleetCpu, 2)}`,
  );
  const reference = await runWsBaseline({ devices: args.devices, ...REFERENCE });
  out(
    `   the issue's reference (8 round trips of 200 bytes, 200 at a time): ${fixed(reference.devicesPerSecond)} devices/s`,
  );
  const { layers, floor, backendAlone } = await devicesSideInLayers(args, summary, rawCpu);

  // Cost per device as the fleet grows: both on a database file (as a large fleet must be run), so the
  // one difference between them is the size.
  const dbDir = mkdtempSync(join(tmpdir(), 'stagesim-bench-'));
  let onDisk: FleetSummary | null = null;
  let large: FleetSummary | null = null;
  let stage2: FleetSummary | null = null;
  let ceiling: CeilingRun[] | null = null;
  try {
    if (args.large > 0) {
      out(
        `\n2b. cost per device: ${args.devices} and then ${args.large} devices through every stage, embedded backend on a database file (--db)`,
      );
      onDisk = await fleet(args.devices, '--db', join(dbDir, 'small.db'));
      large = await fleet(args.large, '--db', join(dbDir, 'large.db'));
      for (const run of [onDisk, large])
        out(
          `   ${String(run.devices).padStart(7)} devices: ${fixed(run.wallMs / 1000, 2)} s, ${fixed(run.devicesPerSecond)} devices/s, ${run.failed} failed; CPU per device fleet ${run.cpuMsPerDevice.fleet} ms, backend ${run.cpuMsPerDevice.backend} ms; peak memory fleet ${run.peakRssMb} MB, backend ${run.backendPeakRssMb} MB`,
        );
    }
    if (args.stage2 > 0) {
      out(
        `\n2c. ${args.stage2} devices through stage 2 (--until staged), embedded backend on a database file`,
      );
      stage2 = await fleet(args.stage2, '--until', 'staged', '--db', join(dbDir, 'stage2.db'));
      out(
        `   ${stage2.succeeded} staged, ${stage2.failed} failed in ${fixed(stage2.wallMs / 1000, 1)} s: ${fixed(stage2.devicesPerSecond)} devices/s; peak memory fleet ${stage2.peakRssMb} MB, backend ${stage2.backendPeakRssMb} MB`,
      );
    }
    if (args.ceiling > 0) {
      out(
        `\n2d. one backend's ceiling: stagesim backend --db in its own process, 1 and then 2 fleet processes (--shard) of one fleet of ${args.ceiling}`,
      );
      ceiling = await runBackendCeiling(args.ceiling, join(dbDir, 'ceiling.db'));
      if (ceiling === null) out('   needs /proc (Linux) to read the backend process CPU time; skipped');
      else
        for (const run of ceiling)
          out(
            `   ${run.shards} fleet process${run.shards > 1 ? 'es' : ''}: ${fixed(run.devicesPerSecond)} devices/s, ${run.failed} failed; backend ${fixed(run.backendCpuMsPerDevice, 3)} ms CPU per device, busy ${fixed(run.backendBusy, 2)} of a core: ceiling ${fixed(run.ceilingDevicesPerSecond)} devices/s`,
          );
    }
  } finally {
    rmSync(dbDir, { recursive: true, force: true });
  }
  return {
    summary,
    before,
    after,
    baselineRate,
    ratio,
    rawCpu,
    fleetCpu,
    reference,
    layers,
    floor,
    backendAlone,
    onDisk,
    large,
    stage2,
    ceiling,
  };
}

/**
 * Section 2a: how much of the devices' side is the wire, the channel client, the walk and the model,
 * against a backend that costs next to nothing, and what that leaves as the fleet's least cost here.
 */
async function devicesSideInLayers(
  args: BenchArgs,
  summary: FleetSummary,
  rawCpu: number,
): Promise<{ layers: DevicesSideLayers; floor: DevicesSideFloor; backendAlone: BackendAlone }> {
  const devices = Math.min(args.devices, LAYER_DEVICES_MAX);
  out(
    `\n2a. the devices' side in layers, against a stub backend that answers from a table (${devices} devices, ${summary.concurrency} at a time, ${LAYER_ROUNDS} rounds interleaved${devices < args.devices ? `; at most ${LAYER_DEVICES_MAX} devices here` : ''})`,
  );
  const layers = await runDevicesSideLayers({
    devices,
    concurrency: summary.concurrency,
    rounds: LAYER_ROUNDS,
  });
  const ms = (value: number) => fixed(value, 3);
  for (const { layer, what, median } of layers.layers)
    out(
      `   ${layer}  ${ms(median.cpuMsPerDevice)} ms CPU a device, ${median.stubCpuMsPerDevice === null ? 'no stub' : `stub ${ms(median.stubCpuMsPerDevice)} ms`}, ${fixed(median.wallMs / 1000, 2)} s: ${what}`,
    );
  const cpu = (name: Layer) => layers.layers.find((layer) => layer.layer === name)!.median.cpuMsPerDevice;
  const [a, b, c, d] = [cpu('A'), cpu('B'), cpu('C'), cpu('D')];
  out(
    `   the wire ${ms(a)} ms a device (A), the channel client on it ${ms(b - a)} (B - A), the device and its walk on that ${ms(c - b)} (C - B); the model alone ${ms(d)} (D)`,
  );
  const floor = devicesSideFloor(
    layers,
    { devices: args.devices, devicesCpuMsPerDevice: summary.cpuMsPerDevice.fleet },
    machine().nproc,
  );
  out(
    `   so: the fleet's least CPU a device on this machine is C + the stub's = ${ms(floor.layerCCpuMsPerDevice)} + ${ms(floor.stubCpuMsPerDevice)} = ${ms(floor.leastCpuMsPerDevice)} ms (a backend that does no work); ${args.devices} devices x that / ${floor.cores} cores = ${fixed(floor.leastWallMs / 1000, 2)} s at the least`,
  );
  out(
    `   the real fleet's devices side ${ms(floor.fleetDevicesCpuMsPerDevice)} ms CPU a device (section 1), beside layer C's ${ms(floor.layerCCpuMsPerDevice)}`,
  );
  // The other side alone: the real backend, driven by devices that are only their frames (layer A's).
  const backendAlone = await runBackendAlone({
    devices,
    concurrency: summary.concurrency,
    rounds: LAYER_ROUNDS,
  });
  const alone = backendAlone.median;
  out(
    `   E  the backend alone: ${ms(alone.backendCpuMsPerDevice)} ms CPU a device of its process, driven by devices that are only their frames (${ms(alone.devicesCpuMsPerDevice)} ms), ${fixed(alone.wallMs / 1000, 2)} s: the real embedded backend, one real device's recorded requests with each device's own serial and user`,
  );
  out(
    `   one backend thread: ${args.devices} devices x ${ms(alone.backendCpuMsPerDevice)} ms = ${fixed((args.devices * alone.backendCpuMsPerDevice) / 1000, 2)} s of it at the least, whatever the cores; with the least devices' side (A) on ${floor.cores} cores: ${args.devices} x (${ms(a)} + ${ms(alone.backendCpuMsPerDevice)}) / ${floor.cores} = ${fixed((args.devices * (a + alone.backendCpuMsPerDevice)) / floor.cores / 1000, 2)} s; raw's two sides took ${ms(rawCpu)} ms a device (section 2)`,
  );
  return { layers, floor, backendAlone };
}

/** The fleet's verdicts: its time, its ratio to raw, cost per device as it grows, the backend's memory. */
function fleetVerdicts(args: BenchArgs, part: FleetPart): Verdict[] {
  const { summary, onDisk, large, stage2, ratio } = part;
  const fleets = [summary, onDisk, large, stage2].filter((run): run is FleetSummary => run !== null);
  const backendPeak = Math.max(...fleets.map((run) => run.backendPeakRssMb ?? Infinity));
  const largeRate = large && onDisk ? large.devicesPerSecond / onDisk.devicesPerSecond : null;
  return [
    {
      target: `${args.devices} devices through every stage in at most ${TARGETS.fleetWallMs / 1000} s, none failed`,
      met: summary.wallMs <= TARGETS.fleetWallMs && summary.failed === 0,
      figure: `${fixed(summary.wallMs / 1000, 2)} s, ${summary.failed} failed`,
    },
    {
      target: `fleet at ${TARGETS.ratio} or more of the raw ws baseline (same run)`,
      met: ratio >= TARGETS.ratio,
      figure: fixed(ratio, 2),
    },
    ...(large && onDisk && largeRate !== null
      ? [
          {
            target: `${args.large} devices at ${TARGETS.largeRate} or more of the ${args.devices}-device rate (same run, --db)`,
            met: largeRate >= TARGETS.largeRate && large.failed === 0,
            figure: `${fixed(largeRate, 2)} (${fixed(large.devicesPerSecond)} against ${fixed(onDisk.devicesPerSecond)} devices/s, ${large.failed} failed)`,
          },
        ]
      : []),
    {
      target: `backend peak memory at most ${TARGETS.backendPeakRssMb} MB in every fleet of this run (largest: ${Math.max(...fleets.map((run) => run.devices))} devices)`,
      met: backendPeak <= TARGETS.backendPeakRssMb,
      figure: `${backendPeak} MB`,
    },
    ...(stage2
      ? [
          {
            target: `${args.stage2} devices through stage 2 with --db in one run, none failed`,
            met: stage2.failed === 0 && stage2.succeeded === args.stage2,
            figure: `${fixed(stage2.wallMs / 1000, 1)} s, backend ${stage2.backendPeakRssMb} MB, fleet ${stage2.peakRssMb} MB`,
          },
        ]
      : []),
  ];
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  // Resolved first, so a bad path is refused before minutes of measuring.
  const jsonFile = args.json === undefined ? undefined : jsonPath(args.json);
  const runs = (part: BenchPart) => args.only === undefined || args.only.includes(part);
  const startedAt = new Date();
  const host = machine();
  out(`stagesim bench, ${startedAt.toISOString()}, on ${describeMachine(host)}`);
  if (args.only) out(`only: ${args.only.join(', ')}`);

  const fleetRun = runs('fleet') ? await fleetPart(args) : null;

  let model: Repeated<ModelSuiteRun> | null = null;
  if (runs('model')) {
    out(
      `\n3. model suite: runModelSuite, shortest paths, headless target, ${timesEach(args.repeat)} in a new process (its modules loaded first, then timed)`,
    );
    model = await repeated(args.repeat, runModelSuiteInNewProcess);
    for (const run of model.runs)
      out(
        `   ${run.paths} paths (${run.passed} passed, ${run.failed} failed) in ${fixed(run.wallMs / 1000, 2)} s on ${run.workers} thread${run.workers === 1 ? '' : 's'}, ${fixed(run.cpuMs / 1000, 2)} s of CPU`,
      );
    if (model.runs.length > 1) out(`   median ${fixed(model.median.wallMs / 1000, 2)} s`);
  }

  let qr: Awaited<ReturnType<typeof runQrDecodeBench>> = null;
  if (runs('qr')) {
    out(
      "\n4. QR decode (harness/bench/qrDecode.bench.ts): the camera tests' frames and the bench's own, 1280x720",
    );
    qr = await runQrDecodeBench();
    if (qr === null) out('   qrDecode.bench is not built here; skipped');
    else
      for (const figures of qr.decoders)
        out(
          `   read ${figures.read}/${figures.frames}  median ${fixed(figures.medianMs, 1).padStart(6)} ms  p95 ${fixed(figures.p95Ms, 1).padStart(6)} ms  ${figures.decoder}`,
        );
  }

  let admin: LoadResult[] | null = null;
  if (runs('admin')) {
    out(
      '\n5. admin API: stagesim backend in its own process with 1000 staged devices, 32 keep-alive connections, at most 20000 requests or 5 s each',
    );
    admin = await runAdminApiBench({
      devices: 1000,
      connections: 32,
      maxRequests: 20_000,
      maxMs: 5_000,
    });
    for (const result of admin) {
      out(
        `   ${fixed(result.requestsPerSecond).padStart(6)} requests/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  ${result.errors} errors  ${result.what}`,
      );
    }
  }

  const libraryTargets = (['headless', 'appium'] as const).filter((target) =>
    runs(target === 'headless' ? 'scenarios' : 'appium'),
  );
  if (libraryTargets.length > 0)
    out(
      `\n6. scenario library: stagesim run scenarios, ${libraryTargets.map((target) => (target === 'appium' ? '--target appium (a local Appium server, 1 session)' : `headless (${timesEach(args.repeat)})`)).join(', then ')}`,
    );
  // The headless library is timed like the model suite; through Appium (10-20 s against 2 minutes) once.
  const libraries = new Map<'headless' | 'appium', Repeated<LibraryRun>>();
  for (const target of libraryTargets)
    libraries.set(
      target,
      await repeated(target === 'headless' ? args.repeat : 1, () => scenarioLibrary(target)),
    );
  for (const library of libraries.values()) {
    for (const run of library.runs)
      out(
        `   ${run.target}: ${run.scenarios} scenarios (${run.passed} passed, ${run.failed} failed) in ${fixed(run.wallMs / 1000, 2)} s, process start to exit`,
      );
    if (library.runs.length > 1)
      out(`   ${library.median.target}: median ${fixed(library.median.wallMs / 1000, 2)} s`);
  }
  const libraryHeadless = libraries.get('headless') ?? null;
  const libraryAppium = libraries.get('appium')?.median ?? null;

  const camera = qr?.decoders[0];
  const verdicts: Verdict[] = [
    ...(fleetRun ? fleetVerdicts(args, fleetRun) : []),
    ...(model
      ? [
          {
            target: `model suite in at most ${TARGETS.modelSuiteMs / 1000} s (median), none failed`,
            met: model.median.wallMs <= TARGETS.modelSuiteMs && failedIn(model) === 0,
            figure: `${medianFigure(model)}, ${failedIn(model)} failed`,
          },
        ]
      : []),
    ...(runs('qr')
      ? [
          {
            target: `every camera frame read, QR decode at most ${TARGETS.qrDecodeMs} ms (median, 1280x720)`,
            met: qr?.target.met ?? false,
            figure: camera
              ? `${camera.read}/${camera.frames} read, ${fixed(camera.medianMs, 1)} ms`
              : 'not measured',
          },
        ]
      : []),
    ...(libraryHeadless
      ? [
          {
            target: `scenario library headless in at most ${TARGETS.headlessLibraryMs / 1000} s (median), none failed`,
            met:
              libraryHeadless.median.wallMs <= TARGETS.headlessLibraryMs && failedIn(libraryHeadless) === 0,
            figure: `${medianFigure(libraryHeadless)}, ${failedIn(libraryHeadless)} failed`,
          },
        ]
      : []),
    ...(libraryAppium
      ? [
          {
            target: `scenario library through Appium (1 session) under ${TARGETS.appiumLibraryMs / 60_000} min, none failed`,
            met: libraryAppium.wallMs < TARGETS.appiumLibraryMs && libraryAppium.failed === 0,
            figure: `${fixed(libraryAppium.wallMs / 1000, 1)} s, ${libraryAppium.failed} failed`,
          },
        ]
      : []),
  ];
  const atEnd = machine().loadAverage;
  out(`\ntargets (load average ${host.loadAverage} at the start, ${atEnd} at the end)`);
  for (const { target, met, figure } of verdicts) out(`   ${verdict(met).padEnd(8)} ${target}: ${figure}`);
  if (fleetRun && !fleetRun.stage2)
    out('   not run  1,000,000 devices through stage 2 with --db (npm run bench -- --stage2 1000000)');
  if (jsonFile) {
    const scaleRate =
      fleetRun?.onDisk && fleetRun.large
        ? fleetRun.large.devicesPerSecond / fleetRun.onDisk.devicesPerSecond
        : null;
    writeReportFile(
      jsonFile,
      `${JSON.stringify(
        {
          command: ['npm', 'run', 'bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          machine: host,
          loadAverageAtEnd: atEnd,
          parts: BENCH_PARTS.filter(runs),
          verdicts,
          fleet: fleetRun?.summary ?? null,
          baseline: fleetRun
            ? {
                before: fleetRun.before,
                after: fleetRun.after,
                devicesPerSecond: fleetRun.baselineRate,
                cpuMsPerDevice: fleetRun.rawCpu,
              }
            : null,
          fleetCpuMsPerDevice: fleetRun?.fleetCpu ?? null,
          reference: fleetRun?.reference ?? null,
          devicesSideLayers: fleetRun ? { ...fleetRun.layers, floor: fleetRun.floor } : null,
          backendAlone: fleetRun?.backendAlone ?? null,
          ratio: fleetRun?.ratio ?? null,
          model: model ? { ...model.median, runs: model.runs } : null,
          qrDecode: qr,
          adminApi: admin,
          scenarioLibrary: {
            headless: libraryHeadless ? { ...libraryHeadless.median, runs: libraryHeadless.runs } : null,
            appium: libraryAppium,
          },
          scale:
            fleetRun?.onDisk && fleetRun.large
              ? { small: fleetRun.onDisk, large: fleetRun.large, rateRatio: scaleRate }
              : null,
          stage2: fleetRun?.stage2 ?? null,
          ceiling: fleetRun?.ceiling ?? null,
        },
        null,
        2,
      )}\n`,
    );
    out(`\nwrote ${jsonFile}`);
  }
  return verdicts.every((v) => v.met) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof BenchHelp) {
        process.stdout.write(error.message);
        return;
      }
      if (error instanceof BenchUsageError) {
        process.stderr.write(`bench: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
