import type { DeviceView } from '../../../agent/device/SimulatedDevice';
import { HeadlessTarget } from '../../targets/headless/HeadlessTarget';
import type { TargetAction, TargetDevice } from '../../targets/target';
import type { AdminClient } from '../../world/AdminClient';
import { addTlsOptions, embeddedTlsFrom, printLocalCa } from '../sharedOptions';
import type { RegisterCommand } from './index';

/**
 * One device through the whole staging document on the embedded backend, printing what the device
 * shows and what the backend records at every step: the quickest way to see what stagesim simulates.
 */
export const registerDemo: RegisterCommand = (program) => {
  const command = program
    .command('demo')
    .description('walk one simulated device through device staging (stage 1 to 3), printing every screen')
    .action(async (options: unknown) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      // Loaded here, not to register: `stagesim demo --help` starts no backend.
      const [{ startBackend }, { AdminClient }, { EnrollmentWorld }] = await Promise.all([
        import('../../backend/server'),
        import('../../world/AdminClient'),
        import('../../world/EnrollmentWorld'),
      ]);
      const tls = embeddedTlsFrom(options);
      printLocalCa('stagesim demo', tls);
      const backend = await startBackend(tls ? { tls: tls.server } : {});
      const target = new HeadlessTarget();
      try {
        const admin = new AdminClient(backend.url, undefined, tls?.ca);
        const world = new EnrollmentWorld(admin, 'Demo');
        const flow = { tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' } as const;
        out(`Embedded backend at ${backend.url} (admin console at ${backend.consoleUrl})`);
        out('\nStage 1 (admin): enrollment profile with a staging token, and an assignment filter');
        const profile = await world.profileFor(flow);
        await world.targetProfile(profile, 'john@contoso.com');
        const offered = await world.validToken(flow);
        out(`  profile "${profile.displayName}", token …${offered.token.slice(-4)}`);

        const device = await target.createDevice(
          { serialNumber: 'XX1234', manufacturer: 'Samsung', model: 'Galaxy XCover6 Pro', osVersion: '14' },
          backend.url,
          tls?.ca,
        );
        const step = async (who: string, what: string, action: TargetAction) => {
          await device.perform(action);
          await show(out, device, admin, `${who} ${what}`);
        };
        out(
          '\nStage 2 (vendor): power on, run the setup wizard to the sign-in screen, scan the QR code, power off',
        );
        await step('vendor', 'powers the device on', { type: 'POWER_ON' });
        await step('vendor', 'taps Start', { type: 'START' });
        await step('vendor', 'chooses the language', { type: 'SELECT_LANGUAGE' });
        await step('vendor', 'connects to Wi-Fi', { type: 'CONNECT_WIFI' });
        await step('vendor', 'opens the QR reader (stops at sign-in, does not sign in)', {
          type: 'OPEN_QR_READER',
        });
        await step('vendor', "scans the staging token's QR code", {
          type: 'SHOW_QR_CODE',
          image: offered.qrPng,
        });
        await step('vendor', 'powers the device off and hands it over', { type: 'POWER_OFF' });
        out('\nStage 3 (user): power on, sign in to the Microsoft Intune app');
        await step('user', 'powers the device on', { type: 'POWER_ON' });
        await step('user', 'opens the Microsoft Intune app', { type: 'OPEN_INTUNE_APP' });
        await step('user', 'signs in as john@contoso.com', { type: 'SIGN_IN', upn: 'john@contoso.com' });
        out(
          '\nDone: the device is enrolled and ready for work. Next: `stagesim run` (scenario library), `stagesim model` (model-based tests).',
        );
      } finally {
        await target.close();
        await backend.close();
      }
    });
  addTlsOptions(command, 'the embedded backend serves');
};

async function show(
  out: (line: string) => void,
  device: TargetDevice,
  admin: AdminClient,
  what: string,
): Promise<void> {
  const view: DeviceView = await device.view();
  const record = await admin.managedDeviceBySerial(device.serialNumber);
  const backend = record
    ? `backend: ${record.simulatorEnrollmentStage}, "${record.deviceName}"${record.userPrincipalName ? `, user ${record.userPrincipalName}` : ', userless'}`
    : 'backend: no device record yet';
  out(`  ${what}`);
  out(
    `    screen: ${view.screen.title} [${view.screen.id}] · stage ${view.stage} · ${view.userless ? 'userless' : `user ${view.upn}`}`,
  );
  out(`    ${backend}`);
}
