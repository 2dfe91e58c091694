/**
 * How long the admin console's devices report takes the backend for a large fleet: 100,000 devices
 * that reported their state, each query filtered, sorted and paged by the backend as the console asks.
 *
 *   npm run build && node dist/harness/bench/consoleReport.bench.js [--devices 100000]
 *
 * Prints the median and the slowest of 9 runs per query, with the machine and its load. A benchmark,
 * not a test: nothing here asserts.
 */
import { cpus, loadavg } from 'node:os';
import { LiveDevices } from '../backend/console/liveDevices';
import { DeviceReport, deviceReportQuerySchema } from '../backend/console/deviceReport';
import { SqliteStore } from '../backend/store/SqliteStore';
import { leafStateNodes, pathOfNode } from '../../agent/model/inspect';

const flag = process.argv.indexOf('--devices');
const devices = flag >= 0 ? Number(process.argv[flag + 1]) : 100_000;
const states = leafStateNodes().map(pathOfNode);
const store = new SqliteStore(':memory:');
const live = new LiveDevices(store);
for (let i = 0; i < devices; i++) {
  live.report({
    type: 'stateReport',
    device: { serialNumber: `S${i}`, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
    state: states[i % states.length]!,
    values: {},
  });
}
const report = new DeviceReport(store, live);
const queries: Array<Record<string, unknown>> = [
  {},
  { sort: 'name', order: 'asc' },
  { search: 's999' },
  { state: 'setupWizard.welcome', offset: 1000 },
];
process.stdout.write(
  `${devices} reported devices; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}\n`,
);
for (const raw of queries) {
  const query = deviceReportQuerySchema.parse(raw);
  const times: number[] = [];
  let total = 0;
  for (let run = 0; run < 9; run++) {
    const start = process.hrtime.bigint();
    total = report.query(query).total;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify(raw).padEnd(48)} ${String(total).padStart(7)} rows  median ${times[4]!.toFixed(1)} ms, slowest ${times[8]!.toFixed(1)} ms\n`,
  );
}
store.close();
