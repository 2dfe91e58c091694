import type { Command } from 'commander';
import { registerBackend } from './backend';
import { registerDemo } from './demo';
import { registerDiagram } from './diagram';
import { registerFleet } from './fleet';
import { registerModel } from './model';
import { registerQr } from './qr';
import { registerRun } from './run';

/** Every stagesim command registers itself on the program; the order here is the order of --help. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerRun,
  registerModel,
  registerDiagram,
  registerDemo,
  registerBackend,
  registerQr,
  registerFleet,
];
