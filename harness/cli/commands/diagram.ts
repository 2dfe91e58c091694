import { toMermaid } from '../../../agent/model/mermaid';
import { UsageError } from '../exit';
import type { RegisterCommand } from './index';

export const registerDiagram: RegisterCommand = (program) => {
  program
    .command('diagram')
    .description('print the device model as a diagram')
    .option('--format <format>', 'diagram format: mermaid', 'mermaid')
    .action((options: { format: string }) => {
      if (options.format !== 'mermaid')
        throw new UsageError(`unknown --format "${options.format}" (supported: mermaid)`);
      process.stdout.write(toMermaid());
    });
};
