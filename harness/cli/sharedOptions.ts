import { type Command, Option } from 'commander';
import { z } from 'zod';
import { isStagesimError } from '../../agent/errors';
import { createReporters, type Reporter } from '../reporters';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import type { Target } from '../targets/target';
import { UsageError } from './exit';

/**
 * Options that `stagesim model` and `stagesim run` share: where reports go and which target runs the
 * devices. Parsed once here with zod, so both commands refuse the same bad input with the same line.
 */
export function addReportOptions(command: Command): Command {
  return command
    .option('--junit <file>', 'write a JUnit XML report (for CI systems)')
    .option('--json <file>', 'write a JSON report (for tools)')
    .option('--html <file>', 'write a self-contained HTML report (for people)');
}

export function addTargetOptions(command: Command): Command {
  return command.addOption(new Option('--target <target>', 'where devices run').choices(['headless', 'appium']).default('headless'));
}

const reportOptionsSchema = z.object({
  junit: z.string().min(1).optional(),
  json: z.string().min(1).optional(),
  html: z.string().min(1).optional(),
});

/** The console reporter plus whatever report files were asked for; a path outside the folder is bad input. */
export function reportersFrom(options: unknown): Reporter {
  const parsed = reportOptionsSchema.parse(options);
  try {
    return createReporters({
      console: { stream: process.stdout, isTTY: Boolean(process.stdout.isTTY) },
      ...parsed,
    });
  } catch (error) {
    if (isStagesimError(error, 'REPORT_PATH_OUTSIDE')) throw new UsageError(error.message);
    throw error;
  }
}

export async function targetFrom(options: { target?: string }): Promise<Target> {
  switch (options.target ?? 'headless') {
    case 'headless':
      return new HeadlessTarget();
    default:
      throw new UsageError(`target "${options.target}" is not available in this build`);
  }
}

/** A whole number option, refused with one line when it is not one. */
export function wholeNumber(name: string, min = 0): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`);
    return Number(value);
  };
}
