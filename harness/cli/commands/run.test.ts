import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { runReportSchema } from '../../reporters/report';
import { runCli } from '../../testing/cli';
import { runInvariant } from '../../testing/runInvariant';

const LIBRARY = join(projectRoot(), 'scenarios');

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stagesim-run-cli-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Copies shipped scenarios into the test folder (under `sub`), so the test can add its own beside them. */
function library(names: string[], sub = 'scenarios'): string {
  mkdirSync(join(folder, sub), { recursive: true });
  for (const name of names) copyFileSync(join(LIBRARY, name), join(folder, sub, name));
  return sub;
}

const WRONG = `name: Wrong expectation
description: The device is staged, not enrolled; this scenario says otherwise on purpose.
steps:
  - admin: { createProfile: Frontline staging }
  - vendor: [unboxAndPowerOn, completeSetupWizard, scanQrCode]
  - expect: { screen: enrolled }
`;

describe('stagesim run', () => {
  test('runs scenarios headless, writes the reports and exits 0 when all pass', async () => {
    const dir = library(['staging-fully-managed-happy-path.yaml', 'staging-work-profile-happy-path.yaml']);
    const result = await runCli(['run', dir, '--json', 'run.json', '--junit', 'run.xml'], { cwd: folder });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 failed, 2 passed, 0 skipped (2 scenarios)');
    const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')));
    expect(report).toMatchObject({ kind: 'scenarios', target: 'headless', paths: 2, passed: 2 });
    expect(report.cases.map((c) => c.file)).toEqual([
      join(dir, 'staging-fully-managed-happy-path.yaml'),
      join(dir, 'staging-work-profile-happy-path.yaml'),
    ]);
    expect(readFileSync(join(folder, 'run.xml'), 'utf8')).toContain('tests="2"');
  });

  test('writes reports where the command says: absolute paths and paths outside the working directory', async () => {
    const checkout = join(folder, 'checkout');
    mkdirSync(checkout);
    const dir = join(folder, library(['staging-fully-managed-happy-path.yaml'], 'checkout/scenarios'));
    // What a CI system hands out: absolute paths under its own folder, which does not exist yet.
    const junit = join(folder, 'ci', 'reports', 'junit.xml');
    const html = join(folder, 'ci', 'html', 'index.html');
    const result = await runCli(
      ['run', dir, '--junit', junit, '--html', html, '--json', '../side/run.json'],
      { cwd: checkout },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml[^]*<testsuites[^>]* tests="1"/);
    expect(readFileSync(html, 'utf8')).toContain('<!DOCTYPE html>');
    const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'side', 'run.json'), 'utf8')));
    expect(report).toMatchObject({ kind: 'scenarios', passed: 1, failed: 0 });
    // Whole files only: no temporary file is left beside a report.
    expect(readdirSync(join(folder, 'ci', 'reports'))).toEqual(['junit.xml']);
    expect(readdirSync(checkout)).toEqual(['scenarios']);
  });

  test.each([
    ['--junit', '', 'junit report path "" is not a file name'],
    ['--json', 'reports/', 'json report path "reports/" is a folder, not a file'],
    ['--html', '.', 'html report path "." is a folder, not a file'],
  ])('%s %j is refused with one line and exit 2, before anything runs', async (option, file, message) => {
    const result = await runCli(
      ['run', join(LIBRARY, 'staging-fully-managed-happy-path.yaml'), option, file],
      {
        cwd: folder,
      },
    );
    expect(result).toEqual({ code: 2, stdout: '', stderr: `stagesim: ${message}\n` });
    expect(readdirSync(folder)).toEqual([]);
  });

  test('an existing folder given as a report (absolute, outside the working directory) is refused the same way', async () => {
    const reports = join(folder, 'reports');
    mkdirSync(reports);
    mkdirSync(join(folder, 'cwd'));
    const result = await runCli(
      ['run', join(LIBRARY, 'staging-fully-managed-happy-path.yaml'), '--junit', reports],
      {
        cwd: join(folder, 'cwd'),
      },
    );
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `stagesim: junit report path ${JSON.stringify(reports)} is a folder, not a file\n`,
    });
    expect(readdirSync(reports)).toEqual([]);
  });

  test('a wrong expectation fails with a clear message and exit 1', async () => {
    writeFileSync(join(folder, 'wrong.yaml'), WRONG);
    const result = await runCli(['run', 'wrong.yaml'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'wrong.yaml:6: expect screen enrolled [XX1234]: screen is "staged" (Device staged: turn it off and hand it over), expected "enrolled"',
    );
    expect(result.stdout).toContain('1 failed, 0 passed, 0 skipped (1 scenario)');
  });

  test('an invalid file runs nothing, prints every problem as path:line and exits 2', async () => {
    const dir = library(['staging-fully-managed-happy-path.yaml']);
    writeFileSync(
      join(folder, dir, 'broken.yaml'),
      'name: Broken\ndescription: d\nsteps:\n  - vendor: scanQR\n  - expect: { stage: stage2 }\n',
    );
    writeFileSync(join(folder, dir, 'tagged.yaml'), 'name: !!js/function "x"\n');
    const result = await runCli(['run', dir], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      `${join(dir, 'broken.yaml')}:4:13: steps[0].vendor: unknown vendor command "scanQR"; did you mean scanQrCode? expected one of: unboxAndPowerOn, powerOn, completeSetupWizard, connectWifi, scanQrCode, enterToken, tryAgain, powerOff`,
      `${join(dir, 'broken.yaml')}:5:22: steps[1].expect.stage: expected a stage: none, tokenCreated, staged, adminProvisioned, enrolled, factoryReset`,
      `${join(dir, 'tagged.yaml')}:1:7: the tag !!js/function is not allowed: scenario files are plain data (text, numbers, true/false, lists and maps)`,
      'stagesim run: 3 problems in 2 files; nothing was run',
      '',
    ]);
    expect(result.stdout).toBe('');
  });

  test('--grep runs only the scenarios whose name, description, tags or file match', async () => {
    const dir = library([
      'staging-fully-managed-happy-path.yaml',
      'staging-work-profile-happy-path.yaml',
      'default-token-work-profile.yaml',
    ]);
    const result = await runCli(['run', dir, '--grep', 'WORK-PROFILE', '--json', 'grep.json'], {
      cwd: folder,
    });
    expect(result.code).toBe(0);
    const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'grep.json'), 'utf8')));
    expect(report.cases.map((c) => c.title)).toEqual([
      'Default token, corporate-owned work profile',
      'Staging token, corporate-owned work profile, happy path',
    ]);

    const none = await runCli(['run', dir, '--grep', 'no such scenario'], { cwd: folder });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('stagesim run: no scenario matches --grep "no such scenario"\n');
  });

  test('--bail stops at the first failing scenario and reports the rest as skipped', async () => {
    const dir = library(['staging-fully-managed-happy-path.yaml', 'staging-work-profile-happy-path.yaml']);
    writeFileSync(join(folder, dir, 'a-wrong.yaml'), WRONG);
    const result = await runCli(['run', dir, '--bail', '--json', 'bail.json'], { cwd: folder });
    expect(result.code).toBe(1);
    const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'bail.json'), 'utf8')));
    expect(report.cases.map((c) => c.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(result.stdout).toContain('1 failed, 0 passed, 2 skipped (3 scenarios)');

    const all = await runCli(['run', dir, '--json', 'all.json'], { cwd: folder });
    expect(all.code).toBe(1);
    expect(
      runReportSchema
        .parse(JSON.parse(readFileSync(join(folder, 'all.json'), 'utf8')))
        .cases.map((c) => c.status),
    ).toEqual(['failed', 'passed', 'passed']);
  });

  test('the shipped library on 1 thread and on 2: the same results, reports and output, in the same order', async () => {
    const reports = ['run.json', 'run.xml', 'run.html'];
    const runs = await Promise.all(
      ['1', '2'].map((workers) => {
        mkdirSync(join(folder, workers));
        return runCli(
          [
            'run',
            LIBRARY,
            '--workers',
            workers,
            '--json',
            'run.json',
            '--junit',
            'run.xml',
            '--html',
            'run.html',
          ],
          { cwd: join(folder, workers), timeoutMs: 120_000 },
        );
      }),
    );
    for (const result of runs) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const written = (workers: string) =>
      reports.map((file) => runInvariant(readFileSync(join(folder, workers, file), 'utf8')));
    const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, '2', 'run.json'), 'utf8')));
    expect(report.paths).toBeGreaterThan(30);
    expect(report.passed).toBe(report.paths);
    expect(written('2')).toEqual(written('1'));
    // Each scenario's backend is announced before its result, as on one thread.
    expect(runs[1]!.stdout.match(/scenario backend's admin console/g)!.length).toBeGreaterThanOrEqual(
      report.paths,
    );
    expect(runInvariant(runs[1]!.stdout)).toBe(runInvariant(runs[0]!.stdout));
  }, 180_000);

  test('--bail on 2 threads: what comes after the failing scenario is reported skipped, even if it ran, as on 1', async () => {
    const dir = library(['staging-fully-managed-happy-path.yaml', 'staging-work-profile-happy-path.yaml']);
    writeFileSync(join(folder, dir, 'staging-middle-wrong.yaml'), WRONG);
    const runs = await Promise.all(
      ['1', '2'].map((workers) =>
        runCli(['run', dir, '--bail', '--workers', workers, '--json', `bail${workers}.json`], {
          cwd: folder,
        }),
      ),
    );
    const cases = (workers: string) =>
      runReportSchema.parse(JSON.parse(readFileSync(join(folder, `bail${workers}.json`), 'utf8'))).cases;
    expect(runs.map((result) => result.code)).toEqual([1, 1]);
    expect(cases('2').map((c) => c.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(runInvariant(JSON.stringify(cases('2')))).toBe(runInvariant(JSON.stringify(cases('1'))));
    expect(runInvariant(runs[1]!.stdout)).toBe(runInvariant(runs[0]!.stdout));
  });

  test.each([
    [['run', 'missing.yaml'], /^missing\.yaml: no such file or folder\n/],
    [['run', '--backend', 'ftp://example.com'], /^stagesim: --backend: expected an http\(s\) URL/],
    [['run', '--grep', ' '], /^stagesim: --grep expects some text\n$/],
    [['run', '--target', 'emulator'], /argument 'emulator' is invalid/],
    [['run', '--workers', '0'], /^stagesim: --workers expects a whole number of at least 1, got "0"\n$/],
    [['run', '--workers', 'abc'], /^stagesim: --workers expects a whole number of at least 1, got "abc"\n$/],
    [['run', '--target', 'appium', '--workers', '2'], /^stagesim: --workers needs --target headless\n$/],
    [
      ['run', '--backend', 'http://127.0.0.1:9', '--workers', '2'],
      /^stagesim: --workers is for embedded backends: against --backend scenarios run one at a time\n$/,
    ],
  ])('bad input %j exits 2 with a clear line', async (args, message) => {
    const result = await runCli(args, { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('--watch re-runs a scenario file when it changes, until interrupted', async () => {
    const dir = library(['staging-fully-managed-happy-path.yaml']);
    const file = join(folder, dir, 'staging-fully-managed-happy-path.yaml');
    const child = spawn(
      process.execPath,
      [join(projectRoot(), 'dist', 'harness', 'cli', 'main.js'), 'run', dir, '--watch'],
      {
        cwd: folder,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const waitFor = async (text: string) => {
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) throw new Error(`stagesim exited before printing "${text}":\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await waitFor('watching for changes');
      // Saved the way editors save: a new file renamed over the old one.
      const broken = readFileSync(file, 'utf8').replace('screen: enrolled', 'screen: staged');
      writeFileSync(`${file}.tmp`, broken);
      renameSync(`${file}.tmp`, file);
      await waitFor('staging-fully-managed-happy-path.yaml changed');
      await waitFor('1 failed, 0 passed');
      child.kill('SIGINT');
      // The last run failed, so the watch ends with exit code 1.
      expect(await exited).toBe(1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
