import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { startBackend } from '../../backend/server';
import { planSuite, runPlannedPath } from '../../model-testing/runModelSuite';
import { loadScenarios } from '../../scenarios/loader';
import { runScenario } from '../../scenarios/runner';
import { HeadlessTarget } from '../headless/HeadlessTarget';
import type { Target } from '../target';
import { AppiumTarget } from './AppiumTarget';
import { startAppiumProcess } from './localAppium';
import { AppiumSession } from './session';
import pLimit from 'p-limit';
import { percentile } from '../../statistics/percentile';

/**
 * Wall times of the Appium path, for the README (jest makes no timing assertions):
 *   npx ts-node --transpile-only harness/targets/appium/measure.ts
 * The local server's start and stop, session creation, and the scenario library and the model suite
 * through Appium (one session, then several at once) next to the headless target.
 */
const SEED = 20240622;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const rows: Array<[string, string]> = [];
  const row = (what: string, value: string) => {
    rows.push([what, value]);
    process.stdout.write(`${what}: ${value}\n`);
  };
  // What the README must name with the figures: the date, the machine and its load.
  row('date', new Date().toISOString());
  row(
    'machine',
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const [server, startMs] = await timed(() => startAppiumProcess());
  row('local Appium server start (child process, until /status answers)', `${Math.round(startMs)} ms`);
  const backend = await startBackend();
  const caps = {
    platformName: 'Android',
    'appium:automationName': 'StagesimDevice',
    'stagesim:backendUrl': backend.url,
  };
  const creations: number[] = [];
  for (let i = 0; i < 11; i += 1) {
    const [session, ms] = await timed(() =>
      AppiumSession.open(server.url, { ...caps, 'stagesim:serialNumber': `BENCH-${i}` }),
    );
    creations.push(ms);
    await session.delete();
  }
  row('session creation, first', `${Math.round(creations[0]!)} ms`);
  row('session creation, median of the next 10', `${Math.round(percentile(creations.slice(1), 50)!)} ms`);
  await backend.close();

  const { scenarios } = await loadScenarios([join(projectRoot(), 'scenarios')]);
  const library = async (target: Target, sessions: number) => {
    const limit = pLimit(sessions);
    const [results, ms] = await timed(() =>
      Promise.all(scenarios.map((scenario) => limit(() => runScenario(scenario, { target })))),
    );
    return `${seconds(ms)} (${results.filter((r) => r.status === 'passed').length}/${results.length} passed)`;
  };
  const { planned } = planSuite('shortest', SEED);
  const model = async (target: Target, sessions: number) => {
    const limit = pLimit(sessions);
    const [runs, ms] = await timed(() =>
      Promise.all(
        planned.map((item) =>
          limit(async () => {
            const pathBackend = await startBackend();
            try {
              return await runPlannedPath(item, { target, seed: SEED }, planned.indexOf(item), pathBackend);
            } finally {
              await pathBackend.close();
            }
          }),
        ),
      ),
    );
    return `${seconds(ms)} (${runs.filter((r) => r.result.status === 'passed').length}/${runs.length} passed)`;
  };

  const headless = new HeadlessTarget();
  const appium = await AppiumTarget.start({ url: server.url, parallel: 3 });
  try {
    row(`scenario library (${scenarios.length}), headless`, await library(headless, 1));
    row(`scenario library (${scenarios.length}), Appium, 1 session`, await library(appium, 1));
    row(`scenario library (${scenarios.length}), Appium, 3 sessions`, await library(appium, 3));
    row(`model suite (${planned.length} paths), headless`, await model(headless, 1));
    row(`model suite (${planned.length} paths), Appium, 1 session`, await model(appium, 1));
    row(`model suite (${planned.length} paths), Appium, 3 sessions`, await model(appium, 3));
  } finally {
    await appium.close();
    await headless.close();
    const [, stopMs] = await timed(() => server.stop());
    row('local Appium server stop (SIGTERM until the process ended)', `${Math.round(stopMs)} ms`);
    row(
      'load average at the end',
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
    );
  }
  process.stdout.write(
    `\n| measured | time |\n|---|---|\n${rows.map(([what, value]) => `| ${what} | ${value} |`).join('\n')}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
