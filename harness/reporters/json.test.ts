import fs from 'node:fs';
import path from 'node:path';
import { isStagesimError } from '../../agent/errors';
import { JsonReporter } from './json';
import { runReportSchema, type RunReport } from './report';
import { hostileRunReport, modelRunReport } from './testing/runReportFixture';
import { useTempDir } from './testing/tempDir';

describe('JsonReporter', () => {
  const dir = useTempDir();

  test.each([
    ['a realistic run', modelRunReport],
    ['a run full of hostile text', hostileRunReport],
  ])('%s round-trips through runReportSchema unchanged', (_name, make) => {
    const report = make();
    const file = path.join(dir(), 'run.json');
    new JsonReporter(file).onEnd(report);
    const read = runReportSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(read).toEqual(report);
  });

  test('refuses a report that does not match the schema, and writes nothing', () => {
    const file = path.join(dir(), 'run.json');
    const broken = { ...modelRunReport(), passed: 'one' } as unknown as RunReport;
    let caught: unknown;
    try {
      new JsonReporter(file).onEnd(broken);
    } catch (error) {
      caught = error;
    }
    expect(isStagesimError(caught, 'REPORT_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('passed');
    expect(fs.readdirSync(dir())).toEqual([]);
  });

  test('replaces an earlier report whole, leaving no temporary file behind', () => {
    const file = path.join(dir(), 'run.json');
    fs.writeFileSync(file, 'x'.repeat(100_000));
    new JsonReporter(file).onEnd(modelRunReport());
    expect(() => JSON.parse(fs.readFileSync(file, 'utf8'))).not.toThrow();
    expect(fs.readdirSync(dir())).toEqual(['run.json']);
  });
});
