import Database from 'better-sqlite3';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceChannelClient } from '../../agent/channel/DeviceChannelClient';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { checkLedger } from '../model-testing/checks';
import { SqliteStore } from '../backend/store/SqliteStore';
import { stagesimCommand } from '../cli/testing/stagesimProcess';
import { AdminClient, type LedgerEntry } from '../world/AdminClient';
import { BackendChild } from './testing/backendChild';
import { driveToEnrolled, heardStages } from './testing/driveToEnrolled';

/**
 * Crash safety with a real `stagesim backend --db FILE` child process: a fleet of devices enrolls, the
 * backend is killed with SIGKILL (kill -9) once the devices have heard a given number of transitions
 * acknowledged, and started again on the same file and port. Every transition a device heard before the
 * kill must be in the ledger, the ledger and the managed devices must agree (nothing half-written), the
 * database must pass SQLite's integrity check, and every interrupted device must go on to enrolled.
 * The devices here are driven in this process, to know exactly what each heard; a last run kills the
 * backend under a real `stagesim fleet` process.
 */
const FLEET = 10;
/** Kill points: after this many acknowledged transitions (each device hears three: token, staged, enrolled). */
const KILL_AFTER = [1, 8, 16, 24, 29];
let survived = 0;

afterAll(() => {
  if (process.env.STAGESIM_FIGURES)
    process.stdout.write(`crash-kill runs survived: ${survived} of ${KILL_AFTER.length + 1}\n`);
});

describe.each(KILL_AFTER.map((count) => [count]))(
  'kill -9 after %i acknowledged transitions',
  (killAfter) => {
    test('every acknowledged transition survives, nothing is half-written, every device goes on to enrolled', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'stagesim-crash-'));
      const dbPath = join(folder, 'backend.db');
      let backend = await BackendChild.start(['--db', dbPath, '--port', '0']);
      const devices: SimulatedDevice[] = [];
      try {
        const admin = new AdminClient(backend.url);
        const profile = await admin.createProfile({
          displayName: `Crash ${killAfter}`,
          enrollmentMode: 'corporateOwnedFullyManaged',
          enrollmentTokenType: 'deviceStaging',
          wifi: { ssid: 'Contoso', password: 'pass-phrase' },
        });
        const world = { qrText: profile.qrCodeContent!, upn: 'john@contoso.com' };
        for (let i = 0; i < FLEET; i += 1) {
          // Retries that outlast the restart below on a loaded host: 23.8-24.3 s in all (waitBounds), a
          // try every quarter second. 40 attempts (8.8-9.1 s) lost every device of one kill point in a
          // full `npm test` run on this 2-core machine, the restart not yet done when the devices gave up.
          const service = new DeviceChannelClient({
            url: backend.url,
            retry: { attempts: 100, baseDelayMs: 20, maxDelayMs: 250 },
          });
          devices.push(
            new SimulatedDevice({
              profile: {
                serialNumber: `CRASH${killAfter}-${i + 1}`,
                manufacturer: 'Zebra Technologies',
                model: 'TC58',
                osVersion: '14',
              },
              service,
            }),
          );
        }
        const walks = devices.map((device) =>
          driveToEnrolled(device, world).then(
            () => null,
            (error: Error) => error.message,
          ),
        );

        // Kill the moment the fleet has heard `killAfter` acknowledgements; what each device heard then is
        // what the backend promised.
        const heardAtKill = await new Promise<Map<string, string[]>>((resolve) => {
          const poll = setInterval(() => {
            const heard = new Map(devices.map((device) => [device.serialNumber, heardStages(device)]));
            if ([...heard.values()].reduce((total, stages) => total + stages.length, 0) < killAfter) return;
            clearInterval(poll);
            backend.child.kill('SIGKILL');
            resolve(heard);
          }, 1);
        });
        await backend.exited;

        // The file as the kill left it, read with the store's own code while nothing writes to it.
        expect(integrity(dbPath)).toBe('ok');
        const store = new SqliteStore(dbPath);
        const ledgerAtKill = store.listLedger({});
        const managedAtKill = store
          .listManagedDevices()
          .map((device) => ({ serialNumber: device.serialNumber, stage: device.stage }));
        store.close();
        for (const [serial, heard] of heardAtKill) {
          const recorded = ledgerAtKill
            .filter((entry) => entry.serialNumber === serial)
            .map((entry) => entry.toStage);
          expect({ serial, recorded: recorded.slice(0, heard.length) }).toEqual({ serial, recorded: heard });
        }
        expect(consistency(ledgerAtKill, managedAtKill)).toEqual([]);

        backend = await startAgain(dbPath, backend.port);
        const restartedAdmin = new AdminClient(backend.url);

        // Every device, wherever the kill caught it, goes on to enrolled.
        expect(await Promise.all(walks)).toEqual(devices.map(() => null));
        const final = await restartedAdmin.ledger();
        const managed = await restartedAdmin.managedDevices({ top: 1000 });
        for (const device of devices) {
          const ledger = final.filter((entry) => entry.serialNumber === device.serialNumber);
          expect({ serial: device.serialNumber, problems: checkLedger(ledger, 'enrolled') }).toEqual({
            serial: device.serialNumber,
            problems: [],
          });
          expect(
            managed
              .filter((record) => record.serialNumber === device.serialNumber)
              .map((record) => record.simulatorEnrollmentStage),
          ).toEqual(['enrolled']);
        }
        expect(
          consistency(
            final,
            managed.map((record) => ({
              serialNumber: record.serialNumber,
              stage: record.simulatorEnrollmentStage,
            })),
          ),
        ).toEqual([]);
        expect(await backend.stop()).toEqual({ code: 0, signal: null });
        expect(integrity(dbPath)).toBe('ok');
        survived += 1;
      } finally {
        await Promise.all(devices.map((device) => device.close()));
        if (backend.child.exitCode === null && backend.child.signalCode === null) await backend.kill9();
        rmSync(folder, { recursive: true, force: true });
      }
    }, 60_000);
  },
);

