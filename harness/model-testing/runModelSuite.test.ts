import { startBackend, type RunningBackend } from '../backend/server';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { runModelSuite } from './runModelSuite';

const target = new HeadlessTarget();
afterAll(() => target.close());

describe('runModelSuite on one thread', () => {
  // Paths left to share a backend unreset interfere (the same account gets one path's user-group
  // policies on another's device): every path passing shows each met a backend that knew nothing.
  it('runs every path against one backend, reset before each path but the first', async () => {
    const started: RunningBackend[] = [];
    let resets = 0;
    const report = await runModelSuite({
      target,
      strategy: 'shortest',
      seed: 1,
      reporter: {},
      startBackend: async () => {
        const backend = await startBackend();
        const reset = backend.reset;
        started.push({
          ...backend,
          reset: () => {
            resets += 1;
            return reset();
          },
        });
        return started.at(-1)!;
      },
    });
    expect(report.cases.filter((c) => c.status === 'failed').map((c) => c.failure?.message)).toEqual([]);
    expect(report.passed).toBe(report.paths);
    expect(started).toHaveLength(1);
    expect(resets).toBe(report.paths - 1);
    // Closed with the suite.
    const error = await started[0]!.reset().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BACKEND_CLOSED' });
  });
});
