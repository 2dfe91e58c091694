import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { projectRoot } from '../../agent/projectRoot';

const run = promisify(execFile);
const compiled = join(projectRoot(), 'dist/harness/backend/heapGrowth.js');

/**
 * A backend's pattern, in small: a bounded cache of 30,000 records (about 19 MB live) whose every record
 * is promoted and then dropped, plus short-lived garbage per record. The child reports its largest heap
 * and the heap that survives a full collection.
 */
const churn = (bound: boolean) => `
  if (${bound}) require(${JSON.stringify(compiled)}).boundHeapGrowth();
  const live = new Map(); let peak = 0;
  for (let n = 0; n < 300000; n++) {
    live.set(n, { id: ('record-' + n).padEnd(120, '.'), values: Array.from({ length: 16 }, (_, i) => i + n) });
    if (live.size > 30000) live.delete(n - 30000);
    for (let i = 0; i < 10; i++) JSON.parse(JSON.stringify({ i, n }));
    if (n % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  global.gc();
  console.log(JSON.stringify({ peakMb: peak / 2 ** 20, liveMb: process.memoryUsage().heapUsed / 2 ** 20, kept: live.size }));
`;
const reportSchema = z.object({ peakMb: z.number(), liveMb: z.number(), kept: z.number() });

async function heapOf(bound: boolean) {
  const { stdout } = await run(process.execPath, ['--expose-gc', '-e', churn(bound)]);
  return reportSchema.parse(JSON.parse(stdout));
}

describe('boundHeapGrowth', () => {
  it('keeps the heap of a process with a churned cache well below what V8 grows it to unbounded', async () => {
    // Side by side, so that both children see the same machine.
    const [free, bounded] = await Promise.all([heapOf(false), heapOf(true)]);
    expect(bounded.kept).toBe(30_000);
    // Both keep the same live heap; only the slack above it differs (about 123 MB against 80 here).
    expect(Math.abs(bounded.liveMb - free.liveMb)).toBeLessThan(5);
    expect(bounded.peakMb).toBeLessThan(free.peakMb * 0.8);
  }, 60_000);
});
