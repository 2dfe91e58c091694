import { join } from 'node:path';
import { buildIsCurrent } from './buildFreshness';
import { fakeCheckout, type FakeCheckout } from './fakeCheckout';

describe('buildIsCurrent', () => {
  let tree: FakeCheckout;
  const current = (outputs = false) =>
    buildIsCurrent(tree.root, {
      dist: join(tree.root, 'out'),
      folders: [join(tree.root, 'src')],
      skip: [join('src', 'browser')],
      ...(outputs
        ? { outputOf: (source: string) => source.replace('/src/', '/out/').replace(/\.ts$/, '.js') }
        : {}),
    });
  beforeEach(() => {
    tree = fakeCheckout({ 'src/a.ts': 0, 'src/deep/b.ts': 0, 'out/.built': 10 });
  });
  afterEach(() => tree.close());

  test('every source older than the stamp: current; one changed after it, deep down: not', () => {
    expect(current()).toBe(true);
    tree.file('src/deep/b.ts', 11);
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
      tree.file(path, 30);
    expect(current()).toBe(true);
  });

  test('with outputOf, a source without its output: not current', () => {
    tree.file('out/a.js', 20);
    expect(current(true)).toBe(false);
    tree.file('out/deep/b.js', 20);
    expect(current(true)).toBe(true);
  });

  test('no stamp: not current', () => {
    tree.remove('out/.built');
    expect(current()).toBe(false);
  });
});
