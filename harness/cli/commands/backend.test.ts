import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCa, issueServerCertificate } from '../../backend/tls/localCa';
import { startUntil } from '../../processes/childProcess';
import { runCli } from '../../testing/cli';
import { stagesimCommand } from '../testing/stagesimProcess';

/** `stagesim backend` as a real child process. */
const KEY = 'cli-admin-key-0123456789abcdef';

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
  stdout: () => string;
}

const ENV = { ...process.env, STAGESIM_ADMIN_KEY: '' };

/** `stagesim backend` to its end (a refusal: it never listens). */
const refused = (args: string[]) => runCli(['backend', ...args], { env: ENV });

async function start(args: string[]): Promise<Started> {
  const command = stagesimCommand(['backend', ...args]);
  const started = await startUntil(command.command, command.args, {
    cwd: command.cwd,
    env: ENV,
    ready: /listening on (https?:\/\/127\.0\.0\.1:\d+)/,
    name: 'stagesim backend',
  });
  return {
    child: started.child,
    url: started.match[1]!,
    exited: started.exited.then(({ code }) => ({ code, stderr: started.stderr() })),
    stdout: started.stdout,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('stagesim backend', () => {
  it('prints its URL, serves with the admin key, keeps --db across runs and exits cleanly on SIGTERM', async () => {
    const db = join(dir, 'cli.db');
    const first = await start([
      '--port',
      '0',
      '--db',
      db,
      '--admin-key',
      KEY,
      '--time-zone',
      'Europe/Berlin',
    ]);
    try {
      expect((await fetch(`${first.url}/simulator/health`)).status).toBe(200);
      expect((await fetch(`${first.url}/beta/deviceManagement/managedDevices`)).status).toBe(401);
      const created = await fetch(`${first.url}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          displayName: 'From the CLI',
          enrollmentMode: 'corporateOwnedWorkProfile',
          enrollmentTokenType: 'deviceStaging',
        }),
      });
      expect(created.status).toBe(201);
    } finally {
      first.child.kill('SIGTERM');
    }
    const ended = await first.exited;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toContain('SIGTERM, closed');
    // Tokens appear in logs masked only.
    expect(ended.stderr).toMatch(/token …[A-Z2-9]{4}\b/);

    const second = await start(['--db', db, '--admin-key', KEY]);
    try {
      const listed = await fetch(`${second.url}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = (await listed.json()) as { value: Array<{ displayName: string }> };
      expect(body.value.map((p) => p.displayName)).toEqual(['From the CLI']);
    } finally {
      second.child.kill('SIGINT');
    }
    expect((await second.exited).code).toBe(0);
  });

  it('serves HTTPS and WSS with --tls from a local CA it makes once in the data folder, and says how to trust it', async () => {
    const dataDir = join(dir, 'data');
    const first = await start(['--tls', '--data-dir', dataDir]);
    let caPem: string;
    try {
      expect(first.url).toMatch(/^https:/);
      // The trust lines follow the listening line; wait for the last of them.
      while (!first.stdout().includes('certutil')) await new Promise((done) => setTimeout(done, 20));
      const caPath = join(dataDir, 'ca.pem');
      expect(first.stdout()).toContain(`(devices: wss://127.0.0.1:`);
      expect(first.stdout()).toContain(`TLS certificate signed by the stagesim local CA: ${caPath}\n`);
      expect(first.stdout()).toContain(`NODE_EXTRA_CA_CERTS=${caPath}\n`);
      expect(first.stdout()).toContain(`REQUESTS_CA_BUNDLE=${caPath}\n`);
      expect(first.stdout()).toMatch(/update-ca-certificates|security add-trusted-cert/);
      caPem = readFileSync(caPath, 'utf8');
      // A Node client trusting the CA the way the output says: NODE_EXTRA_CA_CERTS.
      const client = spawnSync(
        process.execPath,
        [
          '-e',
          `fetch(${JSON.stringify(`${first.url}/simulator/health`)}).then((r) => r.text()).then(console.log)`,
        ],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath }, encoding: 'utf8' },
      );
      expect(client.stdout.trim()).toBe('{"status":"ok"}');
    } finally {
      first.child.kill('SIGTERM');
    }
    expect((await first.exited).code).toBe(0);
    // The second start keeps the CA users already trust.
    const second = await start(['--tls', '--data-dir', dataDir]);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(readFileSync(join(dataDir, 'ca.pem'), 'utf8')).toBe(caPem);
  });

  it('serves a certificate and key the user supplies', async () => {
    const ca = ensureLocalCa(join(dir, 'own-ca'));
    const own = issueServerCertificate(ca, ['127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), own.certPem);
    writeFileSync(join(dir, 'key.pem'), own.keyPem);
    const started = await start(['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    try {
      expect(started.url).toMatch(/^https:/);
      const client = spawnSync(
        process.execPath,
        [
          '-e',
          `fetch(${JSON.stringify(`${started.url}/simulator/health`)}).then((r) => r.status).then(console.log)`,
        ],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.certPath }, encoding: 'utf8' },
      );
      expect(client.stdout.trim()).toBe('200');
      expect(started.stdout()).not.toContain('local CA');
    } finally {
      started.child.kill('SIGTERM');
    }
    await started.exited;
  });

  it('refuses bad TLS options with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--tls-cert', '/nonexistent/cert.pem'], /^stagesim: --tls-cert and --tls-key go together\n$/],
      [
        ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
        /^stagesim: cannot read the certificate \/nonexistent\/cert\.pem: ENOENT.*\n$/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => refused(args)));
    results.forEach(({ code, stdout, stderr }, index) => {
      expect({ args: cases[index]![0], code, stdout }).toEqual({
        args: cases[index]![0],
        code: 2,
        stdout: '',
      });
      expect(stderr).toMatch(cases[index]![1]);
    });
  });

  it('refuses bad options with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--host', '0.0.0.0'],
        /^stagesim: listening on 0\.0\.0\.0 \(not loopback\) needs an admin key \(--admin-key\)\n$/,
      ],
      [['--port', 'eighty'], /^stagesim: --port: expected a port number from 0 to 65535\n$/],
      [['--time-zone', 'Mars/Olympus'], /^stagesim: unknown time zone "Mars\/Olympus".*\n$/],
      [
        ['--admin-key', 'short'],
        /^stagesim: backend option adminKey: the admin key must have at least 16 characters\n$/,
      ],
      [
        ['--tenant-domains', 'contoso.com,intranet'],
        /^stagesim: backend option tenantDomains\.1: a domain such as contoso\.com\n$/,
      ],
    ];
    // Each case is its own process; running them side by side keeps the suite quick.
    const results = await Promise.all(cases.map(([args]) => refused(args)));
    results.forEach(({ code, stdout, stderr }, index) => {
      expect({ args: cases[index]![0], code, stdout }).toEqual({
        args: cases[index]![0],
        code: 2,
        stdout: '',
      });
      expect(stderr).toMatch(cases[index]![1]);
    });
  });
});
