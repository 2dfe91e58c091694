import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { MAX_FRAME_BYTES } from '../../agent/protocol/messages';
import { startBackend } from '../backend/server';
import { GraphTestClient, PROFILES } from '../backend/testing/graphTestClient';
import { MAX_SCENARIO_BYTES, loadScenarios } from '../scenarios/loader';
import { runCli } from '../testing/cli';
import { FrameProbe } from './testing/frameProbe';

/**
 * Hostile input at every door: scenario files built to attack a YAML parser, report paths that cannot
 * be a report file or lead through links, an admin API reachable off loopback, and bodies and frames over
 * their limits. The scenario and report cases go through the real `stagesim` command.
 */
let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stagesim-hostile-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const HAPPY = join(projectRoot(), 'scenarios', 'staging-fully-managed-happy-path.yaml');

describe('hostile scenario files', () => {
  const billionLaughs = [
    'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map(
      (name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[index]}`).join(', ')}]`,
    ),
    'name: laughs',
    'steps: [{ vendor: powerOff }]',
  ].join('\n');
  const HOSTILE: Record<string, string | Buffer> = {
    'billion-laughs.yaml': billionLaughs,
    'js-function.yaml':
      "name: !!js/function \"function () { require('child_process').execSync('touch /tmp/stagesim-pwned') }\"\nsteps: [{ vendor: powerOff }]\n",
    'python-object.yaml':
      'name: !!python/object/apply:os.system ["touch /tmp/stagesim-pwned"]\nsteps: [{ vendor: powerOff }]\n',
    'proto-pollution.yaml':
      'name: polluter\nsteps: [{ vendor: powerOff }]\n__proto__: { polluted: yes }\nconstructor: { prototype: { polluted: yes } }\n',
    'merge-key.yaml': 'base: &base { vendor: powerOff }\nname: merged\nsteps:\n  - <<: *base\n',
    'deep-nesting.yaml': `name: deep\nsteps:\n  - ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    'duplicate-keys.yaml': 'name: a\nname: b\nsteps: [{ vendor: powerOff }]\n',
    'too-large.yaml': `name: big\nsteps: [{ vendor: powerOff }]\n# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`,
    'not-utf8.yaml': Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
  };

  test('are refused by the stagesim command before anything runs: exit 2, one line per problem, nothing built', async () => {
    for (const [name, content] of Object.entries(HOSTILE)) writeFileSync(join(folder, name), content);
    const result = await runCli(['run', folder, '--json', 'report.json'], { cwd: folder });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^stagesim run: \d+ problems in 9 files; nothing was run$/);
    for (const name of Object.keys(HOSTILE))
      expect(lines.some((line) => line.startsWith(join(folder, name)))).toBe(true);
    expect(lines.slice(0, -1).every((line) => /^\/.+\.yaml(:\d+:\d+)?: /.test(line))).toBe(true);
    expect(result.stderr).toMatch(/billion-laughs\.yaml.*more than 50 times/);
    expect(result.stderr).toMatch(/js-function\.yaml:1:7: .*the tag !!js\/function is not allowed/);
    expect(result.stderr).toMatch(/python-object\.yaml:1:7: .*is not allowed/);
    expect(result.stderr).not.toMatch(/at .+\.js:\d+/); // no stack trace
    expect(existsSync('/tmp/stagesim-pwned')).toBe(false);
    expect(existsSync(join(folder, 'report.json'))).toBe(false);
  }, 60_000);

  test('leave no trace on object prototypes when loaded in process', async () => {
    writeFileSync(join(folder, 'proto.yaml'), HOSTILE['proto-pollution.yaml']!);
    const { problems } = await loadScenarios([join(folder, 'proto.yaml')]);
    expect(problems.length).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('report paths', () => {
  // The person typing the command is trusted to name any file (CI hands out paths outside the checkout);
  // what is refused is a name that cannot be a report file.
  test.each([
    ['--junit', ''],
    ['--json', 'reports/'],
    ['--html', '..'],
    ['--junit', 'a-folder'],
    ['--json', 'a-file/run.json'],
  ])(
    '%s %j, which cannot be a report file, is refused with one line, exit 2, nothing written',
    async (option, path) => {
      const base = join(folder, 'base');
      mkdirSync(join(base, 'a-folder'), { recursive: true });
      writeFileSync(join(base, 'a-file'), 'keep');
      const result = await runCli(['run', HAPPY, option, path], { cwd: base });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^stagesim: (junit|json|html) report path /);
      expect(readdirSync(folder)).toEqual(['base']);
      expect(readdirSync(base).sort()).toEqual(['a-file', 'a-folder']);
      expect(readdirSync(join(base, 'a-folder'))).toEqual([]);
    },
  );

  test('a report through a folder link replaces a file link at its path instead of writing through it', async () => {
    const base = join(folder, 'base');
    const elsewhere = join(folder, 'elsewhere');
    mkdirSync(base);
    mkdirSync(elsewhere);
    writeFileSync(join(folder, 'victim'), 'keep');
    symlinkSync(elsewhere, join(base, 'reports'));
    symlinkSync(join(folder, 'victim'), join(elsewhere, 'junit.xml'));
    const written = await runCli(['run', HAPPY, '--junit', 'reports/junit.xml'], { cwd: base });
    expect(written.code).toBe(0);
    expect(readFileSync(join(folder, 'victim'), 'utf8')).toBe('keep');
    expect(lstatSync(join(elsewhere, 'junit.xml')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(elsewhere, 'junit.xml'), 'utf8')).toContain('<testsuites');
  }, 60_000);
});

describe('the admin key off loopback', () => {
  test.each(['0.0.0.0', '::'])('listening on %s without an admin key is refused', async (host) => {
    await expect(startBackend({ host })).rejects.toMatchObject({ code: 'ADMIN_KEY_REQUIRED' });
  });

  test('with a key, every admin call needs it (health aside), and guessing it is rate-limited', async () => {
    const key = 'hostile-input-admin-key-42';
    const backend = await startBackend({ host: '0.0.0.0', adminKey: key });
    try {
      const url = `http://127.0.0.1:${backend.port}`;
      const anonymous = new GraphTestClient(url);
      const admin = new GraphTestClient(url, key);
      expect((await anonymous.get('/simulator/health')).status).toBe(200);
      expect((await anonymous.get(PROFILES)).body).toMatchObject({
        error: { code: 'InvalidAuthenticationToken' },
      });
      expect((await admin.get(PROFILES)).status).toBe(200);
      const guesser = new GraphTestClient(url, 'a-wrong-guess-of-the-key');
      for (let i = 0; i < 9; i += 1) expect((await guesser.get(PROFILES)).status).toBe(401);
      const limited = await guesser.get(PROFILES);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Until the window passes, even the right key cannot tell the guesser it was right.
      expect((await admin.get(PROFILES)).status).toBe(429);
    } finally {
      await backend.close();
    }
  });

  test.each(['127.0.0.1', 'localhost'])('on loopback (%s) no key is needed', async (host) => {
    const backend = await startBackend({ host });
    try {
      expect((await new GraphTestClient(`http://127.0.0.1:${backend.port}`).get(PROFILES)).status).toBe(200);
    } finally {
      await backend.close();
    }
  });
});

describe('size limits', () => {
  test('an admin body of 64 KiB is read; one byte more is refused 413 in Graph form', async () => {
    const backend = await startBackend();
    try {
      const admin = GraphTestClient.for(backend);
      const body = (size: number) => {
        const head = '{"displayName":"';
        return `${head}${'x'.repeat(size - head.length - 2)}"}`;
      };
      expect(Buffer.byteLength(body(64 * 1024))).toBe(64 * 1024);
      const atLimit = await admin.post(PROFILES, body(64 * 1024));
      expect(atLimit.status).toBe(400);
      expect(atLimit.body.error.code).toBe('BadRequest');
      const over = await admin.post(PROFILES, body(64 * 1024 + 1));
      expect(over.status).toBe(413);
      expect(over.body).toMatchObject({ error: { code: 'RequestEntityTooLarge' } });
    } finally {
      await backend.close();
    }
  });

  test('a device frame of 16 KiB is answered; one byte more closes that connection (1009) and no other', async () => {
    const backend = await startBackend();
    try {
      const frame = (size: number) => {
        const head = '{"type":"factoryReset","requestId":"r","pad":"';
        return `${head}${'x'.repeat(size - head.length - 2)}"}`;
      };
      const bystander = await FrameProbe.open(backend.channelUrl);
      const atLimit = await FrameProbe.open(backend.channelUrl, { maxPayload: 0 });
      expect(await atLimit.exchange(frame(MAX_FRAME_BYTES))).toMatchObject({
        reply: { type: 'error', code: 'notRegistered' },
      });
      expect(await atLimit.exchange(frame(MAX_FRAME_BYTES + 1))).toEqual({ closed: 1009 });
      expect(await bystander.exchange(frame(100))).toMatchObject({
        reply: { type: 'error', code: 'notRegistered' },
      });
      bystander.close();
    } finally {
      await backend.close();
    }
  });
});
