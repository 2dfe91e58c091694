import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stagesimCommand } from '../testing/stagesimProcess';

/** `stagesim backend` as a real child process. */
const KEY = 'cli-admin-key-0123456789abcdef';

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function run(args: string[]): ChildProcessWithoutNullStreams {
  const command = stagesimCommand(['backend', ...args]);
  return spawn(command.command, command.args, {
    cwd: command.cwd,
    env: { ...process.env, STAGESIM_ADMIN_KEY: '' },
  });
}

function collect(child: ChildProcessWithoutNullStreams) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code) => done({ code, stdout, stderr })),
  );
  return { exited, stdout: () => stdout };
}

async function start(args: string[]): Promise<Started> {
  const child = run(args);
  const output = collect(child);
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout());
      if (match) done(match[1]!);
    });
    output.exited.then(({ code, stderr }) =>
      fail(new Error(`stagesim backend exited with ${code}: ${stderr}`)),
    );
  });
  return { child, url, exited: output.exited };
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
    const results = await Promise.all(cases.map(([args]) => collect(run(args)).exited));
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
