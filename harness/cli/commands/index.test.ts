import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Command } from 'commander';
import { projectRoot } from '../../../agent/projectRoot';
import { stagesimCommand } from '../testing/stagesimProcess';
import { COMMANDS, commandsFor } from './index';

/**
 * The commands as a user reads of them: the first column of the README's Commands table
 * (`stagesim qr encode|decode` is the command qr). The table of the code is checked against it.
 */
const DOCUMENTED = [
  ...readFileSync(join(projectRoot(), 'README.md'), 'utf8')
    .split('\n## Commands\n')[1]!
    .split('\n## ')[0]!
    .matchAll(/^\| `stagesim ([a-z]+)/gm),
]
  .map((match) => match[1]!)
  .sort();

/** Registers `registers` on a new program and answers the names of the commands it then has. */
function registeredNames(registers: Array<(program: Command) => void>): string[] {
  const program = new Command('stagesim');
  for (const register of registers) register(program);
  return program.commands.map((command) => command.name());
}

describe('the command table', () => {
  test('the README documents seven commands', () => {
    expect(DOCUMENTED).toEqual(['backend', 'demo', 'diagram', 'fleet', 'model', 'qr', 'run']);
  });

  test.each(COMMANDS.map((entry) => [entry.name, entry]))(
    '%s loads the module that registers exactly that command',
    async (name, entry) => {
      expect(registeredNames([await entry.load()])).toEqual([name]);
    },
  );

  test('a command line that names a command gets that command alone', async () => {
    expect(registeredNames(await commandsFor(['qr', 'decode', 'frame.png']))).toEqual(['qr']);
    expect(registeredNames(await commandsFor(['fleet', '--help']))).toEqual(['fleet']);
  });

  test.each([[[]], [['--help']], [['--version']], [['help', 'qr']], [['enroll']], [['--colour', 'run']]])(
    '%j gets every command the README documents, and no other',
    async (argv) => {
      expect(registeredNames(await commandsFor(argv)).sort()).toEqual(DOCUMENTED);
    },
  );
});

interface Loaded {
  qr: boolean;
  fleet: boolean;
  backendServer: boolean;
  scenarioLoader: boolean;
  modelSuite: boolean;
}

/** The modules each flag of Loaded stands for, as the end of a path in either form (.js compiled, .ts). */
const WATCHED: Record<keyof Loaded, string> = {
  qr: 'harness/cli/commands/qr',
  fleet: 'harness/cli/commands/fleet',
  backendServer: 'harness/backend/server',
  scenarioLoader: 'harness/scenarios/loader',
  modelSuite: 'harness/model-testing/runModelSuite',
};

/**
 * What a process loads for a command line, read from Node's module cache in a child (so nothing this
 * test file imported counts): with `run` false, once the program is built as the CLI builds it (its
 * commands registered); with `run` true, once the CLI's main has run the command line to its end.
 */
function loadedFor(argv: string[], run = false): Loaded {
  const { command, args, cwd } = stagesimCommand([]);
  const cli = `require(${JSON.stringify(args.at(-1))})`;
  const script = `${cli}.${run ? 'main' : 'buildProgram'}(process.argv.slice(1)).then(() =>
    process.stdout.write('\\n' + JSON.stringify(Object.keys(require.cache))))`;
  const { stdout } = spawnSync(command, [...args.slice(0, -1), '-e', script, '--', ...argv], {
    cwd,
    encoding: 'utf8',
  });
  // The list is the last line: a command run to its end may print before it (its help, its errors).
  const files = (JSON.parse(stdout.trim().split('\n').at(-1)!) as string[]).map((file) =>
    file
      .split(sep)
      .join('/')
      .replace(/\.(js|ts)$/, ''),
  );
  const has = (module: string) => files.some((file) => file.endsWith(`/${module}`));
  return Object.fromEntries(
    Object.entries(WATCHED).map(([flag, module]) => [flag, has(module)]),
  ) as unknown as Loaded;
}

const NOTHING_HEAVY = { backendServer: false, scenarioLoader: false, modelSuite: false };

describe('what a command line loads', () => {
  test('stagesim qr loads neither the backend nor the other commands', () => {
    expect(loadedFor(['qr', 'decode', 'frame.png'])).toEqual({ qr: true, fleet: false, ...NOTHING_HEAVY });
  });

  test.each([['run'], ['model'], ['backend'], ['demo']])(
    'stagesim %s registers, and answers --help, without the backend, the scenario loader or the model suite',
    (name) => {
      expect(loadedFor([name])).toEqual({ qr: false, fleet: false, ...NOTHING_HEAVY });
      expect(loadedFor([name, '--help'], true)).toEqual({ qr: false, fleet: false, ...NOTHING_HEAVY });
    },
  );

  test('stagesim run loads the scenario loader and the backend it embeds when it runs', () => {
    expect(loadedFor(['run', 'no-such-scenario.yaml'], true)).toMatchObject({
      scenarioLoader: true,
      backendServer: true,
    });
  });

  test('stagesim model loads the model suite when it runs', () => {
    expect(loadedFor(['model', '--target', 'appium', '--workers', '2'], true)).toMatchObject({
      modelSuite: true,
    });
  });

  test('the top-level help loads every command', () => {
    expect(loadedFor(['--help'])).toMatchObject({ qr: true, fleet: true });
  });
});
