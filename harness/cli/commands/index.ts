import type { Command } from 'commander';
import { registerDiagram } from './diagram';

/** Every stagesim command registers itself on the program; the order here is the order of --help. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDiagram,
];
