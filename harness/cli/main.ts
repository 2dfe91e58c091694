#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../../agent/projectRoot';
import { commandsFor } from './commands';
import { EXIT_BAD_INPUT, UsageError, printErrorLine } from './exit';

const version = packageVersion();

/** The program with the commands `argv` needs (all of them when it names none). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('stagesim')
    .description('Android device staging simulator and test harness for Intune-style enrollment')
    .version(version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (error instanceof UsageError) {
      printErrorLine('stagesim', error);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      printErrorLine('stagesim: internal error', error);
      if (process.env.STAGESIM_DEBUG) console.error(error);
      process.exitCode = 70;
    },
  );
}
