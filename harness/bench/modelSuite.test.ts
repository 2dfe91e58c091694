import { readModelSuiteRun } from './modelSuite';

const timing = { wallMs: 1612.5, cpuMs: 2210, workers: 1, paths: 53, passed: 53, failed: 0 };

/** What the bench reads back from the model suite's own process (the suite itself runs in run.test.ts). */
describe('readModelSuiteRun', () => {
  test('reads the last line the process printed', () => {
    expect(
      readModelSuiteRun({ code: 0, stdout: `a warning first\n${JSON.stringify(timing)}\n`, stderr: '' }),
    ).toEqual(timing);
  });

  test.each([
    [
      'a process that failed, with its first line of stderr',
      { code: 1, stdout: '', stderr: 'model suite: Error: boom\n    at x (y.js:1:1)\n' },
      "the model suite's process exited 1 without its timing: model suite: Error: boom",
    ],
    [
      'a process that printed no JSON',
      { code: 0, stdout: 'done\n', stderr: '' },
      'the model suite\'s process exited 0 without its timing: it printed "done"',
    ],
    [
      'a timing of the wrong shape',
      { code: 0, stdout: `${JSON.stringify({ ...timing, paths: -1 })}\n`, stderr: '' },
      "the model suite's process exited 0 without its timing: it printed",
    ],
    [
      'a process killed before it printed',
      { code: null, stdout: '', stderr: '' },
      'the model suite\'s process exited null without its timing: it printed ""',
    ],
  ])('%s is one clear error', (_what, run, message) => {
    let caught: unknown;
    try {
      readModelSuiteRun(run);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message.startsWith(message)).toBe(true);
    expect((caught as Error).message).not.toContain('\n');
  });
});
