import fs from 'node:fs';
import path from 'node:path';
import { isStagesimError } from '../../agent/errors';
import { createReporters, reporterClasses, reporterNames } from './index';
import { runReportSchema, type RunReport } from './report';
import { captureStream, useTempDir } from './testing/tempDir';
import { feedReport, modelRunReport } from './testing/runReportFixture';

describe('createReporters', () => {
  const dir = useTempDir();

  test('one table names every reporter', () => {
    expect(reporterNames).toEqual(['console', 'junit', 'json', 'html']);
    expect(Object.values(reporterClasses).every((cls) => typeof cls === 'function')).toBe(true);
  });

  test('every reporter asked for reports the run: console output and three files under baseDir', async () => {
    const stream = captureStream();
    const stderr = captureStream();
    const reporter = createReporters({
      console: { stream, isTTY: false },
      junit: 'reports/junit.xml',
      json: 'reports/run.json',
      html: 'reports/html/index.html',
      baseDir: dir(),
      stderr,
    });
    await feedReport(reporter, modelRunReport());
    expect(stderr.text()).toBe('');
    expect(stream.text()).toContain('1 failed, 1 passed, 1 skipped (3 paths)');
    expect(fs.readFileSync(path.join(dir(), 'reports/junit.xml'), 'utf8')).toContain('<testsuites');
    expect(
      runReportSchema.parse(JSON.parse(fs.readFileSync(path.join(dir(), 'reports/run.json'), 'utf8'))).paths,
    ).toBe(3);
    expect(fs.readFileSync(path.join(dir(), 'reports/html/index.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });

  test('only what is asked for: no options, no output', async () => {
    const reporter = createReporters({ baseDir: dir() });
    await feedReport(reporter, modelRunReport());
    expect(fs.readdirSync(dir())).toEqual([]);
  });

  test('paths may leave baseDir (the user typed them): an absolute one and "../" are written there', async () => {
    const base = path.join(dir(), 'work');
    fs.mkdirSync(base);
    const reporter = createReporters({
      json: '../up/run.json',
      junit: path.join(dir(), 'ci', 'junit.xml'),
      baseDir: base,
    });
    await feedReport(reporter, modelRunReport());
    expect(
      runReportSchema.parse(JSON.parse(fs.readFileSync(path.join(dir(), 'up', 'run.json'), 'utf8'))).paths,
    ).toBe(3);
    expect(fs.readFileSync(path.join(dir(), 'ci', 'junit.xml'), 'utf8')).toContain('<testsuites');
  });

  test('a folder or an empty name is refused before the run, naming the report, and nothing is written', () => {
    fs.mkdirSync(path.join(dir(), 'reports'));
    let caught: unknown;
    try {
      createReporters({ json: 'ok.json', html: 'reports', baseDir: dir() });
    } catch (error) {
      caught = error;
    }
    expect(isStagesimError(caught, 'REPORT_PATH_INVALID')).toBe(true);
    expect((caught as Error).message).toBe('html report path "reports" is a folder, not a file');
    expect(() => createReporters({ junit: '', baseDir: dir() })).toThrow(
      'junit report path "" is not a file name',
    );
    expect(fs.readdirSync(dir())).toEqual(['reports']);
  });

  test('a reporter that fails does not stop the others and is reported on one line', async () => {
    const stderr = captureStream();
    const reporter = createReporters({ json: 'run.json', junit: 'junit.xml', baseDir: dir(), stderr });
    const broken = { ...modelRunReport(), seed: 1.5 } as RunReport;
    await feedReport(reporter, broken);
    expect(fs.readdirSync(dir())).toEqual(['junit.xml']);
    expect(stderr.text()).toMatch(
      /^stagesim: json reporter failed in onEnd: run report does not match its schema: [^\n]*seed[^\n]*\n$/,
    );
  });
});
