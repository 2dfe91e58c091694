import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { stagesimCommand } from '../../cli/testing/stagesimProcess';
import { startUntil } from '../../processes/childProcess';

/**
 * `stagesim backend` as a real child process: started with its arguments, its URL read from the line it
 * prints, and killed the hard way (SIGKILL, as `kill -9` does) or the polite way (SIGTERM).
 */
export class BackendChild {
  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly url: string,
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    /** Everything it has printed on stderr so far. */
    readonly stderr: () => string,
  ) {}

  get port(): number {
    return Number(new URL(this.url).port);
  }

  static async start(args: string[], timeoutMs = 30_000): Promise<BackendChild> {
    const command = stagesimCommand(['backend', ...args]);
    const started = await startUntil(command.command, command.args, {
      cwd: command.cwd,
      env: { ...process.env, STAGESIM_ADMIN_KEY: '' },
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      timeoutMs,
      name: 'stagesim backend',
    });
    return new BackendChild(started.child, started.match[1]!, started.exited, started.stderr);
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
