import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { fleetSummarySchema, type FleetSummary } from '../../fleet/summary';
import { shardRange } from '../../fleet/shardRange';
import { runCli, type CliResult } from '../../testing/cli';
import { AdminClient } from '../../world/AdminClient';
import { EnrollmentWorld } from '../../world/EnrollmentWorld';
import { UsageError } from '../exit';
import { parseFleetFlags } from './fleet';

// `stagesim fleet --shard i/n`: n fleet processes (the built CLI, as a user or a Kubernetes Job runs it)
// against one `stagesim backend` process make up one fleet. No timing assertions.

const STAGING = { tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' } as const;

/** `stagesim backend --port 0` in a process of its own; answers its URL once it listens. */
async function backendProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(projectRoot(), 'dist', 'harness', 'cli', 'main.js'), 'backend', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`stagesim backend exited: ${stdout}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function summaryOf(result: CliResult): FleetSummary {
  // With --json, stdout is the one JSON object; the console's address goes to stderr.
  expect(result.stderr).toMatch(/^stagesim fleet: admin console at https?:\/\/\S+\/\n$/);
  return fleetSummarySchema.parse(JSON.parse(result.stdout.trim()));
}

describe('stagesim fleet --shard against a backend process', () => {
  let backend: Awaited<ReturnType<typeof backendProcess>>;
  beforeAll(async () => {
    backend = await backendProcess();
  });
  afterAll(() => backend.stop());

  test('two shards with one serial prefix add up to one fleet: every device once, each enrolled once', async () => {
    const admin = new AdminClient(backend.url);
    const profile = await new EnrollmentWorld(admin, 'fleet-shards').profileFor(STAGING);
    const shard = (index: number) =>
      runCli([
        'fleet',
        '--devices',
        '15',
        '--shard',
        `${index}/2`,
        '--serial-prefix',
        'FLSHARD',
        '--backend',
        backend.url,
        '--profile',
        profile.id,
        '--json',
      ]);
    const runs = await Promise.all([shard(0), shard(1)]);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    const [first, second] = runs.map(summaryOf) as [FleetSummary, FleetSummary];
    expect([first, second].map((s) => [s.devices, s.succeeded, s.shard])).toEqual([
      [8, 8, { index: 0, count: 2, fleetDevices: 15, firstDevice: 1 }],
      [7, 7, { index: 1, count: 2, fleetDevices: 15, firstDevice: 9 }],
    ]);

    const devices = await admin.managedDevices({ filter: "startswith(serialNumber,'FLSHARD-')" });
    const serials = devices.map((device) => device.serialNumber).sort();
    const expected = Array.from({ length: 15 }, (_, i) => `FLSHARD-${String(i + 1).padStart(6, '0')}`);
    expect(serials).toEqual(expected);
    expect(devices.map((device) => device.simulatorEnrollmentStage)).toEqual(Array(15).fill('enrolled'));
    expect(new Set(devices.map((device) => device.userPrincipalName)).size).toBe(15);
    // Each device went through the ledger once: token, staged, enrolled, nothing twice.
    const ledger = await admin.ledger();
    for (const serial of expected) {
      expect(ledger.filter((entry) => entry.serialNumber === serial).map((entry) => entry.toStage)).toEqual([
        'tokenCreated',
        'staged',
        'enrolled',
      ]);
    }
    expect((await admin.getProfile(profile.id)).enrolledDeviceCount).toBe(15);
  });

  test('shards without a common prefix pick their own, and still run their own part each', async () => {
    const admin = new AdminClient(backend.url);
    const profile = await new EnrollmentWorld(admin, 'fleet-shards-own').profileFor(STAGING);
    const runs = await Promise.all(
      ['0/3', '1/3', '2/3'].map((part) =>
        runCli([
          'fleet',
          '--devices',
          '9',
          '--until',
          'staged',
          '--shard',
          part,
          '--backend',
          backend.url,
          '--profile',
          profile.id,
          '--json',
        ]),
      ),
    );
    const summaries = runs.map(summaryOf);
    expect(new Set(summaries.map((s) => s.serialPrefix)).size).toBe(3);
    for (const [index, summary] of summaries.entries()) {
      expect(summary).toMatchObject({ devices: 3, succeeded: 3, shard: { firstDevice: 3 * index + 1 } });
      const devices = await admin.managedDevices({
        filter: `startswith(serialNumber,'${summary.serialPrefix}-')`,
      });
      expect(devices.map((device) => device.serialNumber).sort()).toEqual(
        [1, 2, 3].map((n) => `${summary.serialPrefix}-${String(3 * index + n).padStart(6, '0')}`),
      );
    }
  });
});

describe('shard ranges', () => {
  test('the parts of any fleet are consecutive and hold every device once', () => {
    for (const devices of [1, 7, 15, 100, 1_000_003]) {
      for (const count of [1, 2, 3, 7].filter((n) => n <= devices)) {
        let next = 0;
        for (let index = 0; index < count; index += 1) {
          const range = shardRange(devices, { index, count });
          expect(range.first).toBe(next);
          expect(range.size).toBeGreaterThan(0);
          next += range.size;
        }
        expect(next).toBe(devices);
      }
    }
  });
});

describe('stagesim fleet refuses bad --shard, --serial-prefix and --db', () => {
  const backend = { backend: 'http://127.0.0.1:9', profile: 'p' };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ devices: '10', shard: '1', ...backend }, /^--shard: i\/n: part i \(from 0\) of n, such as 0\/4$/],
    [{ devices: '10', shard: '2/2', ...backend }, /^--shard: i\/n: i from 0 to n-1/],
    [{ devices: '10', shard: '0/0', ...backend }, /^--shard: i\/n: n from 1 to 10000$/],
    [{ devices: '3', shard: '0/4', ...backend }, /^--shard: more shards \(4\) than devices \(3\)$/],
    [{ devices: '10', shard: '0/2' }, /^--shard: the shards of a fleet share one running backend/],
    [
      { devices: '10', workers: '4', shard: '1/3', ...backend },
      /^--workers: more workers \(4\) than devices \(3 in this shard\)$/,
    ],
    [{ devices: '10', serialPrefix: 'fl-1' }, /^--serial-prefix: upper-case letters and digits/],
    [{ devices: '10', db: 'x.db', ...backend }, /^--db: a database file is for the embedded backend/],
  ];

  test.each(cases)('%j', (raw, message) => {
    expect(() => parseFleetFlags(raw, {})).toThrow(UsageError);
    expect(() => parseFleetFlags(raw, {})).toThrow(message);
  });

  test('a --db file that cannot be opened: one line on stderr, exit 2', async () => {
    const result = await runCli(['fleet', '--devices', '1', '--db', '/nonexistent-dir/fleet.db']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stagesim: cannot open the database \/nonexistent-dir\/fleet\.db: .*\n$/);
  });
});
