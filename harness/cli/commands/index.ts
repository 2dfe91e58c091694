import type { Command } from 'commander';

/** Every stagesim command registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  name: string;
  load: () => Promise<RegisterCommand>;
}

/**
 * Every stagesim command by name, in the order of --help. A command's module, and everything it imports,
 * is loaded only when that command runs or the top-level help lists them all: `stagesim qr decode`
 * starts on about 190 modules instead of 700 (the backend, fastify, the scenario loader and the runner
 * stay unloaded), `stagesim diagram` and `stagesim fleet`'s own process likewise. The commands that run
 * a backend (run, model, backend, demo) import it in their action, so their help and their refused flags
 * start as light.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'run', load: async () => (await import('./run')).registerRun },
  { name: 'model', load: async () => (await import('./model')).registerModel },
  { name: 'diagram', load: async () => (await import('./diagram')).registerDiagram },
  { name: 'demo', load: async () => (await import('./demo')).registerDemo },
  { name: 'backend', load: async () => (await import('./backend')).registerBackend },
  { name: 'qr', load: async () => (await import('./qr')).registerQr },
  { name: 'fleet', load: async () => (await import('./fleet')).registerFleet },
];

/**
 * The commands a command line needs: the one its first word names, or every one (the top-level help and
 * version, `help <command>`, a name that is no command, for which commander suggests the nearest).
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const named = COMMANDS.find((command) => command.name === argv[0]);
  return Promise.all((named ? [named] : COMMANDS).map((command) => command.load()));
}
