import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { runToEnd } from '../processes/childProcess';
import { BenchHelp, BenchUsageError, parseBenchArgs } from './run';

/** The bench's arguments only: the bench itself measures for minutes and belongs to `npm run bench`. */
describe('npm run bench arguments', () => {
  test('default to 10,000 devices, a 100,000-device comparison, no million run, no ceiling, suites timed 3 times and no JSON file', () => {
    expect(parseBenchArgs([])).toEqual({ devices: 10_000, large: 100_000, stage2: 0, ceiling: 0, repeat: 3 });
    expect(
      parseBenchArgs([
        '--devices',
        '500',
        '--large',
        '0',
        '--stage2',
        '1000000',
        '--repeat',
        '5',
        '--json',
        'bench/run.json',
      ]),
    ).toEqual({ devices: 500, large: 0, stage2: 1_000_000, ceiling: 0, repeat: 5, json: 'bench/run.json' });
  });

  test('--only names the parts to run, once or repeated', () => {
    expect(parseBenchArgs(['--only', 'model'])).toMatchObject({ only: ['model'] });
    expect(parseBenchArgs(['--only', 'model', '--only', 'scenarios'])).toMatchObject({
      only: ['model', 'scenarios'],
    });
  });

  test('a million-device run is the most --stage2 takes', () => {
    expect(() => parseBenchArgs(['--stage2', '1000001'])).toThrow(
      /^--stage2 expects a whole number up to 1000000$/,
    );
  });

  test('--help gives the usage from the schema: each option, its description and its default', () => {
    let caught: unknown;
    try {
      parseBenchArgs(['--help']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BenchHelp);
    const usage = (caught as Error).message.split('\n');
    expect(usage[0]).toBe('Usage: npm run bench [-- options]');
    expect(usage).toContainEqual(
      expect.stringMatching(/^ {2}--devices N +devices in the fleet \(default 10000\)$/),
    );
    expect(usage).toContainEqual(
      expect.stringMatching(/^ {2}--json FILE +write every figure and verdict to FILE/),
    );
  });

  test.each([
    [['--devices', 'many'], '--devices expects a whole number of at least 100'],
    [['--devices', '99'], '--devices expects a whole number of at least 100'],
    [['--devices', '150.5'], '--devices expects a whole number of at least 100'],
    [['--json'], "Option '--json <value>' argument missing"],
    [['--repeat', '0'], '--repeat expects a whole number from 1 to 9'],
    [['--repeat', '10'], '--repeat expects a whole number from 1 to 9'],
    [['--repeat', 'twice'], '--repeat expects a whole number from 1 to 9'],
    [['--repeat', '1.5'], '--repeat expects a whole number from 1 to 9'],
    [['--only', 'fleets'], '--only expects one of fleet, model, qr, admin, scenarios, appium, got "fleets"'],
    [['--only'], "Option '--only <value>' argument missing"],
    [['--json', 'a.json', 'extra'], "Unexpected argument 'extra'"],
  ])('%j is refused with one line', (argv, message) => {
    let caught: unknown;
    try {
      parseBenchArgs(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BenchUsageError);
    expect((caught as Error).message).toContain(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});

describe('npm run bench --json FILE', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'stagesim-bench-args-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const bench = async (args: string[]) => {
    const bin = join(projectRoot(), 'dist/harness/bench/run.js');
    const { code, stdout, stderr } = await runToEnd(process.execPath, [bin, ...args], { cwd: folder });
    return { code, stdout, stderr };
  };

  test('a folder is refused before anything is measured: one line, exit 2', async () => {
    mkdirSync(join(folder, 'history'));
    expect(await bench(['--json', 'history'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'bench: --json: report path "history" is a folder, not a file\n',
    });
    expect(readdirSync(join(folder, 'history'))).toEqual([]);
  });

  test('--only model --repeat 2 times the model suite alone twice: its section and verdict, and the JSON says which part ran', async () => {
    const result = await bench(['--only', 'model', '--repeat', '2', '--json', 'model.json']);
    // Its verdict is a timing (met or not): either exit is a finished run, a crash is neither.
    expect([0, 1]).toContain(result.code);
    expect(result.stdout).toContain(
      '\n3. model suite: runModelSuite, shortest paths, headless target, 2 times in a new process',
    );
    expect(result.stdout.match(/^ {3}\d+ paths \(\d+ passed, 0 failed\) in [\d.]+ s on /gm)).toHaveLength(2);
    for (const other of [
      '1. fleet',
      '4. QR decode',
      '5. admin API',
      '6. scenario library',
      'not run  1,000,000',
    ])
      expect(result.stdout).not.toContain(other);
    const written = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as {
      command: string;
      parts: string[];
      verdicts: Array<{ target: string }>;
      fleet: unknown;
      model: {
        paths: number;
        passed: number;
        failed: number;
        wallMs: number;
        runs: Array<{ wallMs: number }>;
      };
    };
    expect(written.command).toBe('npm run bench -- --only model --repeat 2 --json model.json');
    expect(written.parts).toEqual(['model']);
    expect(written.fleet).toBeNull();
    expect(written.model.paths).toBeGreaterThan(0);
    expect(written.model.failed).toBe(0);
    // Two runs, each a new process's; the judged figure is one of them, the lower one of two.
    expect(written.model.runs).toHaveLength(2);
    expect(written.model.wallMs).toBe(Math.min(...written.model.runs.map((run) => run.wallMs)));
    expect(written.verdicts.map((v) => v.target)).toEqual([
      'model suite in at most 2 s (median), none failed',
    ]);
  }, 120_000);

  test('an unknown option is refused the same way', async () => {
    const result = await bench(['--devices', '200', '--quick']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^bench: Unknown option '--quick'[^\n]*\n$/);
  });
});
