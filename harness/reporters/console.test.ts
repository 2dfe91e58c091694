import { ConsoleReporter } from './console';
import { stripVTControlCharacters } from 'node:util';
import { coverageLine } from './format';
import { captureStream } from './testing/tempDir';
import {
  FAILURE_MESSAGE,
  HOSTILE,
  feedReport,
  hostileRunReport,
  modelRunReport,
} from './testing/runReportFixture';

const ESC = '\u001b';

function run(isTTY: boolean, report = modelRunReport(), color?: boolean): string {
  const stream = captureStream(120);
  const reporter = new ConsoleReporter({ stream, isTTY, ...(color === undefined ? {} : { color }) });
  void feedReport(reporter, report);
  return stream.text();
}

describe('ConsoleReporter', () => {
  const report = modelRunReport();
  const failed = report.cases[1]!;

  test('without a TTY: one plain line per case, no escape sequences at all (CI logs)', () => {
    const out = run(false, report);
    expect(out).not.toContain(ESC);
    const lines = out.split('\n');
    expect(lines[0]).toBe('stagesim model: 3 paths on headless, seed 1234');
    expect(lines.slice(1, 4)).toEqual([
      '  ✓ 1/3 Staging token: vendor stages, user enrolls (fully managed) (3.3s)',
      '  ✘ 2/3 Power lost during stage 3 enrollment (3.4s)',
      '  - 3/3 Default token: admin provisions, user sets up a work profile (skipped)',
    ]);
  });

  test('with a TTY: a progress bar instead of a line per case, failures logged above it, cursor restored', () => {
    const out = run(true, report);
    expect(out).toContain(`${ESC}[?25l`); // cursor hidden while the bar draws...
    expect(out).toContain(`${ESC}[?25h`); // ...and shown again at the end
    const plain = stripVTControlCharacters(out);
    expect(plain).toMatch(/█{30} 3\/3 paths \| 1 passed, 1 failed, 1 skipped/);
    expect(plain).toContain('✘ 2/3 Power lost during stage 3 enrollment');
    expect(plain).not.toContain('✓ 1/3');
    // Colours are on by default on a terminal.
    expect(out).toContain(`${ESC}[31m`);
  });

  test.each([false, true])(
    'summary (TTY %s): failures first with title, failing step, message and replay, then counts, coverage, duration',
    (isTTY) => {
      const out = stripVTControlCharacters(run(isTTY, report));
      const summary = out.slice(out.indexOf('Failures (1):'));
      const order = [
        'Failures (1):',
        `1) ${failed.title}`,
        `failing step ${failed.steps.length}: expect screen enrollment-incomplete`,
        FAILURE_MESSAGE,
        'replay:',
        '# stagesim replay: model path 2, seed 1234',
        '- assertScreen: enrollment-incomplete',
        '1 failed, 1 passed, 1 skipped (3 paths)',
        `Coverage: ${coverageLine(report.coverage!)}`,
        `uncovered states (${report.coverage!.uncoveredStates.length}):`,
        `uncovered transitions (${report.coverage!.uncoveredTransitions.length}):`,
        'Duration: 6.9s · seed 1234 · target headless',
      ];
      const positions = order.map((text) => summary.indexOf(text));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const id of [...report.coverage!.uncoveredStates, ...report.coverage!.uncoveredTransitions])
        expect(summary).toContain(`\n    ${id}\n`);
    },
  );

  test('a run without failures or coverage says so instead of printing empty sections', () => {
    const passing = { ...modelRunReport(), coverage: null, failed: 0, skipped: 0, paths: 1 };
    passing.cases = passing.cases.slice(0, 1);
    const out = run(false, passing);
    expect(out).not.toContain('Failures');
    expect(out).toContain('0 failed, 1 passed, 0 skipped (1 path)');
    expect(out).toContain('Coverage: not recorded');
  });

  test('text from the run cannot move the cursor or recolour the terminal', () => {
    const out = run(false, hostileRunReport());
    expect(out).not.toContain(ESC);
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(out).toContain(`${HOSTILE.slice(0, 20)}`);
  });

  test('colour can be forced off on a terminal (NO_COLOR style)', () => {
    const out = run(true, report, false);
    expect(out).not.toContain(`${ESC}[31m`);
  });
});
