import fs from 'node:fs';
import path from 'node:path';
import { StagesimError } from '../../agent/errors';
import { resolveContainedReportPath, resolveReportPath, writeReportFile } from './outputPath';
import { useTempDir } from './testing/tempDir';

/** The error `run` throws: a StagesimError with one line of message, or undefined when it throws none. */
function refusal(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StagesimError);
    expect((error as Error).message).not.toContain('\n');
    return { code: (error as StagesimError).code, message: (error as Error).message };
  }
  return undefined;
}

describe('resolveReportPath (a path from the command line)', () => {
  const dir = useTempDir();

  test('resolves relative to the working directory given and creates the folders on the way', () => {
    const cwd = path.join(dir(), 'work');
    fs.mkdirSync(cwd);
    const target = resolveReportPath('reports/ci/junit.xml', cwd);
    expect(target).toBe(path.join(cwd, 'reports', 'ci', 'junit.xml'));
    expect(fs.statSync(path.dirname(target)).isDirectory()).toBe(true);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('defaults to the process working directory', () => {
    const cwd = process.cwd();
    process.chdir(dir());
    try {
      expect(resolveReportPath('run.json')).toBe(path.join(fs.realpathSync(dir()), 'run.json'));
    } finally {
      process.chdir(cwd);
    }
  });

  test('goes outside the working directory when told: "..", "a/../../", and absolute paths elsewhere', () => {
    const cwd = path.join(dir(), 'checkout', 'repo');
    fs.mkdirSync(cwd, { recursive: true });
    expect(resolveReportPath('../up.xml', cwd)).toBe(path.join(dir(), 'checkout', 'up.xml'));
    expect(resolveReportPath('reports/../../../side/run.json', cwd)).toBe(
      path.join(dir(), 'side', 'run.json'),
    );
    const absolute = path.join(dir(), 'ci', 'artifacts', 'report.html');
    expect(resolveReportPath(absolute, cwd)).toBe(absolute);
    expect(fs.statSync(path.join(dir(), 'ci', 'artifacts')).isDirectory()).toBe(true);
  });

  test('writes through a folder link the user made, wherever it points', () => {
    const elsewhere = path.join(dir(), 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(dir(), 'reports'));
    const target = resolveReportPath('reports/new/junit.xml', dir());
    writeReportFile(target, '<testsuites/>');
    expect(fs.readFileSync(path.join(elsewhere, 'new', 'junit.xml'), 'utf8')).toBe('<testsuites/>');
  });

  test.each(['', '   ', 'a\u0000b'])('refuses %j with REPORT_PATH_INVALID: not a file name', (file) => {
    expect(refusal(() => resolveReportPath(file, dir()))).toEqual({
      code: 'REPORT_PATH_INVALID',
      message: `report path ${JSON.stringify(file)} is not a file name`,
    });
  });

  test.each(['.', '..', 'reports/', 'existing', 'link-to-folder', 'reports/..'])(
    'refuses the folder %j with REPORT_PATH_INVALID, creating nothing',
    (file) => {
      fs.mkdirSync(path.join(dir(), 'existing'));
      fs.symlinkSync(path.join(dir(), 'existing'), path.join(dir(), 'link-to-folder'));
      const cwd = dir();
      expect(refusal(() => resolveReportPath(file, cwd))).toEqual({
        code: 'REPORT_PATH_INVALID',
        message: `report path ${JSON.stringify(file)} is a folder, not a file`,
      });
      expect(fs.readdirSync(cwd).sort()).toEqual(['existing', 'link-to-folder']);
    },
  );

  test('refuses a path whose folder would have to replace a file, naming that folder', () => {
    fs.writeFileSync(path.join(dir(), 'notes'), 'keep');
    expect(refusal(() => resolveReportPath('notes/junit.xml', dir()))).toEqual({
      code: 'REPORT_PATH_INVALID',
      message: `report path "notes/junit.xml" cannot be written: a file is in the way of its folder ${path.join(dir(), 'notes')}`,
    });
    expect(fs.readFileSync(path.join(dir(), 'notes'), 'utf8')).toBe('keep');
  });
});

describe('resolveContainedReportPath (a path read from a file)', () => {
  const dir = useTempDir();

  test('resolves relative to the base folder and creates the folders on the way', () => {
    const base = path.join(dir(), 'work');
    fs.mkdirSync(base);
    const target = resolveContainedReportPath('reports/ci/junit.xml', base);
    expect(target).toBe(path.join(base, 'reports', 'ci', 'junit.xml'));
    expect(fs.statSync(path.dirname(target)).isDirectory()).toBe(true);
  });

  test.each(['../escape.xml', 'reports/../../escape.xml', '/etc/stagesim.xml'])(
    'refuses %s with REPORT_PATH_OUTSIDE and a one-line message, creating nothing',
    (file) => {
      const base = path.join(dir(), 'work');
      fs.mkdirSync(base);
      const refused = refusal(() => resolveContainedReportPath(file, base));
      expect(refused?.code).toBe('REPORT_PATH_OUTSIDE');
      expect(refused?.message).toBe(
        `report path ${JSON.stringify(file)} is outside the report folder ${base}`,
      );
      expect(fs.readdirSync(dir())).toEqual(['work']);
    },
  );

  test('an absolute path inside the base folder is fine', () => {
    const target = path.join(dir(), 'a', 'report.html');
    expect(resolveContainedReportPath(target, dir())).toBe(target);
  });

  test('refuses a folder link inside the base folder that points outside it, creating nothing there', () => {
    const base = path.join(dir(), 'work');
    const outside = path.join(dir(), 'outside');
    fs.mkdirSync(base);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(base, 'reports'));
    expect(refusal(() => resolveContainedReportPath('reports/new/junit.xml', base))?.code).toBe(
      'REPORT_PATH_OUTSIDE',
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('refuses a file link that points outside, and a dangling one', () => {
    const base = path.join(dir(), 'work');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(dir(), 'secret'), 'keep');
    fs.symlinkSync(path.join(dir(), 'secret'), path.join(base, 'junit.xml'));
    fs.symlinkSync(path.join(dir(), 'nothing-yet'), path.join(base, 'run.json'));
    expect(refusal(() => resolveContainedReportPath('junit.xml', base))?.code).toBe('REPORT_PATH_OUTSIDE');
    expect(refusal(() => resolveContainedReportPath('run.json', base))?.code).toBe('REPORT_PATH_OUTSIDE');
  });

  test('a link that stays inside the base folder is fine', () => {
    fs.mkdirSync(path.join(dir(), 'real'));
    fs.symlinkSync(path.join(dir(), 'real'), path.join(dir(), 'alias'));
    expect(resolveContainedReportPath('alias/report.html', dir())).toBe(
      path.join(dir(), 'alias', 'report.html'),
    );
  });

  test('refuses an empty name, the base folder itself and a folder with REPORT_PATH_INVALID', () => {
    fs.mkdirSync(path.join(dir(), 'reports'));
    expect(refusal(() => resolveContainedReportPath('', dir()))?.code).toBe('REPORT_PATH_INVALID');
    expect(refusal(() => resolveContainedReportPath('.', dir()))?.code).toBe('REPORT_PATH_INVALID');
    expect(refusal(() => resolveContainedReportPath('reports', dir()))?.code).toBe('REPORT_PATH_INVALID');
  });
});

describe('writeReportFile', () => {
  const dir = useTempDir();

  test('replaces a link at the target instead of writing through it', () => {
    const victim = path.join(dir(), 'victim');
    fs.writeFileSync(victim, 'keep');
    const target = path.join(dir(), 'report.xml');
    fs.symlinkSync(victim, target);
    writeReportFile(target, '<testsuites/>');
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    expect(fs.lstatSync(target).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('<testsuites/>');
  });

  test('replaces an old report whole and leaves no temporary file beside it', () => {
    const target = path.join(dir(), 'run.json');
    fs.writeFileSync(target, 'an old, longer report that must not show through');
    writeReportFile(target, '{}\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('{}\n');
    expect(fs.readdirSync(dir())).toEqual(['run.json']);
  });

  test('when the write fails, the old report stays as it was', () => {
    const target = path.join(dir(), 'run.json');
    fs.writeFileSync(target, 'old');
    // A folder where the temporary file goes makes the write fail before anything is renamed.
    fs.mkdirSync(path.join(dir(), `.run.json.${process.pid}.tmp`));
    expect(() => writeReportFile(target, 'new')).toThrow();
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
  });
});
