import { Option } from 'commander';
import { EXIT_FAILED, EXIT_OK } from '../exit';
import { newSeed } from '../../model-testing/random';
import { sabotage, sabotageFaults, type SabotageFault } from '../../model-testing/sabotage';
import {
  addSuiteOptions,
  embeddedTlsFrom,
  printLocalCa,
  reportersFrom,
  targetFrom,
  wholeNumber,
  workersFrom,
} from '../sharedOptions';
import type { RegisterCommand } from './index';
import { DEFAULT_SIMPLE_PATHS } from '../../model-testing/paths';

interface ModelOptions {
  target: string;
  paths: 'shortest' | 'simple';
  maxPaths?: number;
  seed?: number;
  only?: string[];
  sabotage?: SabotageFault;
  junit?: string;
  json?: string;
  html?: string;
  workers?: number;
}

export const registerModel: RegisterCommand = (program) => {
  const command = program
    .command('model')
    .description('generate tests from the device model and run them against the backend, with coverage')
    .addOption(
      new Option('--paths <strategy>', 'shortest paths covering every transition, or bounded simple paths')
        .choices(['shortest', 'simple'])
        .default('shortest'),
    )
    .option(
      '--max-paths <n>',
      `run at most N paths (simple paths default to ${DEFAULT_SIMPLE_PATHS})`,
      wholeNumber('--max-paths', 1),
    )
    .option(
      '--seed <n>',
      'seed for devices, typing and path order (printed with every run)',
      wholeNumber('--seed'),
    )
    .option('--only <ids...>', 'run only these path ids (as printed, e.g. path-007)')
    .addOption(
      new Option('--sabotage <fault>', 'break the device on purpose, to prove the suite catches it').choices(
        sabotageFaults,
      ),
    );
  addSuiteOptions(command, 'paths', "each path's backend serves");
  command.action(async (options: ModelOptions) => {
    // Loaded here, not to register: `stagesim model --help` and a flag commander refuses need no backend.
    const { runModelSuite } = await import('../../model-testing/runModelSuite');
    const tls = embeddedTlsFrom(options);
    printLocalCa('stagesim model', tls);
    const workers = workersFrom(options);
    const seed = options.seed ?? newSeed();
    const reporter = reportersFrom(options);
    const healthy = await targetFrom(options);
    const target = options.sabotage ? sabotage(healthy, options.sabotage) : healthy;
    try {
      const report = await runModelSuite({
        target,
        strategy: options.paths,
        seed,
        reporter,
        workers,
        ...(options.sabotage ? { sabotage: options.sabotage } : {}),
        ...(tls ? { tls } : {}),
        ...(options.maxPaths === undefined ? {} : { maxPaths: options.maxPaths }),
        ...(options.only ? { only: options.only } : {}),
      });
      const uncovered = report.coverage ? report.coverage.uncoveredTransitions.length : 0;
      // Every transition of the model must be exercised: a suite that misses one fails.
      const fullCoverage =
        options.only === undefined && options.maxPaths === undefined && options.paths === 'shortest';
      process.exitCode = report.failed > 0 || (fullCoverage && uncovered > 0) ? EXIT_FAILED : EXIT_OK;
    } finally {
      await target.close();
    }
  });
};
