/**
 * What the admin console's devices report costs the backend for a large fleet: N devices that each
 * reported their state, two in three of them also managed (a device record after stage 2, as a fleet
 * leaves them), each query filtered, sorted and paged as the console asks.
 *
 *   npm run build && node --expose-gc dist/harness/bench/consoleReport.bench.js [--devices 100000]
 *
 * Prints the first query (the console opened on a backend that already has the fleet), then the median
 * and the slowest of 9 runs per query, and the heap the report keeps after its queries, per device, with
 * the machine and its load. A benchmark, not a test: nothing here asserts.
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
  const identity = { serialNumber: `S${i}`, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' };
  live.report({ type: 'stateReport', device: identity, state: states[i % states.length]!, values: {} });
  if (i % 3 === 0) continue;
  const registered = store.registerDevice(identity, i, `device-${i}`);
  store.saveDevice({
    ...registered,
    stage: i % 2 ? 'staged' : 'enrolled',
    managed: true,
    managedName: `Staging_AndroidEnterprise_${i}`,
    profileName: `Profile ${i % 4}`,
    enrollmentMode: 'corporateOwnedDedicatedDevice',
    upn: i % 2 ? null : `user${i}@contoso.com`,
    deliveries: [
      {
        kind: 'deviceConfiguration',
        odataType: '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        id: 'p1',
        displayName: 'Lockdown',
        intent: null,
      },
    ],
    lastChangeAt: i,
  });
}
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const heapBefore = heap();
// A new console on a backend that already has the fleet: the first report it opens.
const report = new DeviceReport(store, new LiveDevices(store));
const queries: Array<Record<string, unknown>> = [
  {},
  { sort: 'name', order: 'asc' },
  { search: 's999' },
  { state: 'setupWizard.welcome', offset: 1000 },
];
process.stdout.write(
  `${devices} reported devices, ${devices - Math.ceil(devices / 3)} of them managed; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}\n`,
);
const firstStart = process.hrtime.bigint();
report.query(deviceReportQuerySchema.parse({}));
report.profileNames();
process.stdout.write(
  `first query (the console opened): ${(Number(process.hrtime.bigint() - firstStart) / 1e6).toFixed(1)} ms\n`,
);
for (const raw of queries) {
  const query = deviceReportQuerySchema.parse(raw);
  const times: number[] = [];
  let total = 0;
  for (let run = 0; run < 9; run++) {
    const start = process.hrtime.bigint();
    total = report.query(query).total;
    report.profileNames();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify(raw).padEnd(48)} ${String(total).padStart(7)} rows  median ${times[4]!.toFixed(1)} ms, slowest ${times[8]!.toFixed(1)} ms\n`,
  );
}
const kept = heap() - heapBefore;
process.stdout.write(
  gc
    ? `heap kept by the console after its queries: ${(kept / 2 ** 20).toFixed(1)} MB, ${(kept / devices).toFixed(0)} bytes a device\n`
    : 'heap kept: run with node --expose-gc to see it\n',
);
store.close();
