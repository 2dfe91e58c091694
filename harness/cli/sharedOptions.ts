import { type Command, Option } from 'commander';
import { z } from 'zod';
import { isStagesimError } from '../../agent/errors';
import { backendOptionsSchema } from '../backend/options';
import {
  defaultDataDir,
  localCaEmbeddedTls,
  trustInstructions,
  userTls,
  type EmbeddedTls,
} from '../backend/tls/serverTls';
import { createReporters, type Reporter } from '../reporters';
import { appiumParallelSchema } from '../targets/appium/parallel';
import { loadCapabilitiesFile } from '../targets/appium/capabilities';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import type { Target } from '../targets/target';
import { UsageError } from './exit';
import { WORKERS_HELP, workersSchema } from '../threads/sharedRun';

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

/** The TLS flags of `stagesim backend`, and of run, model, fleet and demo for the backend they start. */
export const tlsOptionsSchema = z.object({
  tls: z.boolean().default(false),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
});

/**
 * `serves`: who serves, as help starts the line ("serve", "the embedded backend serves"); `ca`: what
 * becomes of the local CA.
 */
export function addTlsOptions(
  command: Command,
  serves: string,
  ca = 'handed to every client of this command; its path is printed',
): Command {
  return command
    .option(
      '--tls',
      `${serves} HTTPS and WSS with a certificate from the local CA (made once in the data folder; ${ca})`,
    )
    .option('--tls-cert <file>', `${serves} HTTPS and WSS with this PEM certificate (with --tls-key)`)
    .option('--tls-key <file>', "the PEM private key of --tls-cert's certificate")
    .option('--data-dir <dir>', 'where the local CA is kept (default: STAGESIM_DATA_DIR or ~/.stagesim)');
}

/**
 * TLS for a backend listening on `host`: --tls-cert and --tls-key (they go together, and imply --tls)
 * serve the user's certificate, --tls one from the data folder's local CA, neither none. A file that
 * cannot be read, a key that is not the certificate's or a damaged CA is one line (exit 2).
 */
export function tlsFrom(raw: unknown, host: string): EmbeddedTls | undefined {
  const parsed = tlsOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${flagOf(issue.path[0])}: expected ${issue.message}`);
  }
  const options = parsed.data;
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  try {
    if (options.tlsCert !== undefined) return { server: userTls(options.tlsCert, options.tlsKey!) };
    if (!options.tls) return undefined;
    return localCaEmbeddedTls(options.dataDir ?? defaultDataDir(), host);
  } catch (error) {
    if (isStagesimError(error, 'TLS_CERT_INVALID') || isStagesimError(error, 'TLS_CA_INVALID'))
      throw new UsageError(error.message);
    throw error;
  }
}

const embeddedTlsOptionsSchema = z.looseObject({
  backend: z.string().optional(),
  target: z.string().optional(),
  tls: z.unknown().optional(),
  tlsCert: z.unknown().optional(),
  tlsKey: z.unknown().optional(),
});

/**
 * TLS for the backend a command starts itself (on the default host), which every client of the command
 * then trusts. A running backend (--backend) has TLS of its own (`stagesim backend --tls`), and devices
 * behind Appium cannot be handed the local CA: those are refused with one line, before any CA is made.
 */
export function embeddedTlsFrom(raw: unknown): EmbeddedTls | undefined {
  const options = embeddedTlsOptionsSchema.parse(raw);
  const own = options.tlsCert !== undefined || options.tlsKey !== undefined;
  if (options.backend !== undefined && (own || options.tls !== undefined))
    throw new UsageError(
      `${own ? '--tls-cert' : '--tls'} is for the backend this command starts; a running one (--backend) serves its own TLS (stagesim backend --tls)`,
    );
  if (!own && options.tls !== undefined && options.target === 'appium')
    throw new UsageError(
      '--tls: devices behind Appium cannot be handed the local CA; give --tls-cert and --tls-key with a certificate they trust',
    );
  return tlsFrom(raw, backendOptionsSchema.shape.host.parse(undefined));
}

/** Where the local CA is, when the command's backend serves it: on stderr, so JSON on stdout stays JSON. */
export function printLocalCa(command: string, tls: EmbeddedTls | undefined): void {
  const caPath = tls?.server.caPath;
  if (caPath)
    process.stderr.write(
      `${command}: ${trustInstructions(caPath)[0]} (stagesim backend --tls prints how to trust it)\n`,
    );
}

/** The command-line flag of an options object's key: tlsCert is --tls-cert. */
export function flagOf(key: PropertyKey | undefined): string {
  return `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** --workers of `stagesim model` and `stagesim run`: `what` is what the threads run ("paths"). */
export function addWorkersOption(command: Command, what: string): Command {
  return command.option(`--workers <n>`, `${what}: ${WORKERS_HELP}`, wholeNumber('--workers', 1));
}

/**
 * The options of a command that runs a suite (stagesim model, stagesim run): threads, target, reports and
 * the TLS its embedded backends serve. `items` names what the threads share out ("paths", "scenarios").
 */
export function addSuiteOptions(command: Command, items: string, tlsServes: string): Command {
  addWorkersOption(command, items);
  addTargetOptions(command);
  addReportOptions(command);
  return addTlsOptions(command, tlsServes);
}

/**
 * The threads to run on: --workers, or the schema's default from the cores. Only the headless target
 * runs on worker threads (Appium keeps its own sessions, --parallel); `alone` says why else not, and a
 * --workers given anyway is refused with one line.
 */
export function workersFrom(options: { workers?: number; target?: string }, alone?: string): number {
  const reason = (options.target ?? 'headless') !== 'headless' ? 'needs --target headless' : alone;
  if (reason === undefined) return workersSchema.parse(options.workers);
  if (options.workers !== undefined && options.workers > 1) throw new UsageError(`--workers ${reason}`);
  return 1;
}