describe('stagesim fleet against a stagesim backend killed with kill -9 mid-run', () => {
  test('the fleet finishes with every device enrolled; what the ledger showed before the kill is still there', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stagesim-crash-fleet-'));
    const dbPath = join(folder, 'backend.db');
    let backend = await BackendChild.start(['--db', dbPath, '--port', '0']);
    let fleet: ChildProcessWithoutNullStreams | null = null;
    try {
      const admin = new AdminClient(backend.url);
      const profile = await admin.createProfile({
        displayName: 'Crash fleet',
        enrollmentMode: 'corporateOwnedFullyManaged',
        enrollmentTokenType: 'deviceStaging',
        wifi: { ssid: 'Contoso', password: 'pass-phrase' },
      });
      const command = stagesimCommand([
        'fleet',
        '--devices',
        '40',
        '--concurrency',
        '20',
        '--backend',
        backend.url,
        '--profile',
        profile.id,
        '--json',
      ]);
      fleet = spawn(command.command, command.args, {
        cwd: command.cwd,
        env: { ...process.env, STAGESIM_ADMIN_KEY: '' },
      });
      let stdout = '';
      fleet.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const fleetExited = new Promise<number | null>((resolve) =>
        fleet!.once('exit', (code) => resolve(code)),
      );

      // Kill once a quarter of the fleet's transitions are in the ledger, as the admin API shows them.
      let seen: LedgerEntry[] = [];
      while (seen.length < 30) {
        seen = await admin.ledger();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await backend.kill9();
      // Mid-run: 40 devices make 120 transitions.
      expect(seen.length).toBeLessThan(120);
      expect(integrity(dbPath)).toBe('ok');
      backend = await startAgain(dbPath, backend.port);

      expect(await fleetExited).toBe(0);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ devices: 40, succeeded: 40, failed: 0 });
      const restarted = new AdminClient(backend.url);
      const ledger = await restarted.ledger();
      const key = (entry: LedgerEntry) =>
        `${entry.seq} ${entry.serialNumber} ${entry.fromStage} ${entry.toStage}`;
      const after = new Set(ledger.map(key));
      expect(seen.map(key).filter((entry) => !after.has(entry))).toEqual([]);
      const managed = await restarted.managedDevices({ top: 1000 });
      expect(managed.filter((record) => record.simulatorEnrollmentStage === 'enrolled')).toHaveLength(40);
      expect(
        consistency(
          ledger,
          managed.map((record) => ({
            serialNumber: record.serialNumber,
            stage: record.simulatorEnrollmentStage,
          })),
        ),
      ).toEqual([]);
      survived += 1;
    } finally {
      if (fleet && fleet.exitCode === null) fleet.kill('SIGKILL');
      if (backend.child.exitCode === null && backend.child.signalCode === null) await backend.kill9();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});

/** The same file and the same port, so the devices find the backend where they left it. */
async function startAgain(dbPath: string, port: number): Promise<BackendChild> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await BackendChild.start(['--db', dbPath, '--port', String(port)]);
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

type Entry = Pick<LedgerEntry, 'serialNumber' | 'fromStage' | 'toStage' | 'tokenId'> & { seq: number };

/** Ledger and managed devices tell one story: in order, and each device's record at its last stage. */
function consistency(
  ledger: Entry[],
  managed: Array<{ serialNumber: string; stage: string | null }>,
): string[] {
  const problems: string[] = [];
  const bySerial = new Map<string, Entry[]>();
  for (const entry of ledger)
    bySerial.set(entry.serialNumber, [...(bySerial.get(entry.serialNumber) ?? []), entry]);
  for (const [serial, entries] of bySerial) {
    const last = entries.at(-1)!.toStage;
    problems.push(...checkLedger(entries as LedgerEntry[], last).map((problem) => `${serial}: ${problem}`));
    const records = managed.filter((record) => record.serialNumber === serial);
    const listed = last === 'tokenCreated' ? entries.some((entry) => entry.toStage !== 'tokenCreated') : true;
    if (listed && records.length !== 1)
      problems.push(`${serial}: ${records.length} managed device records, its ledger ends at ${last}`);
    if (records.length === 1 && last !== 'tokenCreated' && records[0]!.stage !== last) {
      problems.push(`${serial}: the managed device says ${records[0]!.stage}, its ledger ends at ${last}`);
    }
  }
  for (const record of managed)
    if (!bySerial.has(record.serialNumber))
      problems.push(`${record.serialNumber}: a managed device with no ledger`);
  return problems;
}

function integrity(dbPath: string): string {
  // Read-write, as the restarted backend opens it: SQLite rolls a crashed WAL forward on open.
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}
