import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  FAKE_TOOLS,
  REPO_ROOT,
  SCRIPTS,
  SCRIPTS_DIR,
  type Sandbox,
  type ScriptName,
  createSandbox,
  freePort,
  isRunning,
  readPid,
  waitFor,
} from './testing/sandbox';

const CAPABILITIES_DIR = path.join(SCRIPTS_DIR, 'capabilities');
const LOCAL_CAPABILITIES = path.join(CAPABILITIES_DIR, 'local-emulator.json');
const IMAGE = 'system-images;android-34;google_apis_playstore;x86_64';

// What each script needs to get past its own argument checks.
const MINIMAL_ARGS: Record<ScriptName, string[]> = {
  'install-sdk.sh': [],
  'create-avd.sh': [],
  'boot-emulator.sh': [],
  'set-camera-qr.sh': ['--qr', 'qr.png'],
  'start-appium.sh': [],
  'run-suite.sh': [],
  'shutdown.sh': [],
  'power-cycle.sh': [],
};

let sandbox: Sandbox;
afterEach(() => sandbox?.cleanup());

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe.each(SCRIPTS)('%s', (script) => {
  const file = path.join(SCRIPTS_DIR, script);
  beforeEach(() => {
    sandbox = createSandbox();
  });

  it('is an executable bash script with strict mode that uses the shared library', () => {
    expect(fs.statSync(file).mode & 0o111).toBe(0o111);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(text).toMatch(/^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/lib\/common\.sh"$/m);
  });

  it('prints its usage for --help and exits 0', () => {
    const result = sandbox.run(script, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${script.replace('.', '\\.')} `));
    expect(result.stdout).toContain('--dry-run');
    expect(result.stderr).toBe('');
  });

  it('rejects an unknown option with exit code 2 and one line on stderr', () => {
    const result = sandbox.run(script, [...MINIMAL_ARGS[script], '--no-such-option']);
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `${script}: unknown option: --no-such-option (see --help)\n`,
    });
  });

  it('rejects an option without its value with exit code 2', () => {
    const result = sandbox.run(script, ['--run-dir']);
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `${script}: option --run-dir needs a value (see --help)\n`,
    });
  });

  it('changes nothing on --dry-run', () => {
    fs.writeFileSync(path.join(sandbox.root, 'qr.png'), 'png');
    const before = sandbox.snapshot();
    const result = sandbox.run(script, [...MINIMAL_ARGS[script], '--dry-run']);
    expect(result.status).toBe(0);
    expect(sandbox.snapshot()).toEqual(before);
  });
});

describe('dry runs print the commands', () => {
  beforeEach(() => {
    sandbox = createSandbox();
  });

  it('install-sdk.sh accepts the licences, then installs platform-tools, emulator and a Play Store image', () => {
    const sdkmanager = `${sandbox.sdk}/cmdline-tools/latest/bin/sdkmanager`;
    const result = sandbox.run('install-sdk.sh', ['--dry-run']);
    expect(result.stdout.split('\n')).toEqual([
      `${sdkmanager} --sdk_root=${sandbox.sdk} --licenses < <(yes y)`,
      `${sdkmanager} --sdk_root=${sandbox.sdk} platform-tools emulator '${IMAGE}'`,
      '',
    ]);
    expect(sandbox.run('install-sdk.sh', ['--dry-run', '--api-level', '33']).stdout).toContain(
      "'system-images;android-33;google_apis_playstore;x86_64'",
    );
  });

  it('create-avd.sh creates a pixel_6 AVD, skips an existing one and recreates it with --force', () => {
    const create = `${sandbox.sdk}/cmdline-tools/latest/bin/avdmanager create avd -n stagesim-pixel6 -k '${IMAGE}' -d pixel_6`;
    expect(sandbox.run('create-avd.sh', ['--dry-run']).stdout).toBe(`${create} < <(yes no)\n`);

    sandbox.addAvd('stagesim-pixel6');
    const skipped = sandbox.run('create-avd.sh', ['--dry-run']);
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toContain('AVD stagesim-pixel6 already exists');
    expect(sandbox.run('create-avd.sh', ['--dry-run', '--force']).stdout).toBe(
      `${create} --force < <(yes no)\n`,
    );
  });

  it('boot-emulator.sh starts the AVD headless with the virtual scene camera and waits for sys.boot_completed', () => {
    const qr = path.join(sandbox.root, 'qr.png');
    const result = sandbox.run('boot-emulator.sh', ['--dry-run', '--qr', 'qr.png']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `mkdir -p ${sandbox.runDir}`,
      `nohup ${sandbox.sdk}/emulator/emulator -avd stagesim-pixel6 -no-window -no-audio -no-boot-anim -camera-back virtualscene ` +
        `-virtualscene-poster wall=${qr} -port 5554 > ${sandbox.runDir}/emulator-5554.log 2>&1 < /dev/null &`,
      `echo $! > ${sandbox.runDir}/emulator-5554.pid`,
      '# every 0.05s for up to 600s, until it prints 1:',
      `# ${sandbox.sdk}/platform-tools/adb -s emulator-5554 shell getprop sys.boot_completed`,
      '',
    ]);
  });

  it('boot-emulator.sh passes port, cold boot, window, gpu and extra arguments through', () => {
    const result = sandbox.run('boot-emulator.sh', [
      '--dry-run',
      '--avd',
      'other',
      '--emulator-port',
      '5556',
      '--cold-boot',
      '--window',
      '--gpu',
      'swiftshader_indirect',
      '--',
      '-verbose',
    ]);
    expect(result.stdout).toContain(
      `/emulator/emulator -avd other -no-audio -no-boot-anim -camera-back virtualscene -port 5556 -no-snapshot-load -gpu swiftshader_indirect -verbose > ${sandbox.runDir}/emulator-5556.log`,
    );
    expect(sandbox.run('boot-emulator.sh', ['--dry-run', '--emulator-port', '5555'])).toMatchObject({
      status: 2,
      stderr:
        "boot-emulator.sh: --emulator-port must be an even port from 5554 to 5682, got '5555' (see --help)\n",
    });
  });

  it('set-camera-qr.sh puts the PNG on the wall poster, first encoding the token when given one', () => {
    const adb = `${sandbox.sdk}/platform-tools/adb`;
    expect(sandbox.run('set-camera-qr.sh', ['--dry-run', '--qr', 'qr.png']).stdout).toBe(
      `${adb} -s emulator-5554 emu virtualscene-image wall ${sandbox.root}/qr.png\n`,
    );
    const out = `${sandbox.runDir}/camera-qr-5556.png`;
    expect(
      sandbox
        .run('set-camera-qr.sh', ['--dry-run', '--token', 'AB CD', '--emulator-port', '5556'])
        .stdout.split('\n'),
    ).toEqual([
      `mkdir -p ${sandbox.runDir}`,
      `(cd ${REPO_ROOT} && npx stagesim qr encode --token 'AB CD' --out ${out})`,
      `${adb} -s emulator-5556 emu virtualscene-image wall ${out}`,
      '',
    ]);
    expect(sandbox.run('set-camera-qr.sh', ['--dry-run'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'set-camera-qr.sh: give --qr FILE or --token TOKEN (see --help)\n',
    });
  });

  it('start-appium.sh installs a UiAutomator2 driver for Appium 3 and starts the project’s appium with a pid file', () => {
    const appium = `env APPIUM_HOME=${sandbox.home}/.appium ${REPO_ROOT}/node_modules/.bin/appium`;
    const result = sandbox.run('start-appium.sh', [
      '--dry-run',
      '--appium-port',
      '4725',
      '--',
      '--relaxed-security',
    ]);
    expect(result.stdout.split('\n')).toEqual([
      `# only if ${appium} driver list --installed --json lacks uiautomator2:`,
      `${appium} driver install uiautomator2@8`,
      `mkdir -p ${sandbox.runDir}`,
      `nohup ${appium} server --address 127.0.0.1 --port 4725 --log-no-colors --log-timestamp --relaxed-security ` +
        `> ${sandbox.runDir}/appium-4725.log 2>&1 < /dev/null &`,
      `echo $! > ${sandbox.runDir}/appium-4725.pid`,
      '# every 0.05s for up to 120s, until it succeeds:',
      '# curl -fsS --max-time 5 http://127.0.0.1:4725/status',
      '',
    ]);
  });

  it('run-suite.sh boots, starts Appium, runs the suite and the model, then stops both', () => {
    const result = sandbox.run('run-suite.sh', ['--dry-run', '--model', '--', '--filter', 'power']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const target = `--target appium --appium-url http://127.0.0.1:4723 --capabilities ${LOCAL_CAPABILITIES}`;
    const order = [
      lines.findIndex((line) =>
        line.includes(
          '/emulator/emulator -avd stagesim-pixel6 -no-window -no-audio -no-boot-anim -camera-back virtualscene',
        ),
      ),
      lines.findIndex((line) => line.includes('appium server --address 127.0.0.1 --port 4723')),
      lines.indexOf(`(cd ${REPO_ROOT} && npx stagesim run scenarios ${target} --filter power)`),
      lines.indexOf(`(cd ${REPO_ROOT} && npx stagesim model ${target})`),
      lines.indexOf(`kill -TERM "$(cat ${sandbox.runDir}/appium-4723.pid)"`),
      lines.indexOf(`${sandbox.sdk}/platform-tools/adb -s emulator-5554 emu kill`),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('run-suite.sh against a remote --appium-url starts nothing and fills ${NAME} placeholders from the environment', () => {
    const cloud = path.join(CAPABILITIES_DIR, 'cloud-farm.json');
    const args = ['--dry-run', '--appium-url', 'https://hub.example/wd/hub', '--capabilities', cloud];
    expect(sandbox.run('run-suite.sh', args)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('needs $BROWSERSTACK_USERNAME in the environment'),
    });

    const result = sandbox.run('run-suite.sh', args, {
      BROWSERSTACK_USERNAME: 'u',
      BROWSERSTACK_ACCESS_KEY: 'k',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('/emulator/emulator');
    expect(result.stdout).not.toContain('/platform-tools/adb');
    expect(result.stdout).not.toContain('appium server');
    expect(result.stdout).toMatch(
      new RegExp(
        `npx stagesim run scenarios --target appium --appium-url https://hub.example/wd/hub --capabilities ${sandbox.runDir}/capabilities-\\d+\\.json\\)`,
      ),
    );
  });

  it('run-suite.sh refuses capabilities naming another AVD, which Appium would boot as a second emulator', () => {
    expect(sandbox.run('run-suite.sh', ['--dry-run', '--avd', 'other'])).toEqual({
      status: 2,
      stdout: '',
      stderr:
        `run-suite.sh: ${LOCAL_CAPABILITIES} has appium:avd "stagesim-pixel6" but the AVD is "other"; ` +
        'pass --avd stagesim-pixel6 or another --capabilities (see --help)\n',
    });
  });

  it('shutdown.sh reports nothing running without pid files, and names the live pids it would stop', () => {
    expect(sandbox.run('shutdown.sh', ['--dry-run'])).toMatchObject({
      status: 0,
      stdout: '',
      stderr: expect.stringContaining('not running'),
    });

    // Live processes whose command lines look like Appium's and the emulator's.
    const fakeAppium = spawn('bash', ['-c', 'exec -a appium-lookalike sleep 30'], { stdio: 'ignore' });
    const fakeEmulator = spawn('bash', ['-c', 'exec -a emulator-lookalike sleep 30'], { stdio: 'ignore' });
    const [appiumPid, emulatorPid] = [Number(fakeAppium.pid), Number(fakeEmulator.pid)];
    try {
      fs.mkdirSync(sandbox.runDir);
      fs.writeFileSync(path.join(sandbox.runDir, 'appium-4723.pid'), `${appiumPid}\n`);
      fs.writeFileSync(path.join(sandbox.runDir, 'emulator-5554.pid'), `${emulatorPid}\n`);
      const result = sandbox.run('shutdown.sh', ['--dry-run']);
      expect(result.stdout.split('\n')).toEqual([
        `kill -TERM ${appiumPid}`,
        `# if it is still alive after 60s: kill -KILL ${appiumPid}`,
        `rm -f ${sandbox.runDir}/appium-4723.pid`,
        `${sandbox.sdk}/platform-tools/adb -s emulator-5554 emu kill`,
        `# if pid ${emulatorPid} is still alive after 60s: kill -TERM, then kill -KILL`,
        `rm -f ${sandbox.runDir}/emulator-5554.pid`,
        '',
      ]);
      expect(isRunning(appiumPid)).toBe(true);
      expect(isRunning(emulatorPid)).toBe(true);
    } finally {
      fakeAppium.kill('SIGKILL');
      fakeEmulator.kill('SIGKILL');
    }
  });

  it('power-cycle.sh cold boots keeping data and refuses -wipe-data', () => {
    const result = sandbox.run('power-cycle.sh', ['--dry-run', '--avd', 'other']);
    expect(result.stdout).toContain(
      '/emulator/emulator -avd other -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554 -no-snapshot-load >',
    );
    expect(result.stdout).not.toContain('wipe');
    expect(sandbox.run('power-cycle.sh', ['--dry-run', '--', '-wipe-data'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "power-cycle.sh: a power cycle keeps the device's data: -wipe-data is refused (see --help)\n",
    });
  });
});

describe('real runs against fake SDK, Appium and stagesim tools', () => {
  beforeEach(() => {
    sandbox = createSandbox({ fakes: true });
  });

  it('install-sdk.sh answers the licence prompts with y, and create-avd.sh creates the AVD once', () => {
    expect(sandbox.run('install-sdk.sh').status).toBe(0);
    expect(sandbox.run('create-avd.sh').status).toBe(0);
    expect(sandbox.run('create-avd.sh').status).toBe(0);
    expect(sandbox.calls()).toEqual([
      `sdkmanager --sdk_root=${sandbox.sdk} --licenses (answered y)`,
      `sdkmanager --sdk_root=${sandbox.sdk} platform-tools emulator ${IMAGE} (answered nothing)`,
      `avdmanager create avd -n stagesim-pixel6 -k ${IMAGE} -d pixel_6 (answered no)`,
    ]);
    expect(fs.existsSync(path.join(sandbox.avdHome, 'stagesim-pixel6.ini'))).toBe(true);
  });

  it('create-avd.sh fails before calling avdmanager when the system image is not installed', () => {
    expect(sandbox.run('create-avd.sh')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('run install-sdk.sh first'),
    });
    expect(sandbox.calls()).toEqual([]);
  });

  it('run-suite.sh runs the suite while emulator and Appium are up, stops both and keeps the suite’s exit code', async () => {
    sandbox.addAvd('stagesim-pixel6');
    const port = await freePort();
    const result = sandbox.run(
      'run-suite.sh',
      ['--token', 'TOKEN1', '--model', '--appium-port', String(port)],
      { FAKE_RUN_EXIT: '3' },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('suite finished with exit code 3');

    const qr = `${sandbox.runDir}/camera-qr-5554.png`;
    const target = `--target appium --appium-url http://127.0.0.1:${port} --capabilities ${LOCAL_CAPABILITIES}`;
    const calls = sandbox.calls().filter((line) => !line.includes('getprop sys.boot_completed'));
    expect(calls).toEqual([
      'emulator -avd stagesim-pixel6 -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554',
      `stagesim qr encode --token TOKEN1 --out ${qr}`,
      `adb -s emulator-5554 emu virtualscene-image wall ${qr}`,
      'appium driver list --installed --json',
      'appium driver install uiautomator2@8',
      `appium server --address 127.0.0.1 --port ${port} --log-no-colors --log-timestamp`,
      `stagesim run scenarios ${target}`,
      'run: appium answered',
      `stagesim model ${target}`,
      'model: appium answered',
      'adb -s emulator-5554 emu kill',
      'emulator-5554 terminated',
    ]);
    expect(fs.readdirSync(sandbox.runDir).filter((file) => file.endsWith('.pid'))).toEqual([]);
    expect(isRunning(readPid(path.join(sandbox.state, 'emulator-5554.pid')))).toBe(false);
  });

  it('run-suite.sh exits with the model tests’ code when only they fail', async () => {
    sandbox.addAvd('stagesim-pixel6');
    const result = sandbox.run('run-suite.sh', ['--model', '--appium-port', String(await freePort())], {
      FAKE_MODEL_EXIT: '4',
    });
    expect(result.status).toBe(4);
  });

  it('run-suite.sh leaves an emulator it did not start running, and shutdown.sh stops it', async () => {
    sandbox.addAvd('stagesim-pixel6');
    expect(sandbox.run('boot-emulator.sh').status).toBe(0);
    const emulatorPid = readPid(path.join(sandbox.runDir, 'emulator-5554.pid'));

    const appiumPort = String(await freePort());
    expect(sandbox.run('run-suite.sh', ['--appium-port', appiumPort]).status).toBe(0);
    expect(sandbox.calls().filter((line) => line.startsWith('emulator '))).toHaveLength(1);
    expect(isRunning(emulatorPid)).toBe(true);
    expect(fs.existsSync(path.join(sandbox.runDir, `appium-${appiumPort}.pid`))).toBe(false);

    expect(sandbox.run('shutdown.sh', ['--appium-port', appiumPort]).status).toBe(0);
    expect(isRunning(emulatorPid)).toBe(false);
    expect(fs.existsSync(path.join(sandbox.runDir, 'emulator-5554.pid'))).toBe(false);
  });

  it('run-suite.sh hands the suite a private copy of the capabilities with placeholders filled, then deletes it', () => {
    const tricky = 'name with "quotes" and \\ backslash';
    const result = sandbox.run(
      'run-suite.sh',
      [
        '--appium-url',
        'http://127.0.0.1:9/wd/hub',
        '--capabilities',
        path.join(CAPABILITIES_DIR, 'cloud-farm.json'),
      ],
      { BROWSERSTACK_USERNAME: tricky, BROWSERSTACK_ACCESS_KEY: 'key-1' },
    );
    expect(result.status).toBe(0);
    const seen = readJson(path.join(sandbox.state, 'capabilities-seen.json'));
    expect(seen['bstack:options']).toMatchObject({ userName: tricky, accessKey: 'key-1' });
    expect(fs.readdirSync(sandbox.runDir)).toEqual([]);
  });

  it('run-suite.sh stops what it started and skips the suite when the emulator dies while booting', async () => {
    sandbox.addAvd('stagesim-pixel6');
    const result = sandbox.run('run-suite.sh', ['--appium-port', String(await freePort())], {
      FAKE_EMULATOR_CRASH: '1',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('FATAL | fake emulator crashed on purpose');
    expect(result.stderr).toContain('boot-emulator.sh: error: the emulator exited while starting');
    expect(sandbox.calls().some((line) => line.startsWith('stagesim') || line.startsWith('appium'))).toBe(
      false,
    );
    expect(fs.readdirSync(sandbox.runDir).filter((file) => file.endsWith('.pid'))).toEqual([]);
  });

  it('run-suite.sh shuts down and exits 143 on SIGTERM during the suite', async () => {
    sandbox.addAvd('stagesim-pixel6');
    const port = await freePort();
    const child = sandbox.start('run-suite.sh', ['--appium-port', String(port)], { FAKE_RUN_SLEEP: '1' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => sandbox.calls().includes('run: appium answered'), 'the suite to start');
    const appiumPid = readPid(path.join(sandbox.runDir, `appium-${port}.pid`));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(isRunning(appiumPid)).toBe(false);
    expect(sandbox.calls().slice(-2)).toEqual(['adb -s emulator-5554 emu kill', 'emulator-5554 terminated']);
  });

  it('boot-emulator.sh gives up after --boot-timeout, leaving the emulator for shutdown.sh', () => {
    sandbox.addAvd('stagesim-pixel6');
    const result = sandbox.run('boot-emulator.sh', ['--boot-timeout', '1'], { FAKE_BOOT_POLLS: '1000000' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('emulator-5554 did not finish booting in 1s');
    const pid = readPid(path.join(sandbox.runDir, 'emulator-5554.pid'));
    expect(isRunning(pid)).toBe(true);
    expect(sandbox.run('shutdown.sh').status).toBe(0);
    expect(isRunning(pid)).toBe(false);
  });

  it('power-cycle.sh shuts the emulator down and cold boots the AVD it was running', () => {
    sandbox.addAvd('frontline');
    expect(sandbox.run('boot-emulator.sh', ['--avd', 'frontline']).status).toBe(0);
    const firstPid = readPid(path.join(sandbox.runDir, 'emulator-5554.pid'));

    expect(sandbox.run('power-cycle.sh').status).toBe(0);
    const secondPid = readPid(path.join(sandbox.runDir, 'emulator-5554.pid'));
    expect(secondPid).not.toBe(firstPid);
    expect(isRunning(firstPid)).toBe(false);
    expect(isRunning(secondPid)).toBe(true);
    const calls = sandbox.calls().filter((line) => !line.includes('getprop'));
    expect(calls).toEqual([
      'emulator -avd frontline -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554',
      'adb -s emulator-5554 emu avd name',
      'adb -s emulator-5554 emu kill',
      'emulator-5554 terminated',
      'emulator -avd frontline -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554 -no-snapshot-load',
    ]);
  });

  it('power-cycle.sh --hard cuts the power with SIGKILL, so the emulator gets no chance to shut down', () => {
    sandbox.addAvd('stagesim-pixel6');
    expect(sandbox.run('boot-emulator.sh').status).toBe(0);
    const firstPid = readPid(path.join(sandbox.runDir, 'emulator-5554.pid'));
    expect(sandbox.run('power-cycle.sh', ['--hard']).status).toBe(0);
    expect(isRunning(firstPid)).toBe(false);
    expect(sandbox.calls().filter((line) => !line.includes('getprop') && !line.includes('avd name'))).toEqual(
      [
        'emulator -avd stagesim-pixel6 -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554',
        'emulator -avd stagesim-pixel6 -no-window -no-audio -no-boot-anim -camera-back virtualscene -port 5554 -no-snapshot-load',
      ],
    );
  });
});

// shellcheck runs in `npm run lint` (.ci/lint-shell); here only bash itself, which every machine has.
describe('bash -n', () => {
  const files = [
    ...SCRIPTS.map((script) => path.join(SCRIPTS_DIR, script)),
    path.join(SCRIPTS_DIR, 'lib/common.sh'),
    ...FAKE_TOOLS,
  ];
  it.each(files.map((file) => [path.relative(SCRIPTS_DIR, file), file]))('parses %s', (_name, file) => {
    const result = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a script that does not parse, naming the line', () => {
    sandbox = createSandbox();
    const broken = path.join(sandbox.root, 'broken.sh');
    fs.writeFileSync(broken, '#!/usr/bin/env bash\nif true; then\n  echo unfinished\n');
    const result = spawnSync('bash', ['-n', broken], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/line \d+: syntax error/);
  });
});

describe('capabilities files', () => {
  it('local-emulator.json drives the default AVD with UiAutomator2 without launching the Intune app', () => {
    expect(readJson(LOCAL_CAPABILITIES)).toMatchObject({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:avd': 'stagesim-pixel6',
      'appium:systemPort': expect.any(Number),
      'appium:appPackage': 'com.microsoft.intune',
      'appium:autoLaunch': false,
      'appium:noReset': true,
      'appium:autoGrantPermissions': true,
      'appium:newCommandTimeout': expect.any(Number),
      'appium:avdLaunchTimeout': expect.any(Number),
      'appium:avdReadyTimeout': expect.any(Number),
      'appium:isHeadless': true,
      'appium:avdArgs': expect.arrayContaining(['-camera-back', 'virtualscene']),
    });
  });

  it('selenium-grid-relay.json matches the stereotype of the relay node in grid-node-relay.toml', () => {
    const capabilities = readJson(path.join(CAPABILITIES_DIR, 'selenium-grid-relay.json'));
    expect(capabilities).toMatchObject({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:udid': 'emulator-5554',
      'appium:appPackage': 'com.microsoft.intune',
      'appium:autoLaunch': false,
    });
    const toml = fs.readFileSync(path.join(CAPABILITIES_DIR, 'grid-node-relay.toml'), 'utf8');
    expect(toml).toMatch(/^url = "http:\/\/127\.0\.0\.1:4723"$/m);
    expect(toml).toMatch(/^status-endpoint = "\/status"$/m);
    const config = /^configs = \[\s*"1", ("(?:[^"\\]|\\.)*")\s*\]/m.exec(toml);
    expect(config).not.toBeNull();
    const stereotype = JSON.parse(JSON.parse(config![1]) as string) as Record<string, unknown>;
    for (const [key, value] of Object.entries(stereotype)) expect(capabilities[key]).toEqual(value);
  });

  it('cloud-farm.json takes its credentials only from environment placeholders', () => {
    const capabilities = readJson(path.join(CAPABILITIES_DIR, 'cloud-farm.json'));
    expect(capabilities).toMatchObject({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:deviceName': expect.any(String),
      'appium:platformVersion': expect.any(String),
      'bstack:options': { userName: '${BROWSERSTACK_USERNAME}', accessKey: '${BROWSERSTACK_ACCESS_KEY}' },
    });
  });
});
