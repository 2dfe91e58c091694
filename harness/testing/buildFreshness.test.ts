import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildIsCurrent } from './buildFreshness';

describe('buildIsCurrent', () => {
  let root: string;
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, seconds));
  const file = (path: string, seconds: number) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '// x\n');
    utimesSync(join(root, path), at(seconds), at(seconds));
  };
  const current = (outputs = false) =>
    buildIsCurrent(root, {
      dist: join(root, 'out'),
      folders: [join(root, 'src')],
      skip: [join('src', 'browser')],
      ...(outputs
        ? { outputOf: (source: string) => source.replace('/src/', '/out/').replace(/\.ts$/, '.js') }
        : {}),
    });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stagesim-build-'));
    file('src/a.ts', 0);
    file('src/deep/b.ts', 0);
    file('out/.built', 10);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('every source older than the stamp: current; one changed after it, deep down: not', () => {
    expect(current()).toBe(true);
    file('src/deep/b.ts', 11);
    expect(current()).toBe(false);
  });

  test('what no build compiles is not asked about: tests, declarations, testing/, node_modules/, dist/, skipped folders, other files', () => {
    for (const path of [
      'src/a.test.ts',
      'src/types.d.ts',
      'src/testing/helper.ts',
      'src/node_modules/x/index.ts',
      'src/dist/old.ts',
      'src/browser/page.ts',
      'src/notes.md',
    ])
      file(path, 30);
    expect(current()).toBe(true);
  });

  test('with outputOf, a source without its output: not current', () => {
    file('out/a.js', 20);
    expect(current(true)).toBe(false);
    file('out/deep/b.js', 20);
    expect(current(true)).toBe(true);
  });

  test('no stamp: not current', () => {
    rmSync(join(root, 'out/.built'));
    expect(current()).toBe(false);
  });
});
