import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCa, issueServerCertificate } from '../../backend/tls/localCa';
import { fleetSummarySchema } from '../../fleet/summary';
import { runCli } from '../../testing/cli';

/**
 * run, model, fleet and demo with the backend they start serving HTTPS and WSS. With --tls its
 * certificate comes from the data folder's local CA, which the command hands to every client it has;
 * NODE_EXTRA_CA_CERTS is unset, so a client that was not handed it fails. With --tls-cert and --tls-key
 * the user's certificate is trusted the usual way (here NODE_EXTRA_CA_CERTS names its CA). The built
 * CLI, real servers on loopback.
 */
let dataDir: string;
let own: { dir: string; ca: string; cert: string; key: string; otherKey: string };
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'stagesim-embedded-tls-'));
  const dir = mkdtempSync(join(tmpdir(), 'stagesim-own-cert-'));
  const ca = ensureLocalCa(join(dir, 'ca'));
  const server = issueServerCertificate(ca, ['127.0.0.1', 'localhost']);
  own = {
    dir,
    ca: ca.certPath,
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    otherKey: join(dir, 'other-key.pem'),
  };
  writeFileSync(own.cert, server.certPem);
  writeFileSync(own.key, server.keyPem);
  writeFileSync(own.otherKey, issueServerCertificate(ca, ['127.0.0.1']).keyPem);
  env = { NODE_EXTRA_CA_CERTS: undefined, STAGESIM_ADMIN_KEY: undefined, STAGESIM_DATA_DIR: dataDir };
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(own.dir, { recursive: true, force: true });
});

const caLine = (command: string) =>
  `${command}: TLS certificate signed by the stagesim local CA: ${join(dataDir, 'ca.pem')} (stagesim backend --tls prints how to trust it)\n`;

