import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { stagesimCommand } from '../../cli/testing/stagesimProcess';

/**
 * `stagesim backend` as a real child process: started with its arguments, its URL read from the line it
 * prints, and killed the hard way (SIGKILL, as `kill -9` does) or the polite way (SIGTERM).
 */
export class BackendChild {
  private stderrText = '';

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly url: string,
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {
    child.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()));
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  stderr(): string {
    return this.stderrText;
  }

  static start(args: string[], timeoutMs = 30_000): Promise<BackendChild> {
    const command = stagesimCommand(['backend', ...args]);
    const child = spawn(command.command, command.args, {
      cwd: command.cwd,
      env: { ...process.env, STAGESIM_ADMIN_KEY: '' },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`stagesim backend printed no URL within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (!match) return;
        clearTimeout(timer);
        resolve(new BackendChild(child, match[1]!, exited));
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`stagesim backend exited (${code ?? signal}) before it listened: ${stderr}`));
      });
    });
  }

  /** kill -9: no handler runs, nothing is flushed or closed by the process itself. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
