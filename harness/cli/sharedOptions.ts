import { type Command, Option } from 'commander';
import { z } from 'zod';
import { isStagesimError } from '../../agent/errors';
import { createReporters, type Reporter } from '../reporters';
import { appiumParallelSchema } from '../targets/appium/parallel';
import { loadCapabilitiesFile } from '../targets/appium/capabilities';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import type { Target } from '../targets/target';
import { UsageError } from './exit';

/**
 * Options that `stagesim model` and `stagesim run` share: where reports go and which target runs the
 * devices. Parsed once here with zod, so both commands refuse the same bad input with the same line.
 */
export function addReportOptions(command: Command): Command {
  return command
    .option('--junit <file>', 'write a JUnit XML report (for CI systems); any path, folders are created')
    .option('--json <file>', 'write a JSON report (for tools); any path, folders are created')
    .option(
      '--html <file>',
      'write a self-contained HTML report (for people); any path, folders are created',
    );
}

export function addTargetOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--target <target>', 'where devices run')
        .choices(['headless', 'appium'])
        .default('headless'),
    )
    .option(
      '--appium-url <url>',
      'with --target appium: an Appium server, Selenium Grid 4 hub or device cloud (default: start a local Appium server with the stagesim driver)',
    )
    .option(
      '--capabilities <file>',
      'with --target appium: W3C capabilities as JSON (see emulator-scripts/capabilities/)',
    )
    .option(
      '--parallel <n>',
      `with --target appium: device sessions at the same time, each with its own appium:systemPort (default ${appiumParallelSchema.parse(undefined)})`,
      wholeNumber('--parallel', 1),
    );
}

export interface TargetOptions {
  target?: string;
  appiumUrl?: string;
  capabilities?: string;
  parallel?: number;
}

const appiumUrlSchema = z.url({
  protocol: /^https?$/,
  error: 'expected an http(s) URL such as http://127.0.0.1:4723',
});

// Any string: an empty one or a folder is refused by createReporters with a line naming the report.
const reportOptionsSchema = z.object({
  junit: z.string().optional(),
  json: z.string().optional(),
  html: z.string().optional(),
});

/**
 * The console reporter plus whatever report files were asked for. The paths come from the command line,
 * so they may point anywhere (absolute, outside the working directory); an empty name or a folder is bad
 * input.
 */
export function reportersFrom(options: unknown): Reporter {
  const parsed = reportOptionsSchema.parse(options);
  try {
    return createReporters({
      console: { stream: process.stdout, isTTY: Boolean(process.stdout.isTTY) },
      ...parsed,
    });
  } catch (error) {
    if (isStagesimError(error, 'REPORT_PATH_INVALID')) throw new UsageError(error.message);
    throw error;
  }
}

export async function targetFrom(options: TargetOptions): Promise<Target> {
  switch (options.target ?? 'headless') {
    case 'headless': {
      const appiumOnly = [
        options.appiumUrl && '--appium-url',
        options.capabilities && '--capabilities',
        options.parallel !== undefined && '--parallel',
      ].filter(Boolean);
      if (appiumOnly.length > 0)
        throw new UsageError(
          `${appiumOnly.join(', ')} ${appiumOnly.length === 1 ? 'needs' : 'need'} --target appium`,
        );
      return new HeadlessTarget();
    }
    case 'appium': {
      let url: string | undefined;
      if (options.appiumUrl !== undefined) {
        const parsed = appiumUrlSchema.safeParse(options.appiumUrl);
        if (!parsed.success) throw new UsageError(`--appium-url: ${parsed.error.issues[0]!.message}`);
        url = parsed.data;
      }
      let capabilities;
      try {
        capabilities =
          options.capabilities === undefined ? undefined : loadCapabilitiesFile(options.capabilities);
        // Loaded on demand: webdriverio is big, and only this target needs it.
        const { AppiumTarget } = await import('../targets/appium/AppiumTarget');
        return await AppiumTarget.start({
          ...(url ? { url } : {}),
          ...(capabilities ? { capabilities } : {}),
          ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
        });
      } catch (error) {
        if (
          isStagesimError(error, 'CAPABILITIES_INVALID') ||
          isStagesimError(error, 'APPIUM_OPTIONS_INVALID')
        )
          throw new UsageError(`--capabilities ${error.message}`);
        throw error;
      }
    }
    default:
      throw new UsageError(`target "${options.target}" is not available in this build`);
  }
}

/** A whole number option, refused with one line when it is not one. */
export function wholeNumber(name: string, min = 0): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new UsageError(
        `${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`,
      );
    return Number(value);
  };
}
