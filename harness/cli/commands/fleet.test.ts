import { startBackend, type RunningBackend } from '../../backend/server';
import { fleetSummarySchema, type FleetSummary } from '../../fleet/summary';
import { runCli, type CliResult } from '../../testing/cli';
import { UsageError } from '../exit';
import { parseFleetFlags } from './fleet';
import { AdminClient } from '../../world/AdminClient';
import { EnrollmentWorld } from '../../world/EnrollmentWorld';

// `stagesim fleet` as a user runs it (the built CLI in a child process), against its own embedded
// backend or against a backend this test started. No timing assertions: figures are only checked for shape.

const STAGING = { tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' } as const;

function summaryOf(result: CliResult): FleetSummary {
  // With --json, stdout is the one JSON object; the console's address goes to stderr.
  expect(result.stderr).toMatch(/^stagesim fleet: admin console at https?:\/\/\S+\/\n$/);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return fleetSummarySchema.parse(JSON.parse(lines[0]!));
}

async function fleetDevices(admin: AdminClient, serialPrefix: string) {
  const devices = await admin.managedDevices({ filter: `startswith(serialNumber,'${serialPrefix}-')` });
  return devices.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
}

describe('stagesim fleet with its embedded backend', () => {
  test('20 devices through every stage: one JSON object with the figures, exit 0', async () => {
    const result = await runCli(['fleet', '--devices', '20', '--concurrency', '8', '--json']);
    const summary = summaryOf(result);
    expect(result.code).toBe(0);
    expect(summary).toMatchObject({
      devices: 20,
      succeeded: 20,
      failed: 0,
      failures: {},
      flow: 'staging',
      mode: 'fullyManaged',
      until: 'enrolled',
      workers: 1,
      concurrency: 8,
    });
    expect(summary.backend.embedded).toBe('child');
    expect(summary.backendPeakRssMb).toBeGreaterThan(0);
    expect(summary.serialPrefix).toMatch(/^FL[A-Z2-9]{8}$/);
    // Every device waited once for each transition the backend records, and once for its sign-in.
    for (const kind of ['tokenCreated', 'staged', 'signIn', 'enrolled'] as const)
      expect(summary.latencyByTransitionMs[kind].count).toBe(20);
    expect(summary.latencyByTransitionMs.adminProvisioned.count).toBe(0);
    const { p50, p95, p99 } = summary.latencyMs;
    expect(p50).not.toBeNull();
    expect(p50!).toBeLessThanOrEqual(p95!);
    expect(p95!).toBeLessThanOrEqual(p99!);
    // hello, redeemToken, completeStage staged, signIn, completeStage enrolled: five round trips.
    expect(summary.channel.messagesPerDevice).toBe(10);
  });

  test('default token, work profile, spread over two worker threads', async () => {
    const result = await runCli([
      'fleet',
      '--devices',
      '20',
      '--flow',
      'default',
      '--mode',
      'workProfile',
      '--workers',
      '2',
      '--json',
    ]);
    const summary = summaryOf(result);
    expect(result.code).toBe(0);
    expect(summary).toMatchObject({
      succeeded: 20,
      failed: 0,
      flow: 'default',
      mode: 'workProfile',
      workers: 2,
    });
    expect(summary.latencyByTransitionMs.adminProvisioned.count).toBe(20);
    expect(summary.latencyByTransitionMs.enrolled.count).toBe(20);
  });

  test('the embedded backend can run inline, and text output says what happened', async () => {
    const result = await runCli(['fleet', '--devices', '5', '--embedded', 'inline']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('in this process');
    expect(result.stdout).toContain('5 of 5 devices enrolled (staging, fullyManaged), 0 failed');
    expect(result.stdout).toMatch(/latency of stage transitions \(ms\): p50 [\d.]+, p95 [\d.]+, p99 [\d.]+/);
  });
});

describe('stagesim fleet against a running backend', () => {
  let backend: RunningBackend;
  let admin: AdminClient;
  let world: EnrollmentWorld;
  beforeEach(async () => {
    backend = await startBackend();
    admin = new AdminClient(backend.url);
    world = new EnrollmentWorld(admin, 'fleet-test');
  });
  afterEach(() => backend.close());

  test('--until staged leaves every device userless with a Staging_ name', async () => {
    const profile = await world.profileFor(STAGING);
    const result = await runCli([
      'fleet',
      '--devices',
      '20',
      '--until',
      'staged',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
      '--json',
    ]);
    const summary = summaryOf(result);
    expect(result.code).toBe(0);
    expect(summary).toMatchObject({
      succeeded: 20,
      until: 'staged',
      profileId: profile.id,
      backend: { url: backend.url, embedded: null },
      backendPeakRssMb: null,
    });
    expect(summary.latencyByTransitionMs.enrolled.count).toBe(0);
    const devices = await fleetDevices(admin, summary.serialPrefix);
    expect(devices).toHaveLength(20);
    for (const device of devices) {
      expect(device).toMatchObject({
        simulatorEnrollmentStage: 'staged',
        userPrincipalName: '',
        enrollmentProfileName: profile.displayName,
      });
      expect(device.deviceName.startsWith(`Staging_${device.serialNumber}_AndroidEnterprise_`)).toBe(true);
    }
  });

  test('through every stage: each device enrolled by its own user of the tenant, with the admin key', async () => {
    const keyed = await startBackend({ adminKey: 'fleet-admin-key-0123456789' });
    try {
      const keyedWorld = new EnrollmentWorld(
        new AdminClient(keyed.url, 'fleet-admin-key-0123456789'),
        'fleet-keyed',
      );
      const profile = await keyedWorld.profileFor(STAGING);
      const result = await runCli(
        ['fleet', '--devices', '12', '--backend', keyed.url, '--profile', profile.id, '--json'],
        {
          env: { STAGESIM_ADMIN_KEY: 'fleet-admin-key-0123456789' },
        },
      );
      const summary = summaryOf(result);
      expect(result.code).toBe(0);
      expect(summary.succeeded).toBe(12);
      const devices = await fleetDevices(keyedWorld.admin, summary.serialPrefix);
      expect(devices.map((device) => device.simulatorEnrollmentStage)).toEqual(Array(12).fill('enrolled'));
      const users = devices.map((device) => device.userPrincipalName);
      expect(new Set(users).size).toBe(12);
      for (const upn of users) expect(upn).toMatch(/@contoso\.com$/);

      const wrongKey = await runCli([
        'fleet',
        '--devices',
        '1',
        '--backend',
        keyed.url,
        '--profile',
        profile.id,
        '--admin-key',
        'not-the-admin-key-at-all',
      ]);
      expect(wrongKey.code).toBe(2);
      expect(wrongKey.stderr).toMatch(/^stagesim: .*answered 401.*\n$/);
    } finally {
      await keyed.close();
    }
  });

  test('two fleets at once share one backend: serial prefixes of their own, every device enrolled once', async () => {
    const profile = await world.profileFor(STAGING);
    const runs = await Promise.all(
      [1, 2].map(() =>
        runCli(['fleet', '--devices', '10', '--backend', backend.url, '--profile', profile.id, '--json']),
      ),
    );
    const [first, second] = runs.map(summaryOf);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    expect(first!.serialPrefix).not.toBe(second!.serialPrefix);
    for (const summary of [first!, second!]) {
      const devices = await fleetDevices(admin, summary.serialPrefix);
      expect(devices.map((device) => device.simulatorEnrollmentStage)).toEqual(Array(10).fill('enrolled'));
    }
    expect((await admin.getProfile(profile.id)).enrolledDeviceCount).toBe(20);
  });

  test('an expired token fails every device with the reason counted, exit 1', async () => {
    const { profile } = await world.rejectedToken('expired');
    const result = await runCli([
      'fleet',
      '--devices',
      '20',
      '--backend',
      backend.url,
      '--profile',
      profile!.id,
      '--json',
    ]);
    const summary = summaryOf(result);
    expect(result.code).toBe(1);
    expect(summary).toMatchObject({ devices: 20, succeeded: 0, failed: 20, failures: { expired: 20 } });
    expect(await fleetDevices(admin, summary.serialPrefix)).toEqual([]);
  });

  test('a token revoked before the fleet starts leaves nothing to scan: one line, exit 2', async () => {
    const { profile } = await world.rejectedToken('revoked');
    const result = await runCli([
      'fleet',
      '--devices',
      '3',
      '--backend',
      backend.url,
      '--profile',
      profile!.id,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stagesim: profile ".*" has no token to scan \(revoked\).*\n$/);
  });

  test('--provisioning kme: every device a Samsung registered with the exported KME JSON, enrolled with no scan', async () => {
    const profile = await world.profileFor({ tokenType: 'deviceStaging', mode: 'corporateOwnedWorkProfile' });
    const result = await runCli([
      'fleet',
      '--devices',
      '6',
      '--provisioning',
      'kme',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
      '--json',
    ]);
    const summary = summaryOf(result);
    expect(result.code).toBe(0);
    expect(summary).toMatchObject({ succeeded: 6, failed: 0, provisioning: 'kme', mode: 'workProfile' });
    const devices = await fleetDevices(admin, summary.serialPrefix);
    expect(devices.map((device) => [device.manufacturer, device.simulatorEnrollmentStage])).toEqual(
      Array.from({ length: 6 }, () => ['Samsung', 'enrolled']),
    );
    expect((await admin.getProfile(profile.id)).enrolledDeviceCount).toBe(6);
  });

  test('--provisioning zero-touch with the embedded backend', async () => {
    const summary = summaryOf(
      await runCli(['fleet', '--devices', '5', '--provisioning', 'zero-touch', '--json']),
    );
    expect(summary).toMatchObject({ succeeded: 5, failed: 0, provisioning: 'zero-touch' });
  });

  test('--flow that the profile does not have, and an unknown profile, are bad input', async () => {
    const profile = await world.profileFor(STAGING);
    const [mismatch, unknown] = await Promise.all([
      runCli([
        'fleet',
        '--devices',
        '3',
        '--backend',
        backend.url,
        '--profile',
        profile.id,
        '--flow',
        'default',
      ]),
      runCli(['fleet', '--devices', '3', '--backend', backend.url, '--profile', 'no-such-profile']),
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(
      /^stagesim: --flow default, but profile ".*" has a deviceStaging token\n$/,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^stagesim: the backend at .* has no enrollment profile "no-such-profile"\n$/,
    );
  });
});

describe('stagesim fleet refuses bad options', () => {
  // As commander hands them over: every value a string.
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /^--devices: expected the number of devices/],
    [{ devices: 'many' }, /^--devices: expected a whole number of devices$/],
    [{ devices: '0' }, /^--devices: at least 1 device$/],
    [{ devices: '1000001' }, /^--devices: at most 1,000,000 devices$/],
    [{ devices: '5', concurrency: '0' }, /^--concurrency: at least 1 device at a time$/],
    [{ devices: '5', concurrency: '10001' }, /^--concurrency: at most 10,000 devices at a time$/],
    [{ devices: '5', concurrency: '-2' }, /^--concurrency: expected a whole number$/],
    [{ devices: '5', flow: 'express' }, /^--flow: Invalid option: expected one of "staging"\|"default"$/],
    [{ devices: '5', mode: 'dedicated' }, /^--mode: Invalid option/],
    [{ devices: '5', until: 'forever' }, /^--until: Invalid option/],
    [{ devices: '5', embedded: 'cloud' }, /^--embedded: Invalid option/],
    [
      { devices: '5', provisioning: 'nfc' },
      /^--provisioning: Invalid option: expected one of "qr"\|"zero-touch"\|"kme"$/,
    ],
    [{ devices: '5', workers: '0' }, /^--workers: at least 1 worker thread$/],
    [{ devices: '100', workers: '65' }, /^--workers: at most 64 worker threads$/],
    [{ devices: '2', workers: '3' }, /^--workers: more workers \(3\) than devices \(2\)$/],
    [{ devices: '5', backend: 'http://127.0.0.1:9' }, /^--profile: --backend and --profile go together$/],
    [{ devices: '5', profile: 'abc' }, /^--backend: --backend and --profile go together$/],
    [{ devices: '5', backend: 'ftp://example.com', profile: 'p' }, /^--backend: an http\(s\) URL/],
    [{ devices: '5', adminKey: 'k' }, /^--admin-key: an admin key is for a running backend/],
    [{ devices: '5', domain: 'intranet' }, /^--domain: a domain such as contoso\.com$/],
  ];

  test.each(cases)('%j', (raw, message) => {
    expect(() => parseFleetFlags(raw, {})).toThrow(UsageError);
    expect(() => parseFleetFlags(raw, {})).toThrow(message);
  });

  test('good flags parse into the options runFleet takes, the admin key from the environment with --backend', () => {
    expect(parseFleetFlags({ devices: '10', workers: '2', until: 'staged', json: true }, {})).toMatchObject({
      devices: 10,
      workers: 2,
      until: 'staged',
      concurrency: 64,
      provisioning: 'qr',
      json: true,
    });
    expect(
      parseFleetFlags(
        { devices: '1', backend: 'http://127.0.0.1:9', profile: 'p' },
        { STAGESIM_ADMIN_KEY: 'from-the-environment' },
      ).adminKey,
    ).toBe('from-the-environment');
    expect(
      parseFleetFlags({ devices: '1' }, { STAGESIM_ADMIN_KEY: 'from-the-environment' }).adminKey,
    ).toBeUndefined();
  });

  test('as a command: one line on stderr, nothing on stdout, exit 2', async () => {
    const [missing, badFlow] = await Promise.all([
      runCli(['fleet']),
      runCli(['fleet', '--devices', '5', '--flow', 'express']),
    ]);
    for (const result of [missing, badFlow]) {
      expect({
        code: result.code,
        stdout: result.stdout,
        lines: result.stderr.trim().split('\n').length,
      }).toEqual({ code: 2, stdout: '', lines: 1 });
    }
    expect(badFlow.stderr).toBe('stagesim: --flow: Invalid option: expected one of "staging"|"default"\n');
  });
});
