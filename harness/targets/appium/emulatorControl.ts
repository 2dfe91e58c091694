import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagesimError } from '../../../agent/errors';
import { projectRoot } from '../../../agent/projectRoot';

/**
 * What the harness does to an Android emulator outside WebDriver, through emulator-scripts/ and adb: a
 * power cycle (stop, then cold boot the same AVD with its data kept; `--hard` pulls the plug) and the
 * camera's poster. Only for an emulator on this machine, named by its adb serial emulator-PORT.
 *
 * Error codes: EMULATOR_NOT_CONTROLLED (no emulator-PORT serial), EMULATOR_COMMAND_FAILED.
 */
export type Exec = (file: string, args: string[], env: NodeJS.ProcessEnv) => Promise<void>;

export const execCommand: Exec = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: 15 * 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        reject(
          new StagesimError(
            'EMULATOR_COMMAND_FAILED',
            `${[file, ...args].join(' ')} failed: ${String(stderr).trim().split('\n').slice(-3).join(' | ') || error.message}`,
            { cause: error },
          ),
        );
      },
    );
  });

/** The adb serial of an emulator from session capabilities (udid as Appium answers it, or as asked). */
export function emulatorSerialOf(capabilities: Record<string, unknown>): string | null {
  for (const key of ['udid', 'deviceUDID', 'appium:udid', 'deviceName']) {
    const value = capabilities[key];
    if (typeof value === 'string' && /^emulator-\d{4,5}$/.test(value)) return value;
  }
  return null;
}

export class EmulatorControl {
  readonly port: number;

  constructor(
    readonly serial: string,
    private readonly exec: Exec = execCommand,
    private readonly scriptsDir: string = join(projectRoot(), 'emulator-scripts'),
  ) {
    const match = /^emulator-(\d+)$/.exec(serial);
    if (!match)
      throw new StagesimError(
        'EMULATOR_NOT_CONTROLLED',
        `${serial} is not an emulator's adb serial (emulator-PORT)`,
      );
    this.port = Number(match[1]);
  }

  private adb(): string {
    const sdk = process.env.ANDROID_SDK_ROOT ?? process.env.ANDROID_HOME;
    const candidate = sdk ? join(sdk, 'platform-tools', 'adb') : null;
    return candidate && existsSync(candidate) ? candidate : 'adb';
  }

  /** Stops the emulator (SIGKILL with `hard`) and cold boots the same AVD; resolves once Android booted. */
  async powerCycle(options: { hard: boolean }): Promise<void> {
    const args = ['--emulator-port', String(this.port), ...(options.hard ? ['--hard'] : [])];
    await this.exec(join(this.scriptsDir, 'power-cycle.sh'), args, process.env);
  }

  /**
   * Puts the PNG on the virtual scene's wall poster, which the back camera sees. The file stays (one per
   * emulator, overwritten next time): the emulator may read it again when the scene reloads.
   */
  async setCameraPoster(png: Buffer): Promise<string> {
    const file = join(tmpdir(), `stagesim-camera-${this.serial}.png`);
    writeFileSync(file, png);
    await this.exec(this.adb(), ['-s', this.serial, 'emu', 'virtualscene-image', 'wall', file], process.env);
    return file;
  }
}
