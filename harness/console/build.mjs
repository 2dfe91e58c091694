// Bundles the admin console (harness/console/web) into dist/console with esbuild: one ES module with
// Preact and htm inside, its stylesheet and page. Run by `npm run build`; the backend serves the result.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, 'web');
const out = join(here, '..', '..', 'dist', 'console');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(web, 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(web, 'index.html'), join(out, 'index.html'));
copyFileSync(join(web, 'app.css'), join(out, 'app.css'));
