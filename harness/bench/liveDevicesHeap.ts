/**
 * What the admin console's live view keeps in the backend's memory per device: N devices each send one
 * state report (the fleet's identity and values), then the heap after a full collection, less the heap
 * before, per device. A benchmark, not a test: nothing here asserts.
 *
 *   npm run build && node --expose-gc dist/harness/bench/liveDevicesHeap.js [devices=100000]
 */
import { cpus, loadavg } from 'node:os';
import { leafStateNodes, pathOfNode } from '../../agent/model/inspect';
import { LiveDevices } from '../backend/console/liveDevices';
import { SqliteStore } from '../backend/store/SqliteStore';

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with node --expose-gc');
const devices = Number(process.argv[2] ?? 100_000);
const states = leafStateNodes().map(pathOfNode);
const store = new SqliteStore(':memory:');
collect();
const before = process.memoryUsage().heapUsed;
const live = new LiveDevices(store);
for (let i = 0; i < devices; i++) {
  live.report({
    type: 'stateReport',
    device: {
      serialNumber: `FLEET-${String(i).padStart(8, '0')}`,
      manufacturer: 'Google',
      model: 'Pixel 8',
      osVersion: '14',
    },
    state: states[i % states.length]!,
    values: { deviceName: `Staging_${i}`, typed: '' },
  });
}
collect();
const perDevice = (process.memoryUsage().heapUsed - before) / devices;
process.stdout.write(
  `${devices} devices reported: ${perDevice.toFixed(0)} bytes a device on the heap (${live.size()} devices, ${live.cacheStats().size} whole reports cached); ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}\n`,
);
store.close();
