import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { sourceExecArgv } from '../fleet/sourceEntry';

/** The stagesim CLI next to this file: dist/harness/cli/main.js when compiled, the TypeScript otherwise. */
export function cliEntry(): { entry: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return {
    entry: resolve(__dirname, '..', 'cli', `main.${ts ? 'ts' : 'js'}`),
    execArgv: sourceExecArgv(__filename),
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `stagesim ...args` to its end. */
export function runStagesim(args: string[]): Promise<CliRun> {
  const { entry, execArgv } = cliEntry();
  return runNodeProcess([...execArgv, entry, ...args]);
}

/** Runs `node ...args` (this Node) to its end, its output collected. */
export function runNodeProcess(args: string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Starts `stagesim backend` and answers its URL and a way to stop it. */
export async function startStagesimBackend(
  args: string[] = [],
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const { entry, execArgv } = cliEntry();
  const child = spawn(process.execPath, [...execArgv, entry, 'backend', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) done(match[1]!);
    });
    void exited.then(() => fail(new Error(`stagesim backend exited before it listened: ${stderr.trim()}`)));
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
