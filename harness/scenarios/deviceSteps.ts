import { StagesimError } from '../../agent/errors';
import { initialSnapshot, nextSnapshot } from '../../agent/model/nextSnapshot';
import { WELCOME_TAPS_FOR_QR_READER } from '../../agent/model/deviceModel';
import { metaOfPath } from '../../agent/model/inspect';
import { INTUNE_APP } from '../../agent/model/screens';
import { PROVISIONING_KEYS } from '../../agent/provisioning/payload';
import { renderQrPng } from '../backend/qr/renderQrPng';
import { onwardTable, type OnwardTable } from '../model-testing/onwardTable';
import type { TargetDevice } from '../targets/target';
import type { AdminCenter } from './adminCenter';
import type {
  AdminCenterCommandName,
  AdminCommand,
  BackendCommandName,
  EnvironmentCommand,
  UserCommand,
  VendorCommand,
} from './commands';

/**
 * What people do at a device, and what happens to it, as TargetDevice calls. A command finds its way
 * from the screen the device is on (the QR reader opens from the sign-in screen, or from six taps on the
 * welcome screen) and refuses, naming the screen, when the device is somewhere it cannot start from.
 */
export type DeviceCommand =
  | Exclude<AdminCommand, { command: AdminCenterCommandName }>
  | VendorCommand
  | UserCommand
  | Exclude<EnvironmentCommand, { command: BackendCommandName }>;

/** The network around one device, as the scenario set it. */
export interface DeviceSurroundings {
  wifiInRange: boolean;
  cellular: boolean;
}

function wrongScreen(command: string, screen: string, expected: string): StagesimError {
  return new StagesimError('SCENARIO_WRONG_SCREEN', `${command}: the device shows "${screen}"; ${expected}`);
}

/** How people type a token: the exact string, lower case, groups of four separated by spaces. */
export function typedToken(
  value: string,
  style: 'exact' | 'lowerCase' | 'withSpaces' | 'lowerCaseWithSpaces',
): string {
  const spaced =
    style === 'withSpaces' || style === 'lowerCaseWithSpaces'
      ? (value.match(/.{1,4}/g) ?? []).join(' ')
      : value;
  return style === 'lowerCase' || style === 'lowerCaseWithSpaces' ? spaced.toLowerCase() : spaced;
}

/**
 * The setup wizard as the model has it: the screens between the one power-on shows and the sign-in
 * screen where the vendor stops, and on each the action that goes on (Wi-Fi is the vendor's choice).
 */
const SIGN_IN_STATE = 'setupWizard.signIn';
let wizard: { table: OnwardTable; states: ReadonlySet<string>; screens: string } | undefined;
function setupWizard(): NonNullable<typeof wizard> {
  if (!wizard) {
    // Six taps on the welcome screen open the QR reader: a shortcut past the wizard, not a way through it.
    const table = onwardTable((path) => path === SIGN_IN_STATE, { refuse: new Set(['TAP_WELCOME']) });
    const poweredOn = nextSnapshot(initialSnapshot(), {
      type: 'POWER_ON',
    });
    // The screens a person acts on; the check for a zero-touch or KME configuration runs by itself.
    const states = new Set(
      [...table.statesOnTheWay(poweredOn)].filter(
        (path) => path !== SIGN_IN_STATE && !metaOfPath(path).effect,
      ),
    );
    const screens = [...states].map((path) => metaOfPath(path).screen.id).join(', ');
    wizard = { table, states, screens };
  }
  return wizard;
}

