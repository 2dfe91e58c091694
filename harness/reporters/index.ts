import { ConsoleReporter, type ConsoleReporterOptions } from './console';
import { HtmlReporter } from './html';
import { JsonReporter } from './json';
import { JUnitReporter } from './junit';
import { Multiplexer, type NamedReporter } from './multiplexer';
import { resolveOutputPath } from './outputPath';
import type { Reporter } from './report';

/** Every reporter by name, in the order they run at the end (the console summary first). */
export const reporterClasses = {
  console: ConsoleReporter,
  junit: JUnitReporter,
  json: JsonReporter,
  html: HtmlReporter,
} as const;

export type ReporterName = keyof typeof reporterClasses;
export const reporterNames = Object.keys(reporterClasses) as ReporterName[];

export interface CreateReportersOptions {
  console?: ConsoleReporterOptions;
  /** Report files, relative to baseDir; each must stay inside it. */
  junit?: string;
  json?: string;
  html?: string;
  /** The folder report files are resolved in and confined to (default: the working directory). */
  baseDir?: string;
  /** Where a failing reporter's one-line error goes (default: process.stderr). */
  stderr?: Pick<NodeJS.WritableStream, 'write'>;
}

/**
 * One Reporter for a run, fanning out to the reporters asked for. Every file path is resolved (and
 * refused with REPORT_PATH_OUTSIDE if it leaves baseDir) here, before the run starts, so a bad path is
 * reported as bad input rather than discovered after a long run.
 */
export function createReporters(options: CreateReportersOptions): Reporter {
  const reporters: NamedReporter[] = [];
  for (const name of reporterNames) {
    if (name === 'console') {
      if (options.console) reporters.push({ name, reporter: new reporterClasses.console(options.console) });
      continue;
    }
    const file = options[name];
    if (file !== undefined)
      reporters.push({ name, reporter: new reporterClasses[name](resolveOutputPath(file, options.baseDir)) });
  }
  return new Multiplexer(reporters, options.stderr);
}

export type { Reporter, RunInfo, RunReport, CaseResult, StepResult, Coverage } from './report';
export { runReportSchema } from './report';
