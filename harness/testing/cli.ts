import { join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { runToEnd } from '../processes/childProcess';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `stagesim` bin (npm test builds it first) as a user would, in `cwd`. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const bin = join(projectRoot(), 'dist', 'harness', 'cli', 'main.js');
  const { code, stdout, stderr } = await runToEnd(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? projectRoot(),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  return { code, stdout, stderr };
}