describe('--tls: the embedded backend serves the local CA, every client of the command trusts it', () => {
  test('stagesim demo: admin over HTTPS, the device over WSS, enrolled', async () => {
    const result = await runCli(['demo', '--tls'], { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: caLine('stagesim demo'),
    });
    expect(result.stdout).toMatch(/^Embedded backend at https:\/\/127\.0\.0\.1:\d+ /m);
    expect(result.stdout).toContain('backend: enrolled, "john@contoso.com_AndroidEnterprise_');
    expect(existsSync(join(dataDir, 'ca-key.pem'))).toBe(true);
  });

  test('stagesim run: a scenario that restarts its backend, which comes back with TLS', async () => {
    const result = await runCli(
      ['run', '--tls', '--data-dir', dataDir, 'scenarios/backend-restart-between-stages.yaml'],
      { env: { ...env, STAGESIM_DATA_DIR: undefined } },
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: caLine('stagesim run') });
    expect(result.stdout).toMatch(/scenario backend's admin console at https:\/\/127\.0\.0\.1:\d+\//);
    expect(result.stdout).toMatch(/0 failed, 1 passed/);
  });

  test('stagesim model: one path against a backend of its own', async () => {
    const result = await runCli(['model', '--tls', '--max-paths', '1', '--seed', '7'], { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: caLine('stagesim model'),
    });
    expect(result.stdout).toMatch(/0 failed, 1 passed/);
  });

  test("stagesim fleet: the backend's child process, two worker threads, stage 1 over HTTPS", async () => {
    const result = await runCli(['fleet', '--tls', '--devices', '4', '--workers', '2', '--json'], { env });
    expect(result.code).toBe(0);
    // The console's address on stderr too, so that stdout stays one JSON object.
    const [first, console, ...rest] = result.stderr.split('\n');
    expect([`${first}\n`, rest]).toEqual([caLine('stagesim fleet'), ['']]);
    expect(console).toMatch(/^stagesim fleet: admin console at https:\/\/127\.0\.0\.1:\d+\/$/);
    const summary = fleetSummarySchema.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ devices: 4, succeeded: 4, failed: 0, workers: 2 });
    expect(summary.backend.embedded).toBe('child');
    expect(summary.backend.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('--tls-cert and --tls-key: the user certificate, trusted the usual way', () => {
  test('stagesim fleet enrolls through it when NODE_EXTRA_CA_CERTS names its CA', async () => {
    const result = await runCli(
      [
        'fleet',
        '--tls-cert',
        own.cert,
        '--tls-key',
        own.key,
        '--devices',
        '2',
        '--embedded',
        'inline',
        '--json',
      ],
      { env: { ...env, NODE_EXTRA_CA_CERTS: own.ca } },
    );
    expect(result.code).toBe(0);
    const summary = fleetSummarySchema.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ succeeded: 2, failed: 0, backend: { embedded: 'inline' } });
    expect(summary.backend.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('stagesim model fails at the TLS handshake when nothing trusts its CA: the traffic is TLS', async () => {
    const result = await runCli(
      ['model', '--tls-cert', own.cert, '--tls-key', own.key, '--max-paths', '1', '--seed', '7'],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /cannot reach the backend at https:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate/,
    );
  });
});

test.each(['run', 'model', 'fleet', 'demo'])('stagesim %s --help names the TLS options', async (command) => {
  const help = (await runCli([command, '--help'], { env })).stdout.replace(/\s+/g, ' ');
  expect(help).toContain('--tls ');
  expect(help).toContain('--tls-cert <file>');
  expect(help).toContain("--tls-key <file> the PEM private key of --tls-cert's certificate");
  expect(help).toContain('handed to every client of this command; its path is printed');
  expect(help).toContain(
    '--data-dir <dir> where the local CA is kept (default: STAGESIM_DATA_DIR or ~/.stagesim)',
  );
});

describe('bad TLS input: one line, exit 2, nothing run and no CA made', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'run --tls with --backend',
      () => ['run', '--tls', '--backend', 'https://127.0.0.1:9', '--data-dir', join(own.dir, 'unused')],
      /^--tls is for the backend this command starts; a running one \(--backend\) serves its own TLS/,
    ],
    [
      'fleet --tls-cert with --backend',
      () => [
        'fleet',
        '--devices',
        '1',
        '--backend',
        'https://127.0.0.1:9',
        '--profile',
        'p',
        '--tls-cert',
        own.cert,
        '--tls-key',
        own.key,
      ],
      /^--tls-cert is for the backend this command starts/,
    ],
    [
      'demo --tls-cert without --tls-key',
      () => ['demo', '--tls-cert', own.cert],
      /^--tls-cert and --tls-key go together$/,
    ],
    [
      'model with a certificate file that is not there',
      () => ['model', '--tls-cert', join(own.dir, 'missing.pem'), '--tls-key', own.key],
      /^cannot read the certificate .*missing\.pem: ENOENT/,
    ],
    [
      "fleet with a key that is not the certificate's",
      () => ['fleet', '--devices', '1', '--tls-cert', own.cert, '--tls-key', own.otherKey],
      /: the key does not belong to the certificate$/,
    ],
    [
      'run with a key file that is not PEM',
      () => ['run', '--tls-cert', own.cert, '--tls-key', own.cert],
      /^.*cert\.pem and .*cert\.pem: /,
    ],
    [
      'model --tls with --target appium',
      () => ['model', '--tls', '--target', 'appium', '--data-dir', join(own.dir, 'unused')],
      /^--tls: devices behind Appium cannot be handed the local CA; give --tls-cert and --tls-key/,
    ],
    [
      'demo --tls with a damaged local CA',
      () => ['demo', '--tls', '--data-dir', join(own.dir, 'damaged')],
      /^the local CA in .*damaged cannot be used \(.*\); move ca\.pem and ca-key\.pem away to make a new one$/,
    ],
  ];

  test.each(cases)('%s', async (_name, args, message) => {
    const damaged = join(own.dir, 'damaged');
    if (!existsSync(damaged)) {
      ensureLocalCa(damaged);
      writeFileSync(join(damaged, 'ca.pem'), 'not a certificate');
    }
    const result = await runCli(args(), { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.replace(/^stagesim( \w+)?: /, '')).toMatch(message);
    expect(existsSync(join(own.dir, 'unused'))).toBe(false);
    expect(readFileSync(join(damaged, 'ca.pem'), 'utf8')).toBe('not a certificate');
  });
});
