import { spawn } from 'node:child_process';
import { AdminClient } from '../../world/AdminClient';
import { BackendChild } from '../../reliability/testing/backendChild';
import { stagesimCommand } from '../testing/stagesimProcess';

/**
 * `stagesim fleet --backend URL` against a real `stagesim backend` process killed with kill -9 and never
 * restarted: the fleet gives up after one retry budget (its devices in flight spend it together) rather
 * than device after device, and says in one line where the backend was and how far the fleet got. The
 * backend that comes back within the budget is crashSafety.test.ts's fleet case: every device enrolls.
 */
const DEVICES = 400;

test('a fleet whose backend died for good exits 1 with one line naming the URL and the devices that got through', async () => {
  const backend = await BackendChild.start(['--port', '0']);
  try {
    const admin = new AdminClient(backend.url);
    const profile = await admin.createProfile({
      displayName: 'Lost backend',
      enrollmentMode: 'corporateOwnedFullyManaged',
      enrollmentTokenType: 'deviceStaging',
    });
    const command = stagesimCommand([
      'fleet',
      '--devices',
      String(DEVICES),
      '--concurrency',
      '8',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
    ]);
    const fleet = spawn(command.command, command.args, {
      cwd: command.cwd,
      env: { ...process.env, STAGESIM_ADMIN_KEY: '' },
    });
    let stderr = '';
    fleet.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    fleet.stdout.resume();
    const exited = new Promise<number | null>((resolve) => fleet.once('exit', (code) => resolve(code)));

    // Kill once some devices are through, as the admin API shows them.
    let enrolled = 0;
    while (enrolled < 10) {
      const devices = await admin.managedDevices({ top: 1000 });
      enrolled = devices.filter((device) => device.simulatorEnrollmentStage === 'enrolled').length;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await backend.kill9();

    expect(await exited).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const match = new RegExp(
      `^stagesim fleet: the backend at ${backend.url.replace(/[.]/g, '\\.')} stopped answering; gave up after the retry budget \\(10 attempts, [\\d.]+-[\\d.]+ s of waiting\\): (\\d+) of ${DEVICES} devices got through, (\\d+) never started$`,
    ).exec(lines[0]!);
    expect(match).not.toBeNull();
    const [through, neverStarted] = [Number(match![1]), Number(match![2])];
    expect(through).toBeGreaterThanOrEqual(enrolled);
    // It stopped starting devices once the budget was spent: most of the fleet never began.
    expect(neverStarted).toBeGreaterThan(0);
    expect(through + neverStarted).toBeLessThan(DEVICES);
  } finally {
    if (backend.child.exitCode === null && backend.child.signalCode === null) await backend.kill9();
  }
}, 120_000);
