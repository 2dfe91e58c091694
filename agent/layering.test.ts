import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layers show: nothing the device side ships (agent/; tests and their testing/ helpers, which
 * start real backends, aside) imports the harness. Imports are
 * read with TypeScript's own pre-processor (import, export … from, import(), require), so a comment or
 * a string that mentions harness/ does not count and a dynamic import does.
 */
const ROOT = resolve(__dirname, '..');
const AGENT = join(ROOT, 'agent');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['dist', 'node_modules', 'testing'].includes(entry.name) ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

/** What `file` imports that lies under harness/, as "agent/x.ts -> ../../harness/y". */
function harnessImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => relative(ROOT, resolve(dirname(file), specifier)).split(/[\\/]/)[0] === 'harness')
    .map((specifier) => `${relative(ROOT, file)} -> ${specifier}`);
}

describe('layering', () => {
  test('agent/ never imports harness/', () => {
    const files = sourceFiles(AGENT);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => harnessImports(file))).toEqual([]);
  });

  test('the scan sees every form of import', () => {
    const file = join(AGENT, 'appium-driver', 'example.ts');
    const text = [
      "import { a } from '../../harness/a';",
      "export { b } from '../../harness/b';",
      "const c = import('../../harness/c');",
      "// import { d } from '../../harness/d';",
      "import { e } from '../model/e';",
    ].join('\n');
    expect(harnessImports(file, text)).toEqual([
      'agent/appium-driver/example.ts -> ../../harness/a',
      'agent/appium-driver/example.ts -> ../../harness/b',
      'agent/appium-driver/example.ts -> ../../harness/c',
    ]);
  });
});
