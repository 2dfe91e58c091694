import { resolve } from 'node:path';
import { sourceExecArgv } from '../fleet/sourceEntry';
import { runToEnd, startUntil, type Ended } from '../processes/childProcess';

/** The stagesim CLI next to this file: dist/harness/cli/main.js when compiled, the TypeScript otherwise. */
export function cliEntry(): { entry: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return {
    entry: resolve(__dirname, '..', 'cli', `main.${ts ? 'ts' : 'js'}`),
    execArgv: sourceExecArgv(__filename),
  };
}

export type CliRun = Pick<Ended, 'code' | 'stdout' | 'stderr'>;

/** Runs `stagesim ...args` to its end. */
export function runStagesim(args: string[]): Promise<CliRun> {
  const { entry, execArgv } = cliEntry();
  return runNodeProcess([...execArgv, entry, ...args]);
}

/** Runs `node ...args` (this Node) to its end, its output collected. */
export async function runNodeProcess(args: string[]): Promise<CliRun> {
  const { code, stdout, stderr } = await runToEnd(process.execPath, args);
  return { code, stdout, stderr };
}

/** Starts `stagesim backend` and answers its URL and a way to stop it. */
export async function startStagesimBackend(
  args: string[] = [],
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const { entry, execArgv } = cliEntry();
  const started = await startUntil(
    process.execPath,
    [...execArgv, entry, 'backend', '--port', '0', ...args],
    {
      ready: /listening on (http:\/\/\S+)/,
      name: 'stagesim backend',
    },
  );
  return {
    url: started.match[1]!,
    pid: started.child.pid!,
    async stop() {
      started.child.kill('SIGTERM');
      await started.exited;
    },
  };
}
