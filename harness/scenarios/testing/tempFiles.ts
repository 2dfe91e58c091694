import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder per test, removed after it, with a helper to write files into it. */
export function useTempFiles(prefix = 'stagesim-scenarios-'): {
  dir: () => string;
  write: (name: string, content: string | Buffer) => string;
} {
  let dir: string | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const current = () => {
    if (!dir) throw new Error('useTempFiles: only inside a test');
    return dir;
  };
  return {
    dir: current,
    write: (name, content) => {
      const file = path.join(current(), name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
  };
}
