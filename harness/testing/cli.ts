import { stagesimCommand } from '../cli/testing/stagesimProcess';
import { runToEnd, type Ended } from '../processes/childProcess';

export type CliResult = Pick<Ended, 'code' | 'stdout' | 'stderr'>;

/**
 * Runs `stagesim` as a user would, in `cwd` (the project's folder unless given), without colour: the
 * compiled CLI when the last build is current, else its TypeScript (stagesimCommand).
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const command = stagesimCommand(args);
  const { code, stdout, stderr } = await runToEnd(command.command, command.args, {
    cwd: options.cwd ?? command.cwd,
    env: { ...process.env, ...command.env, NO_COLOR: '1', ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  return { code, stdout, stderr };
}
