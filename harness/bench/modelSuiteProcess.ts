import { runModelSuiteBench } from './modelSuite';

/** One model-suite timing in a process of its own (runModelSuiteInNewProcess): one JSON line on stdout. */
runModelSuiteBench().then(
  (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
  (error: unknown) => {
    process.stderr.write(`model suite: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
