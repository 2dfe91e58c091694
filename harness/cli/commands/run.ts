import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../../agent/projectRoot';
import type { LoadedScenario } from '../../scenarios/loader';
import { isScenarioFileName, scenarioId } from '../../scenarios/scenarioFiles';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, UsageError } from '../exit';
import {
  addSuiteOptions,
  embeddedTlsFrom,
  printLocalCa,
  reportersFrom,
  targetFrom,
  workersFrom,
} from '../sharedOptions';
import type { RegisterCommand } from './index';

/**
 * stagesim run [files or folders...]: replays scenario files (the shipped scenarios/ folder by default).
 * Exit 0 when every scenario passes, 1 when one fails, 2 when a file is invalid (nothing runs; every
 * problem is printed as file:line:column: field: expected).
 */
interface RunOptions {
  target: string;
  junit?: string;
  json?: string;
  html?: string;
  bail?: boolean;
  grep?: string;
  watch?: boolean;
  backend?: string;
  adminKey?: string;
  workers?: number;
}

const backendUrlSchema = z.url({
  protocol: /^https?$/,
  error: 'expected an http(s) URL such as http://127.0.0.1:3000',
});

/** A change burst (an editor saving, a git checkout) is one re-run, not one per file event. */
const WATCH_DEBOUNCE_MS = 200;

