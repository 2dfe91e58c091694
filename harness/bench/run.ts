import { z } from 'zod';
import { fleetSummarySchema, type FleetSummary } from '../fleet/summary';
import { runAdminApiBench, type LoadResult } from './adminApi';
import { runStagesim } from './cliProcess';
import { describeMachine, machine } from './machine';
import { runModelSuiteBench } from './modelSuite';
import { runQrDecodeBench } from './qrDecode';
import { runWsBaseline, type BaselineResult } from './wsBaseline';

/**
 * `npm run bench`: every figure of the performance section in one run on one machine. Never part of
 * `npm test`; nothing here asserts, it prints (and with --json also writes one JSON object at the end).
 *
 *   npm run bench [-- --devices 10000] [-- --json]
 */
const argsSchema = z.object({
  devices: z.number().int().min(100).default(10_000),
  json: z.boolean().default(false),
});

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const devicesAt = argv.indexOf('--devices');
  return argsSchema.parse({
    ...(devicesAt >= 0 ? { devices: Number(argv[devicesAt + 1]) } : {}),
    json: argv.includes('--json'),
  });
}

/** The issue's reference for the raw limit on this machine: 8 round trips of 200 bytes, 200 at a time. */
const REFERENCE = { roundTrips: 8, messageBytes: 200, concurrency: 200 };
const TARGETS = { fleetWallMs: 10_000, ratio: 1 / 3, backendPeakRssMb: 300, modelSuiteMs: 5_000 };

const out = (line = '') => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

async function fleet(devices: number): Promise<FleetSummary> {
  const run = await runStagesim(['fleet', '--devices', String(devices), '--json']);
  if (run.stdout.trim() === '')
    throw new Error(`stagesim fleet printed nothing (exit ${run.code}): ${run.stderr.trim()}`);
  return fleetSummarySchema.parse(JSON.parse(run.stdout));
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const host = machine();
  out(`stagesim bench on ${describeMachine(host)}`);

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

  out('\n3. model suite: runModelSuite, shortest paths, headless target');
  const model = await runModelSuiteBench();
  out(
    `   ${model.paths} paths (${model.passed} passed, ${model.failed} failed) in ${fixed(model.wallMs / 1000, 2)} s`,
  );

  out(
    "\n4. QR decode (harness/bench/qrDecode.bench.ts): the camera tests' frames and the bench's own, 1280x720",
  );
  const qr = await runQrDecodeBench();
  if (qr === null) out('   qrDecode.bench is not built here; skipped');
  else
    for (const figures of qr.decoders)
      out(
        `   read ${figures.read}/${figures.frames}  median ${fixed(figures.medianMs, 1).padStart(6)} ms  p95 ${fixed(figures.p95Ms, 1).padStart(6)} ms  ${figures.decoder}`,
      );

  out(
    '\n5. admin API: stagesim backend in its own process with 1000 staged devices, 32 keep-alive connections, at most 20000 requests or 5 s each',
  );
  const admin: LoadResult[] = await runAdminApiBench({
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

  const checks = [
    [
      `${args.devices} devices through every stage in at most 10 s, none failed`,
      summary.wallMs <= TARGETS.fleetWallMs && summary.failed === 0,
      `${fixed(summary.wallMs / 1000, 2)} s, ${summary.failed} failed`,
    ],
    ['fleet at least a third of the raw ws baseline', ratio >= TARGETS.ratio, `${fixed(ratio, 2)}`],
    [
      'backend peak memory at most 300 MB',
      (summary.backendPeakRssMb ?? Infinity) <= TARGETS.backendPeakRssMb,
      `${summary.backendPeakRssMb} MB`,
    ],
    [
      'model suite under 5 s',
      model.wallMs < TARGETS.modelSuiteMs && model.failed === 0,
      `${fixed(model.wallMs / 1000, 2)} s`,
    ],
    [
      'every camera frame read, median QR decode at most 10 ms',
      qr?.target.met ?? false,
      qr
        ? `${qr.decoders[0]!.read}/${qr.decoders[0]!.frames} read, ${fixed(qr.decoders[0]!.medianMs, 1)} ms`
        : 'not run',
    ],
  ] as const;
  out(`\ntargets (load average ${host.loadAverage} at the start, ${machine().loadAverage} at the end)`);
  for (const [what, ok, figure] of checks) out(`   ${verdict(ok).padEnd(8)} ${what}: ${figure}`);
  if (args.json)
    out(
      JSON.stringify({
        machine: host,
        loadAverageAtEnd: machine().loadAverage,
        fleet: summary,
        baseline: { before, after, devicesPerSecond: baselineRate, cpuMsPerDevice: rawCpu },
        fleetCpuMsPerDevice: fleetCpu,
        reference,
        ratio,
        model,
        qrDecode: qr,
        adminApi: admin,
      }),
    );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
