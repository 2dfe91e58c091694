import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A temporary folder of files whose modification times a test sets, each given in seconds after one
 * fixed minute: what the build-freshness tests compare (sources, outputs, a build's stamp).
 */
export class FakeCheckout {
  readonly root = mkdtempSync(join(tmpdir(), 'stagesim-checkout-'));

  /** Writes `path` (folders made) and sets its time. */
  file(path: string, seconds: number): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), '// x\n');
    this.touch(path, seconds);
  }

  touch(path: string, seconds: number): void {
    const at = new Date(Date.UTC(2026, 11, 7, 12, 0, seconds));
    utimesSync(join(this.root, path), at, at);
  }

  remove(path: string): void {
    rmSync(join(this.root, path));
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A checkout of `files`, each with its time. */
export function fakeCheckout(files: Record<string, number>): FakeCheckout {
  const checkout = new FakeCheckout();
  for (const [path, seconds] of Object.entries(files)) checkout.file(path, seconds);
  return checkout;
}
