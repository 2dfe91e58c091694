import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReportSchema } from '../../reporters/report';
import { runCli } from '../../testing/cli';
import { runInvariant } from '../../testing/runInvariant';

// Two of these run the whole generated suite through the real bin; on a loaded 2-core CI machine that
// can take a minute, which is no failure (the suite's wall time is a benchmark, not a test).
const WHOLE_SUITE_MS = 240_000;

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stagesim-model-cli-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('stagesim model', () => {
  /** The same command on 1 thread and on 2, side by side; what each wrote, with the times masked. */
  async function onOneAndTwo(args: string[], reports: string[]) {
    const runs = await Promise.all(
      [1, 2].map((workers) =>
        runCli([...args, '--workers', String(workers)], {
          cwd: join(folder, String(workers)),
          timeoutMs: WHOLE_SUITE_MS,
        }),
      ),
    );
    const written = (workers: number) =>
      reports.map((file) => runInvariant(readFileSync(join(folder, String(workers), file), 'utf8')));
    return { one: runs[0]!, two: runs[1]!, oneReports: written(1), twoReports: written(2) };
  }

  test(
    'runs every generated path, covers every transition, writes the reports and exits 0; the same on 1 thread and 2',
    async () => {
      for (const workers of ['1', '2']) mkdirSync(join(folder, workers));
      const { one, two, oneReports, twoReports } = await onOneAndTwo(
        ['model', '--seed', '11', '--json', 'model.json', '--junit', 'junit.xml', '--html', 'model.html'],
        ['model.json', 'junit.xml', 'model.html'],
      );
      for (const result of [one, two]) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/transitions \d+\/\d+ \(100%\)/);
      }
      const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, '2', 'model.json'), 'utf8')));
      expect(report).toMatchObject({ kind: 'model', seed: 11, failed: 0 });
      expect(report.paths).toBe(report.passed);
      expect(report.coverage!.transitions.covered).toBe(report.coverage!.transitions.total);
      expect(report.coverage!.states.covered).toBe(report.coverage!.states.total);
      expect(readFileSync(join(folder, '2', 'junit.xml'), 'utf8')).toContain(`tests="${report.paths}"`);
      // The same paths, results, steps and coverage, in the same order, whichever thread ran a path.
      expect(twoReports).toEqual(oneReports);
      expect(runInvariant(two.stdout)).toBe(runInvariant(one.stdout));
    },
    WHOLE_SUITE_MS,
  );

  test(
    'a device broken on purpose is caught: the failing path is printed with its replay and the exit code is 1; the same on 1 thread and 2',
    async () => {
      for (const workers of ['1', '2']) mkdirSync(join(folder, workers));
      const { one, two, oneReports, twoReports } = await onOneAndTwo(
        ['model', '--seed', '5', '--sabotage', 'skip-power-off', '--json', 'broken.json'],
        ['broken.json'],
      );
      expect(two.code).toBe(1);
      expect(two.stdout).toMatch(/path-\d{3}/);
      expect(two.stdout).toContain('replay with: stagesim model --seed 5 --only path-');
      expect(two.stdout).toContain('device is in state stagingStage2.readyToPowerOff');
      const report = runReportSchema.parse(
        JSON.parse(readFileSync(join(folder, '2', 'broken.json'), 'utf8')),
      );
      expect(report.failed).toBeGreaterThan(0);
      expect(report.cases.find((c) => c.status === 'failed')!.failure!.replay).toContain('POWER_OFF');
      expect(one.code).toBe(1);
      expect(twoReports).toEqual(oneReports);
      expect(runInvariant(two.stdout)).toBe(runInvariant(one.stdout));
    },
    WHOLE_SUITE_MS,
  );

  test('a device that signs in with another account is caught by the backend check', async () => {
    const result = await runCli(
      ['model', '--seed', '5', '--sabotage', 'wrong-account', '--only', 'path-001'],
      { cwd: folder },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/backend user is someone\.else\./);
  });

  test('bounded simple paths on request', async () => {
    const result = await runCli(
      ['model', '--paths', 'simple', '--max-paths', '4', '--seed', '2', '--json', 'simple.json'],
      { cwd: folder },
    );
    expect(result.code).toBe(0);
    expect(runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'simple.json'), 'utf8'))).paths).toBe(
      4,
    );
  });

  test.each([
    [['model', '--max-paths', 'many'], /--max-paths expects a whole number/],
    [['model', '--paths', 'longest'], /argument 'longest' is invalid/],
    [['model', '--seed', '-3'], /--seed expects a whole number/],
    [['model', '--json', '..'], /^stagesim: json report path "\.\." is a folder, not a file\n$/],
    [['model', '--sabotage', 'everything'], /argument 'everything' is invalid/],
    [['model', '--workers', '0'], /^stagesim: --workers expects a whole number of at least 1, got "0"\n$/],
    [
      ['model', '--workers', 'abc'],
      /^stagesim: --workers expects a whole number of at least 1, got "abc"\n$/,
    ],
    [['model', '--target', 'appium', '--workers', '2'], /^stagesim: --workers needs --target headless\n$/],
  ])('bad input %j is one clear line and exit 2', async (args, message) => {
    const result = await runCli(args, { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