export function matchesGrep(loaded: LoadedScenario, text: string): boolean {
  const needle = text.toLowerCase();
  const { name, description, tags } = loaded.scenario;
  return [name, description, scenarioId(loaded.file), ...tags].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

export const registerRun: RegisterCommand = (program) => {
  const command = program
    .command('run')
    .description(
      'run scenario files (YAML or JSON) against the backend; the shipped scenarios/ folder by default',
    )
    .argument('[paths...]', 'scenario files or folders (searched recursively for *.yaml, *.yml, *.json)')
    .option('--bail', 'stop after the first failing scenario (the rest are reported as skipped)')
    .option('--grep <text>', 'run only scenarios whose name, description, tags or file contain this text')
    .option('--watch', 're-run scenario files when they change, until interrupted')
    .option('--backend <url>', 'use this running backend instead of a fresh embedded one per scenario')
    .option('--admin-key <key>', "the backend's admin key (with --backend)");
  addSuiteOptions(command, 'scenarios', 'the embedded backends serve');
  command.action(async (paths: string[], options: RunOptions) => {
    const backendUrl = options.backend === undefined ? undefined : parseBackendUrl(options.backend);
    const workers = workersFrom(
      options,
      backendUrl ? 'is for embedded backends: against --backend scenarios run one at a time' : undefined,
    );
    const tls = embeddedTlsFrom(options);
    printLocalCa('stagesim run', tls);
    if (options.grep !== undefined && options.grep.trim() === '')
      throw new UsageError('--grep expects some text');
    const roots = paths.length > 0 ? paths : [join(projectRoot(), 'scenarios')];

    // Loaded here, not to register: `stagesim run --help` and a refused flag need neither the scenario
    // loader (yaml, the scenario schema) nor the runner (the backend it embeds, the world).
    const [{ formatProblem, loadScenarios }, { runScenarios }] = await Promise.all([
      import('../../scenarios/loader'),
      import('../../scenarios/runner'),
    ]);

    const runOnce = async (only?: ReadonlySet<string>): Promise<number> => {
      const { scenarios, problems } = await loadScenarios(only ? [...only] : roots);
      if (problems.length > 0) {
        for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
        const files = new Set(problems.map((problem) => problem.file)).size;
        process.stderr.write(
          `stagesim run: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; nothing was run\n`,
        );
        return EXIT_BAD_INPUT;
      }
      const selected =
        options.grep === undefined
          ? scenarios
          : scenarios.filter((loaded) => matchesGrep(loaded, options.grep!));
      if (selected.length === 0) {
        process.stderr.write(`stagesim run: no scenario matches --grep ${JSON.stringify(options.grep)}\n`);
        return EXIT_BAD_INPUT;
      }
      const reporter = reportersFrom(options);
      const target = await targetFrom(options);
      try {
        if (backendUrl)
          process.stdout.write(`stagesim run: admin console at ${new URL('/', backendUrl).href}\n`);
        const report = await runScenarios(selected, {
          target,
          reporter,
          bail: options.bail === true,
          workers,
          // Each scenario says where to watch its backend while it runs (one reset for it, or new).
          onBackendStarted: (consoleUrl) =>
            process.stdout.write(`stagesim run: scenario backend's admin console at ${consoleUrl}\n`),
          ...(backendUrl ? { backendUrl } : {}),
          ...(tls ? { tls } : {}),
          ...(options.adminKey ? { adminKey: options.adminKey } : {}),
        });
        return report.failed > 0 ? EXIT_FAILED : EXIT_OK;
      } finally {
        await target.close();
      }
    };

    const first = await runOnce();
    process.exitCode = first;
    if (!options.watch) return;
    process.exitCode = await watchAndRerun(roots, runOnce, first);
  });
};

function parseBackendUrl(text: string): string {
  const parsed = backendUrlSchema.safeParse(text);
  if (!parsed.success)
    throw new UsageError(`--backend: ${parsed.error.issues[0]!.message}, got ${JSON.stringify(text)}`);
  return text.replace(/\/+$/, '');
}

/**
 * Watches the given files and folders and re-runs the scenario files that changed, until SIGINT or
 * SIGTERM. Answers the exit code of the last run.
 *
 * Every folder is watched on its own rather than with `recursive`: Node's recursive watcher on Linux
 * watches files, and loses a file that an editor saves by writing a new one and renaming it over the old.
 */
async function watchAndRerun(
  roots: string[],
  runOnce: (only?: ReadonlySet<string>) => Promise<number>,
  first: number,
): Promise<number> {
  let last = first;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const watchers = new Map<string, FSWatcher>();

  const flush = () => {
    timer = null;
    const changed = pending;
    pending = new Set();
    running = running.then(async () => {
      // A file that was deleted, or renamed away, has nothing to run.
      const present = new Set<string>();
      for (const file of changed)
        if (
          await stat(file).then(
            (info) => info.isFile(),
            () => false,
          )
        )
          present.add(file);
      if (present.size === 0) return;
      process.stdout.write(
        `\nstagesim run: ${[...present].map((file) => scenarioId(file)).join(', ')} changed\n`,
      );
      last = await runOnce(present);
    });
  };

  const changed = (file: string) => {
    pending.add(resolve(file));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, WATCH_DEBOUNCE_MS);
  };

  const watchFolder = async (folder: string, only?: string) => {
    if (watchers.has(folder)) return;
    watchers.set(
      folder,
      watch(folder, (event, name) => {
        if (!name) return;
        const file = join(folder, name.toString());
        if (only !== undefined) {
          if (file === only) changed(file);
        } else if (isScenarioFileName(name.toString())) {
          changed(file);
        } else if (event === 'rename' && !name.toString().startsWith('.')) {
          // A new folder: watch it (and what it holds) too.
          void stat(file).then(
            (info) => (info.isDirectory() ? watchTree(file) : undefined),
            () => undefined,
          );
        }
      }),
    );
  };

  const watchTree = async (folder: string): Promise<void> => {
    await watchFolder(folder);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        await watchTree(join(folder, entry.name));
    }
  };

  for (const root of roots) {
    const absolute = resolve(root);
    if ((await stat(absolute)).isDirectory()) await watchTree(absolute);
    else await watchFolder(dirname(absolute), absolute);
  }
  process.stdout.write('\nstagesim run: watching for changes (Ctrl+C to stop)\n');

  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (timer) clearTimeout(timer);
  for (const watcher of watchers.values()) watcher.close();
  await running;
  return last;
}
