import fs from 'node:fs';
import path from 'node:path';
import { StagesimError } from '../../agent/errors';
import { resolveOutputPath, writeReportFile } from './outputPath';
import { useTempDir } from './testing/tempDir';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StagesimError);
    return (error as StagesimError).code;
  }
  return undefined;
}

describe('resolveOutputPath', () => {
  const dir = useTempDir();

  test('resolves relative to the base folder and creates the folders on the way', () => {
    const base = path.join(dir(), 'work');
    fs.mkdirSync(base);
    const target = resolveOutputPath('reports/ci/junit.xml', base);
    expect(target).toBe(path.join(base, 'reports', 'ci', 'junit.xml'));
    expect(fs.statSync(path.dirname(target)).isDirectory()).toBe(true);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('defaults to the working directory', () => {
    const cwd = process.cwd();
    process.chdir(dir());
    try {
      expect(resolveOutputPath('run.json')).toBe(path.join(fs.realpathSync(dir()), 'run.json'));
    } finally {
      process.chdir(cwd);
    }
  });

  test.each(['../escape.xml', 'reports/../../escape.xml', '/etc/stagesim.xml', '..'])(
    'refuses %s with REPORT_PATH_OUTSIDE and a one-line message',
    (file) => {
      const base = path.join(dir(), 'work');
      fs.mkdirSync(base);
      let message = '';
      expect(
        codeOf(() => {
          try {
            resolveOutputPath(file, base);
          } catch (error) {
            message = (error as Error).message;
            throw error;
          }
        }),
      ).toBe('REPORT_PATH_OUTSIDE');
      expect(message).not.toContain('\n');
      expect(message).toContain(JSON.stringify(file));
      expect(fs.readdirSync(dir())).toEqual(['work']);
    },
  );

  test('an absolute path inside the base folder is fine', () => {
    const target = path.join(dir(), 'a', 'report.html');
    expect(resolveOutputPath(target, dir())).toBe(target);
  });

  test('refuses a folder link inside the base folder that points outside it, creating nothing there', () => {
    const base = path.join(dir(), 'work');
    const outside = path.join(dir(), 'outside');
    fs.mkdirSync(base);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(base, 'reports'));
    expect(codeOf(() => resolveOutputPath('reports/new/junit.xml', base))).toBe('REPORT_PATH_OUTSIDE');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('refuses a file link that points outside, and a dangling one', () => {
    const base = path.join(dir(), 'work');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(dir(), 'secret'), 'keep');
    fs.symlinkSync(path.join(dir(), 'secret'), path.join(base, 'junit.xml'));
    fs.symlinkSync(path.join(dir(), 'nothing-yet'), path.join(base, 'run.json'));
    expect(codeOf(() => resolveOutputPath('junit.xml', base))).toBe('REPORT_PATH_OUTSIDE');
    expect(codeOf(() => resolveOutputPath('run.json', base))).toBe('REPORT_PATH_OUTSIDE');
  });

  test('a link that stays inside the base folder is fine', () => {
    fs.mkdirSync(path.join(dir(), 'real'));
    fs.symlinkSync(path.join(dir(), 'real'), path.join(dir(), 'alias'));
    expect(resolveOutputPath('alias/report.html', dir())).toBe(path.join(dir(), 'alias', 'report.html'));
  });

  test('refuses an empty name, the base folder itself and a folder with REPORT_PATH_INVALID', () => {
    fs.mkdirSync(path.join(dir(), 'reports'));
    expect(codeOf(() => resolveOutputPath('', dir()))).toBe('REPORT_PATH_INVALID');
    expect(codeOf(() => resolveOutputPath('.', dir()))).toBe('REPORT_PATH_INVALID');
    expect(codeOf(() => resolveOutputPath('reports', dir()))).toBe('REPORT_PATH_INVALID');
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
});
