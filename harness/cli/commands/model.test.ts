import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReportSchema } from '../../reporters/report';
import { runCli } from '../../testing/cli';

// Two of these run the whole generated suite through the real bin; on a loaded 2-core CI machine that
// can take a minute, which is no failure (the suite's wall time is a benchmark, not a test).
const WHOLE_SUITE_MS = 240_000;

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stagesim-model-cli-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('stagesim model', () => {
  test(
    'runs every generated path, covers every transition, writes the JSON report and exits 0',
    async () => {
      const result = await runCli(['model', '--seed', '11', '--json', 'model.json', '--junit', 'junit.xml'], {
        cwd: folder,
        timeoutMs: WHOLE_SUITE_MS,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')));
      expect(report).toMatchObject({ kind: 'model', seed: 11, failed: 0 });
      expect(report.paths).toBe(report.passed);
      expect(report.coverage!.transitions.covered).toBe(report.coverage!.transitions.total);
      expect(report.coverage!.states.covered).toBe(report.coverage!.states.total);
      expect(result.stdout).toMatch(/transitions \d+\/\d+ \(100%\)/);
      expect(readFileSync(join(folder, 'junit.xml'), 'utf8')).toContain(`tests="${report.paths}"`);
    },
    WHOLE_SUITE_MS,
  );

  test(
    'a device broken on purpose is caught: the failing path is printed with its replay and the exit code is 1',
    async () => {
      const result = await runCli(
        ['model', '--seed', '5', '--sabotage', 'skip-power-off', '--json', 'broken.json'],
        { cwd: folder, timeoutMs: WHOLE_SUITE_MS },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/path-\d{3}/);
      expect(result.stdout).toContain('replay with: stagesim model --seed 5 --only path-');
      expect(result.stdout).toContain('device is in state stagingStage2.readyToPowerOff');
      const report = runReportSchema.parse(JSON.parse(readFileSync(join(folder, 'broken.json'), 'utf8')));
      expect(report.failed).toBeGreaterThan(0);
      expect(report.cases.find((c) => c.status === 'failed')!.failure!.replay).toContain('POWER_OFF');
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
  ])('bad input %j is one clear line and exit 2', async (args, message) => {
    const result = await runCli(args, { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
