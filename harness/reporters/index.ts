import { StagesimError, isStagesimError } from '../../agent/errors';
import { ConsoleReporter, type ConsoleReporterOptions } from './console';
import { HtmlReporter } from './html';
import { JsonReporter } from './json';
import { JUnitReporter } from './junit';
import { Multiplexer, type NamedReporter } from './multiplexer';
import { resolveReportPath } from './outputPath';
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
  /** Report files as the user named them: absolute, or relative to baseDir; they may point anywhere. */
  junit?: string;
  json?: string;
  html?: string;
  /** The folder relative report paths are resolved in (default: the working directory). */
  baseDir?: string;
  /** Where a failing reporter's one-line error goes (default: process.stderr). */
  stderr?: Pick<NodeJS.WritableStream, 'write'>;
}

/**
 * One Reporter for a run, fanning out to the reporters asked for. Every file path is resolved here, its
 * folders created, and an empty name or a folder refused with REPORT_PATH_INVALID, before the run starts,
 * so a bad path is reported as bad input rather than discovered after a long run. These paths come from
 * the command line, so they go where they say (see outputPath.ts).
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
      reporters.push({ name, reporter: new reporterClasses[name](reportPath(name, file, options.baseDir)) });
  }
  return new Multiplexer(reporters, options.stderr);
}

/** The path for one reporter; its error names the reporter, so "--json ''" reads as the json report's. */
function reportPath(name: ReporterName, file: string, baseDir: string | undefined): string {
  try {
    return resolveReportPath(file, baseDir);
  } catch (error) {
    if (isStagesimError(error, 'REPORT_PATH_INVALID'))
      throw new StagesimError('REPORT_PATH_INVALID', `${name} ${error.message}`, { cause: error });
    throw error;
  }
}

export type { Reporter, RunInfo, RunReport, CaseResult, StepResult, Coverage } from './report';
export { runReportSchema } from './report';
