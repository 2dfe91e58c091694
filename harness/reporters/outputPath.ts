import fs from 'node:fs';
import path from 'node:path';
import { StagesimError } from '../../agent/errors';

function isInside(base: string, candidate: string): boolean {
  const relative = path.relative(base, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The nearest folder on the way up from `dir` that exists, with symlinks resolved. */
function realExistingAncestor(dir: string): string {
  let current = dir;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), path.relative(current, dir));
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}

function outside(file: string, base: string): StagesimError {
  return new StagesimError(
    'REPORT_PATH_OUTSIDE',
    `report path ${JSON.stringify(file)} is outside the report folder ${base}`,
  );
}

/**
 * Resolves where a report goes: `file` relative to `baseDir` (default: the working directory), which it
 * must stay inside, then creates the folders on the way. Checked both as written and with symlinks
 * resolved, so neither "../x" nor a link inside the folder can send a report somewhere else.
 */
export function resolveOutputPath(file: string, baseDir: string = process.cwd()): string {
  if (file.trim() === '' || file.includes('\u0000')) {
    throw new StagesimError('REPORT_PATH_INVALID', `report path ${JSON.stringify(file)} is not a file name`);
  }
  const base = path.resolve(baseDir);
  const target = path.resolve(base, file);
  if (target === base)
    throw new StagesimError(
      'REPORT_PATH_INVALID',
      `report path ${JSON.stringify(file)} is the report folder itself, not a file`,
    );
  if (!isInside(base, target)) throw outside(file, base);

  const realBase = fs.realpathSync(base);
  const parent = path.dirname(target);
  if (parent !== base && !isInside(realBase, realExistingAncestor(parent))) throw outside(file, base);
  fs.mkdirSync(parent, { recursive: true });

  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat?.isSymbolicLink()) {
    // Writing follows the link; a dangling one is refused too, since its target would be created.
    let real: string | null;
    try {
      real = fs.realpathSync(target);
    } catch {
      real = null;
    }
    if (real === null || !isInside(realBase, real)) throw outside(file, base);
  } else if (stat?.isDirectory()) {
    throw new StagesimError(
      'REPORT_PATH_INVALID',
      `report path ${JSON.stringify(file)} is a folder, not a file`,
    );
  }
  return target;
}

/**
 * Writes a whole report or nothing: a run killed half-way must not leave a truncated file that CI then
 * reads as a report. The rename also replaces a link at `target` instead of writing through it.
 */
export function writeReportFile(target: string, content: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, content, { encoding: 'utf8', mode: 0o644 });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
