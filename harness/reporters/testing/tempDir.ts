import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder for each test, removed after it: reporters write real files. */
export function useTempDir(prefix = 'stagesim-reports-'): () => string {
  let dir: string | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  return () => {
    if (!dir) throw new Error('useTempDir: only inside a test');
    return dir;
  };
}

/** Collects what a reporter writes, as a stream stand-in. */
export function captureStream(columns?: number): {
  write: (chunk: string) => boolean;
  text: () => string;
  columns?: number;
} {
  let text = '';
  return {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    text: () => text,
    ...(columns === undefined ? {} : { columns }),
  };
}
