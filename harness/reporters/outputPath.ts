import fs from 'node:fs';
import path from 'node:path';
import { StagesimError } from '../../agent/errors';

/**
 * Where report files go. Two rules, by who chose the path:
 *
 * - A path typed on the command line (`--junit/--json/--html FILE`) is the user's choice and goes
 *   wherever it says: absolute, relative to the working directory, or outside it (CI systems hand out
 *   paths such as /tmp/reports/junit.xml, as jest-junit, Maestro's --output and Playwright's reporters
 *   accept). `resolveReportPath`.
 * - A path read from a file (a scenario or config file that names where to write, which someone else may
 *   have written) must stay inside the folder it is resolved in, also with links resolved.
 *   `resolveContainedReportPath`. No file names a report path today; whatever starts to must use it.
 *
 * Both refuse an empty name and a folder, and create the folders on the way, before the run starts, so a
 * bad path is bad input (one line, exit 2) rather than a surprise after a long run.
 *
 * Error codes: REPORT_PATH_INVALID, REPORT_PATH_OUTSIDE.
 */

function invalid(file: string, why: string): StagesimError {
  return new StagesimError('REPORT_PATH_INVALID', `report path ${JSON.stringify(file)} ${why}`);
}

function outside(file: string, base: string): StagesimError {
  return new StagesimError(
    'REPORT_PATH_OUTSIDE',
    `report path ${JSON.stringify(file)} is outside the report folder ${base}`,
  );
}

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

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The target of a path that names a file, or the reason it does not. */
function fileTarget(file: string, base: string): string {
  if (file.trim() === '' || file.includes('\u0000')) throw invalid(file, 'is not a file name');
  // "reports/" names a folder even before it exists; path.resolve would drop the slash.
  if (/[/\\]$/.test(file) || ['.', '..'].includes(path.basename(file)))
    throw invalid(file, 'is a folder, not a file');
  return path.resolve(base, file);
}

/** Creates the folders on the way to `target`; a file where a folder must be is bad input. */
function makeParents(file: string, target: string): void {
  const parent = path.dirname(target);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw invalid(file, `cannot be written: a file is in the way of its folder ${parent}`);
    throw invalid(file, `cannot be written: creating its folder ${parent} failed (${code ?? 'error'})`);
  }
}

function refuseFolder(file: string, target: string): void {
  // statSync follows links: a link to a folder is a folder. A path that does not exist yet is fine, and
  // one with a file on the way (ENOTDIR) is makeParents' to refuse.
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
  }
  if (stat?.isDirectory()) throw invalid(file, 'is a folder, not a file');
}

/**
 * A report path from the command line: resolved against `cwd` (default: the working directory), wherever
 * it points; its folders are created.
 */
export function resolveReportPath(file: string, cwd: string = process.cwd()): string {
  const target = fileTarget(file, path.resolve(cwd));
  refuseFolder(file, target);
  makeParents(file, target);
  return target;
}

/**
 * A report path read from a file: resolved against `baseDir`, which it must stay inside, as written and
 * with links resolved, so neither "../x" nor a link inside the folder can send a report somewhere else.
 */
export function resolveContainedReportPath(file: string, baseDir: string): string {
  const base = path.resolve(baseDir);
  const target = fileTarget(file, base);
  if (target === base) throw invalid(file, 'is the report folder itself, not a file');
  if (!isInside(base, target)) throw outside(file, base);

  const realBase = fs.realpathSync(base);
  const parent = path.dirname(target);
  if (parent !== base && !isInside(realBase, realExistingAncestor(parent))) throw outside(file, base);

  const stat = lstatOrNull(target);
  if (stat?.isSymbolicLink()) {
    // Writing follows the link; a dangling one is refused too, since its target would be created.
    let real: string | null;
    try {
      real = fs.realpathSync(target);
    } catch {
      real = null;
    }
    if (real === null || !isInside(realBase, real)) throw outside(file, base);
  }
  refuseFolder(file, target);
  makeParents(file, target);
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
