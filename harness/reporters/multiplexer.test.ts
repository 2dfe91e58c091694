import { Multiplexer } from './multiplexer';
import type { Reporter } from './report';
import { captureStream } from './testing/tempDir';
import { feedReport, modelRunReport } from './testing/runReportFixture';

/** Records every hook it receives, in order. */
function recorder(log: string[], name: string, endDelayMs = 0): Reporter {
  return {
    onBegin: (info) => log.push(`${name}:begin:${info.total}`),
    onCaseBegin: (c) => log.push(`${name}:caseBegin:${c.id}`),
    onStepEnd: (caseId, step) => log.push(`${name}:step:${caseId}:${step.index}`),
    onCaseEnd: (c) => log.push(`${name}:caseEnd:${c.id}`),
    onEnd: async (r) => {
      await new Promise((resolve) => setTimeout(resolve, endDelayMs));
      log.push(`${name}:end:${r.paths}`);
    },
  };
}

describe('Multiplexer', () => {
  const report = modelRunReport();
  const stepCount = report.cases.reduce((n, c) => n + c.steps.length, 0);

  test('fans every hook out to every reporter, in order, and awaits async onEnd one after the other', async () => {
    const log: string[] = [];
    // a finishes later than b would: only running them one after the other keeps a first.
    await feedReport(
      new Multiplexer([
        { name: 'a', reporter: recorder(log, 'a', 30) },
        { name: 'b', reporter: recorder(log, 'b') },
      ]),
      report,
    );
    expect(log.filter((l) => l.startsWith('a:'))).toHaveLength(2 + 2 * report.cases.length + stepCount);
    expect(log.slice(0, 2)).toEqual(['a:begin:3', 'b:begin:3']);
    expect(log.slice(-2)).toEqual(['a:end:3', 'b:end:3']);
  });

  test('a reporter without hooks is fine', async () => {
    await expect(
      feedReport(new Multiplexer([{ name: 'empty', reporter: {} }]), report),
    ).resolves.toBeUndefined();
  });

  test('contains a throwing reporter: the others get every hook, its error is printed once as one line', async () => {
    const log: string[] = [];
    const stderr = captureStream();
    const broken: Reporter = {
      onStepEnd: () => {
        throw new Error('disk full\n  at somewhere');
      },
      onEnd: async () => {
        throw new TypeError('cannot write report');
      },
    };
    const mux = new Multiplexer(
      [
        { name: 'broken', reporter: broken },
        { name: 'good', reporter: recorder(log, 'good') },
      ],
      stderr,
    );
    await expect(feedReport(mux, report)).resolves.toBeUndefined();
    expect(log).toHaveLength(2 + 2 * report.cases.length + stepCount);
    expect(stderr.text().split('\n').filter(Boolean)).toEqual([
      'stagesim: broken reporter failed in onStepEnd: disk full at somewhere',
      'stagesim: broken reporter failed in onEnd: cannot write report',
    ]);
  });

  test('contains a rejected promise from a hook declared void', async () => {
    const stderr = captureStream();
    const asyncCaseEnd: Reporter = {
      onCaseEnd: (async () => Promise.reject(new Error('late failure'))) as unknown as Reporter['onCaseEnd'],
    };
    const mux = new Multiplexer([{ name: 'async', reporter: asyncCaseEnd }], stderr);
    await feedReport(mux, report);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr.text()).toBe('stagesim: async reporter failed in onCaseEnd: late failure\n');
  });

  test('a failing stderr does not fail the run either', async () => {
    const stderr = {
      write: () => {
        throw new Error('EPIPE');
      },
    };
    const mux = new Multiplexer(
      [
        {
          name: 'x',
          reporter: {
            onBegin: () => {
              throw new Error('boom');
            },
          },
        },
      ],
      stderr,
    );
    await expect(feedReport(mux, report)).resolves.toBeUndefined();
  });
});
