import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { projectRoot } from '../../agent/projectRoot';
import { BenchHelp, BenchUsageError, parseBenchArgs } from './run';

/** The bench's arguments only: the bench itself measures for minutes and belongs to `npm run bench`. */
describe('npm run bench arguments', () => {
  test('default to 10,000 devices, a 100,000-device comparison, no million run, no ceiling and no JSON file', () => {
    expect(parseBenchArgs([])).toEqual({ devices: 10_000, large: 100_000, stage2: 0, ceiling: 0 });
    expect(
      parseBenchArgs(['--devices', '500', '--large', '0', '--stage2', '1000000', '--json', 'bench/run.json']),
    ).toEqual({ devices: 500, large: 0, stage2: 1_000_000, ceiling: 0, json: 'bench/run.json' });
  });

  test('--only names the parts to run, comma-separated', () => {
    expect(parseBenchArgs(['--only', 'fleet'])).toMatchObject({ only: ['fleet'] });
    expect(parseBenchArgs(['--only', 'fleet,model']).only).toEqual(['fleet', 'model']);
    expect(parseBenchArgs([]).only).toBeUndefined();
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
    [['--json', 'a.json', 'extra'], "Unexpected argument 'extra'"],
    [['--only', 'fleet,speed'], '--only expects parts from fleet, scale, model, qr, admin, library'],
    [['--only', ''], '--only expects parts from fleet, scale, model, qr, admin, library'],
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

  const bench = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(projectRoot(), 'dist/harness/bench/run.js'), ...args], {
        cwd: folder,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  test('a folder is refused before anything is measured: one line, exit 2', async () => {
    mkdirSync(join(folder, 'history'));
    expect(await bench(['--json', 'history'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'bench: --json: report path "history" is a folder, not a file\n',
    });
    expect(readdirSync(join(folder, 'history'))).toEqual([]);
  });

  test('an unknown option is refused the same way', async () => {
    const result = await bench(['--devices', '200', '--quick']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^bench: Unknown option '--quick'[^\n]*\n$/);
  });
});
