import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Runs the emulator scripts in a throw-away directory tree, optionally with fake SDK, Appium and stagesim tools. */

export const SCRIPTS_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(SCRIPTS_DIR, '..');
const TESTING_DIR = __dirname;

export const SCRIPTS = [
  'install-sdk.sh',
  'create-avd.sh',
  'boot-emulator.sh',
  'set-camera-qr.sh',
  'start-appium.sh',
  'run-suite.sh',
  'shutdown.sh',
  'power-cycle.sh',
] as const;
export type ScriptName = (typeof SCRIPTS)[number];

export const FAKE_TOOLS = [
  'fake-sdk/emulator/emulator',
  'fake-sdk/platform-tools/adb',
  'fake-sdk/cmdline-tools/latest/bin/sdkmanager',
  'fake-sdk/cmdline-tools/latest/bin/avdmanager',
  'fake-appium',
  'fake-stagesim',
].map((file) => path.join(TESTING_DIR, file));

export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  root: string;
  sdk: string;
  avdHome: string;
  runDir: string;
  home: string;
  state: string;
  env: NodeJS.ProcessEnv;
  run(script: ScriptName, args?: string[], env?: NodeJS.ProcessEnv): ScriptResult;
  /** Starts a script without waiting for it. */
  start(script: ScriptName, args?: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof spawn>;
  /** Lines the fake tools appended to calls.log, in order. */
  calls(): string[];
  addAvd(name: string): void;
  /** Every file under root with its size and mtime, to prove a run changed nothing. */
  snapshot(): string[];
  cleanup(): void;
}

// The developer's own SDK, AVDs, Appium or stagesim settings must not leak into the scripts under test.
function isolatedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(ANDROID_|STAGESIM_|APPIUM_|FAKE_)/.test(name)) delete env[name];
  }
  return env;
}

/**
 * With `fakes`, the SDK is a copy of testing/fake-sdk and Appium and stagesim are the fakes beside it, so
 * scripts run for real; without, the SDK is an empty folder and only --dry-run makes sense.
 */
export function createSandbox({ fakes = false } = {}): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-scripts-'));
  const dirs = {
    sdk: path.join(root, 'sdk'),
    avdHome: path.join(root, 'avd'),
    runDir: path.join(root, 'run'),
    home: path.join(root, 'home'),
    state: path.join(root, 'state'),
  };
  fs.mkdirSync(dirs.avdHome);
  fs.mkdirSync(dirs.home);
  fs.mkdirSync(dirs.state);
  if (fakes) fs.cpSync(path.join(TESTING_DIR, 'fake-sdk'), dirs.sdk, { recursive: true });
  else fs.mkdirSync(dirs.sdk);

  const env: NodeJS.ProcessEnv = {
    ...isolatedEnv(),
    HOME: dirs.home,
    ANDROID_SDK_ROOT: dirs.sdk,
    ANDROID_HOME: dirs.sdk,
    ANDROID_AVD_HOME: dirs.avdHome,
    STAGESIM_RUN_DIR: dirs.runDir,
    STAGESIM_ABI: 'x86_64',
    STAGESIM_POLL_INTERVAL: '0.05',
    FAKE_ANDROID_STATE: dirs.state,
  };
  if (fakes) {
    env.STAGESIM_APPIUM = path.join(TESTING_DIR, 'fake-appium');
    env.STAGESIM_CLI = path.join(TESTING_DIR, 'fake-stagesim');
    env.APPIUM_HOME = path.join(root, 'appium-home');
  }

  const callsLog = path.join(dirs.state, 'calls.log');
  return {
    root,
    ...dirs,
    env,
    run(script, args = [], extraEnv = {}) {
      const result = spawnSync(path.join(SCRIPTS_DIR, script), args, {
        cwd: root,
        env: { ...env, ...extraEnv },
        encoding: 'utf8',
        timeout: 20_000,
      });
      if (result.error) throw result.error;
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    start(script, args = [], extraEnv = {}) {
      return spawn(path.join(SCRIPTS_DIR, script), args, {
        cwd: root,
        env: { ...env, ...extraEnv },
        stdio: 'pipe',
      });
    },
    calls() {
      return fs.existsSync(callsLog) ? fs.readFileSync(callsLog, 'utf8').trimEnd().split('\n') : [];
    },
    addAvd(name) {
      fs.writeFileSync(path.join(dirs.avdHome, `${name}.ini`), `path=${dirs.avdHome}/${name}.avd\n`);
    },
    snapshot() {
      const entries: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const stat = fs.lstatSync(full);
          entries.push(`${path.relative(root, full)} ${stat.size} ${stat.mtimeMs}`);
          if (entry.isDirectory()) walk(full);
        }
      };
      walk(root);
      return entries.sort();
    },
    cleanup() {
      // Fakes left running by a failed test: their pids are in the fake state and the run dir.
      for (const dir of [dirs.state, dirs.runDir]) {
        if (!fs.existsSync(dir)) continue;
        for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.pid'))) {
          const pid = Number(fs.readFileSync(path.join(dir, file), 'utf8'));
          if (isRunning(pid)) process.kill(pid, 'SIGKILL');
        }
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Alive and not a zombie (this container's init reaps orphans late). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && ps.stdout.trim() !== '' && !ps.stdout.trim().startsWith('Z');
}

export function readPid(file: string): number {
  return Number(fs.readFileSync(file, 'utf8').trim());
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