export async function runDeviceCommand(
  step: DeviceCommand,
  device: TargetDevice,
  admin: AdminCenter,
  surroundings: DeviceSurroundings,
): Promise<void> {
  const screen = async () => (await device.view()).screen;
  switch (step.command) {
    case 'unboxAndPowerOn':
    case 'powerOn':
      return device.perform({ type: 'POWER_ON' });
    case 'powerOff':
      return device.perform({ type: 'POWER_OFF' });
    case 'connectWifi':
      return device.perform({ type: 'CONNECT_WIFI' });
    case 'tryAgain':
      return device.perform({ type: 'TRY_AGAIN' });
    case 'createWorkProfile':
      return device.perform({ type: 'CREATE_WORK_PROFILE' });
    case 'grantPermissions':
      return device.perform({ type: 'GRANT_PERMISSIONS' });
    case 'acceptTerms':
      return device.perform({ type: 'ACCEPT_TERMS' });
    case 'resumeEnrollment':
      return device.perform({ type: 'RESUME_ENROLLMENT' });
    case 'signIn':
      return device.perform({ type: 'SIGN_IN', upn: step.upn });
    case 'factoryReset':
      return device.perform({ type: 'FACTORY_RESET' });
    case 'cutPower':
      return device.cutPower();
    case 'openIntuneApp': {
      const { id, appPackage } = await screen();
      // Already in the app (a step written twice, or the app resumed itself): nothing to open.
      if (appPackage === INTUNE_APP) return;
      if (id !== 'home')
        throw wrongScreen(
          'openIntuneApp',
          id,
          `the Microsoft Intune app (${INTUNE_APP}) is opened from the home screen, not from ${appPackage}`,
        );
      return device.perform({ type: 'OPEN_INTUNE_APP' });
    }
    case 'completeSetupWizard': {
      const { table, states, screens } = setupWizard();
      let acted = false;
      for (let guard = 0; guard <= states.size; guard += 1) {
        const view = await device.view();
        if (view.state === SIGN_IN_STATE) return;
        // A device with a zero-touch or KME configuration goes on by itself once it has a network.
        if (acted && !states.has(view.state)) return;
        const ways = states.has(view.state) ? table.waysAt(view.state) : undefined;
        if (!ways?.length)
          throw wrongScreen(
            'completeSetupWizard',
            view.screen.id,
            `expected a setup wizard screen (${screens}) or sign-in`,
          );
        const online = step.wifi && surroundings.wifiInRange;
        const choice = ways.find((type) => type === (online ? 'CONNECT_WIFI' : 'SKIP_NETWORK')) ?? ways[0]!;
        await device.perform({ type: choice } as Parameters<TargetDevice['perform']>[0]);
        acted = true;
      }
      throw wrongScreen(
        'completeSetupWizard',
        (await screen()).id,
        'the setup wizard did not reach the sign-in screen',
      );
    }
    case 'scanQrCode': {
      const image = qrImage(step, admin);
      const { id } = await screen();
      if (id === 'welcome' && step.via !== 'signInScreen') {
        for (let tap = 0; tap < WELCOME_TAPS_FOR_QR_READER; tap += 1)
          await device.perform({ type: 'TAP_WELCOME' });
      } else if (id === 'sign-in' && step.via !== 'welcomeTaps') {
        await device.perform({ type: 'OPEN_QR_READER' });
      } else if (id !== 'qr-reader' || step.via !== undefined) {
        const from =
          step.via === 'welcomeTaps'
            ? 'the welcome screen'
            : step.via === 'signInScreen'
              ? 'the sign-in screen'
              : 'the welcome screen (six taps) or the sign-in screen';
        throw wrongScreen('scanQrCode', id, `the QR reader opens from ${from}`);
      }
      return device.perform({ type: 'SHOW_QR_CODE', image });
    }
    case 'enterToken': {
      const typed = step.text ?? typedToken(admin.token(step.profile, step.token).value, step.as);
      const { id } = await screen();
      if (id === 'sign-in') await device.perform({ type: 'OPEN_TOKEN_ENTRY' });
      else if (id !== 'token-entry')
        throw wrongScreen('enterToken', id, 'the token is entered from the sign-in screen');
      return device.perform({ type: 'TOKEN_SUBMITTED', token: typed });
    }
    case 'dropNetwork':
    case 'restoreNetwork': {
      const available = step.command === 'restoreNetwork';
      if (step.network !== 'cellular') surroundings.wifiInRange = available;
      if (step.network !== 'wifi') surroundings.cellular = available;
      return device.setNetwork({
        ...(step.network !== 'cellular' ? { wifiInRange: available } : {}),
        ...(step.network !== 'wifi' ? { cellular: available } : {}),
      });
    }
    case 'registerConfiguration': {
      const exported = step.export !== undefined ? admin.exported(step.export) : null;
      const json = exported?.json ?? step.json!;
      return device.setConfiguration({
        format: step.format ?? exported!.format,
        json: step.cutShort ? json.slice(0, Math.floor(json.length / 2)) : json,
        ...(step.dpc !== undefined ? { dpc: step.dpc } : {}),
      });
    }
    case 'unregisterConfiguration':
      return device.setConfiguration(null);
    case 'stallNetwork':
      return device.holdWork(step.work);
    case 'resumeNetwork':
      return device.releaseWork();
    default: {
      const unhandled: never = step;
      throw new StagesimError(
        'SCENARIO_UNKNOWN_COMMAND',
        `no device command ${(unhandled as { command: string }).command}`,
      );
    }
  }
}

/** The QR code the vendor shows: the admin center's own, or one made to be wrong in a stated way. */
function qrImage(step: Extract<DeviceCommand, { command: 'scanQrCode' }>, admin: AdminCenter): Buffer {
  if (step.text !== undefined) return renderQrPng(step.text);
  const token = admin.token(step.profile, step.token);
  if (step.checksum === undefined && step.downloadLocation === undefined && step.useMobileData === undefined)
    return token.png;
  const payload = JSON.parse(token.qrCodeContent) as Record<string, unknown>;
  if (step.checksum !== undefined) payload[PROVISIONING_KEYS.signatureChecksum] = step.checksum;
  if (step.downloadLocation !== undefined)
    payload[PROVISIONING_KEYS.packageDownloadLocation] = step.downloadLocation;
  if (step.useMobileData !== undefined) payload[PROVISIONING_KEYS.useMobileData] = step.useMobileData;
  return renderQrPng(JSON.stringify(payload));
}
