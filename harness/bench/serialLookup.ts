/**
 * What `GET managedDevices?$filter=serialNumber eq '…'` costs the store as the table grows: N devices
 * registered in a database file (every one managed), then lookups of random serial numbers through
 * listManagedDevicesBySerial, the query that filter runs. The harnesses make this lookup after every step
 * and scripts make it to find a device. A benchmark, not a test: nothing here asserts.
 *
 *   npm run build && node dist/harness/bench/serialLookup.js [devices=100000] [lookups=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../backend/store/SqliteStore';

const devices = Number(process.argv[2] ?? 100_000);
const lookups = Number(process.argv[3] ?? 2_000);
if (!Number.isInteger(devices) || devices < 1 || !Number.isInteger(lookups) || lookups < 1)
  throw new Error(`devices and lookups must be whole numbers >= 1, got ${process.argv.slice(2).join(' ')}`);

const dir = mkdtempSync(join(tmpdir(), 'stagesim-serial-lookup-'));
const serial = (i: number) => `SL${String(i).padStart(8, '0')}`;
try {
  const store = new SqliteStore(join(dir, 'devices.db'), { synchronous: 'off' });
  const identity = { manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' };
  for (let i = 0; i < devices; i++) {
    const registered = store.registerDevice(
      { serialNumber: serial(i), ...identity },
      Date.now(),
      `device-${i}`,
    );
    store.saveDevice({ ...registered, managed: true });
  }
  let found = 0;
  const started = performance.now();
  for (let i = 0; i < lookups; i++) {
    const wanted = serial(Math.floor(Math.random() * devices)).toLowerCase();
    found += store.listManagedDevicesBySerial(wanted).length;
  }
  const ms = performance.now() - started;
  process.stdout.write(
    `${devices} devices, schema ${store.schemaVersion()}: ${lookups} lookups by serial number (lower case) in ${ms.toFixed(0)} ms, ${((ms * 1000) / lookups).toFixed(1)} us each, ${found} found; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
