import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorld, type WorldFixture } from '../../harness/world/testing/worldFixture';
import type { AcceptedFlow } from '../../harness/world/EnrollmentWorld';
import { DeviceChannelClient } from '../channel/DeviceChannelClient';
import { FileDeviceStorage, MemoryDeviceStorage, type DeviceStorage } from './deviceStorage';
import type { DeviceProfileInput } from './deviceProfile';
import { SimulatedDevice } from './SimulatedDevice';

// The headless device against the real backend over the real device channel: no stand-ins.
let fixture: WorldFixture;
const devices: SimulatedDevice[] = [];

beforeEach(async () => {
  fixture = await startWorld('device');
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((device) => device.close()));
  await fixture.close();
});

const STAGING_FM: AcceptedFlow = { tokenType: 'deviceStaging', mode: 'corporateOwnedFullyManaged' };
const STAGING_COPE: AcceptedFlow = { tokenType: 'deviceStaging', mode: 'corporateOwnedWorkProfile' };
const DEFAULT_FM: AcceptedFlow = { tokenType: 'default', mode: 'corporateOwnedFullyManaged' };

let serial = 0;
function newDevice(
  profile: Partial<DeviceProfileInput> = {},
  storage: DeviceStorage = new MemoryDeviceStorage(),
): SimulatedDevice {
  serial += 1;
  const device = new SimulatedDevice({
    profile: {
      serialNumber: `SIM${serial}`,
      manufacturer: 'Samsung',
      model: 'Galaxy XCover6 Pro',
      osVersion: '13',
      ...profile,
    },
    service: new DeviceChannelClient({ url: fixture.backend.url }),
    storage,
  });
  devices.push(device);
  return device;
}

async function act(device: SimulatedDevice, action: () => void): Promise<string> {
  action();
  await device.settled();
  return device.view().state;
}

/** Power on, run the setup wizard to the sign-in screen and stop there. */
async function toSignIn(device: SimulatedDevice): Promise<void> {
  await act(device, () => device.pressPowerButton());
  await act(device, () => device.tap('startButton'));
  await act(device, () => device.tap('nextButton'));
  await act(device, () => device.tap('wifiNetwork'));
  expect(device.view().screen.id).toBe('sign-in');
}

async function stageWithQr(device: SimulatedDevice, flow: AcceptedFlow): Promise<void> {
  await toSignIn(device);
  await act(device, () => device.tap('scanQrButton'));
  const { qrPng } = await fixture.world.validToken(flow);
  expect(await device.showQrCode(qrPng)).toBe('scanned');
  await device.settled();
}

describe('staging token, three stages', () => {
  test('fully managed: stage 2 leaves the device staged and userless, stage 3 enrolls the user', async () => {
    const device = newDevice();
    await stageWithQr(device, STAGING_FM);
    expect(device.view()).toMatchObject({
      state: 'stagingStage2.readyToPowerOff',
      userless: true,
      recordedStage: 'staged',
    });
    expect(device.view().deviceName).toMatch(/^Staging_SIM\d+_/);

    expect(await act(device, () => device.pressPowerButton())).toBe('stagingStage3.poweredOff');
    expect(await act(device, () => device.pressPowerButton())).toBe('stagingStage3.home');
    expect(await act(device, () => device.tap('intuneAppIcon'))).toBe('stagingStage3.intuneSignIn');
    expect(device.view().screen.appPackage).toBe('com.microsoft.intune');
    device.type('emailField', 'john@contoso.com');
    expect(await act(device, () => device.tap('signInButton'))).toBe('enrolled.readyForWork');
    expect(device.view()).toMatchObject({
      userless: false,
      upn: 'john@contoso.com',
      recordedStage: 'enrolled',
    });
    expect(device.view().deviceName).toMatch(/^john@contoso\.com_/);
    const record = await fixture.admin.managedDeviceBySerial(device.serialNumber);
    expect(record).toMatchObject({
      simulatorEnrollmentStage: 'enrolled',
      userPrincipalName: 'john@contoso.com',
    });
  });

  test('corporate-owned work profile: enrollment is recorded only after the user creates the work profile', async () => {
    const device = newDevice();
    await stageWithQr(device, STAGING_COPE);
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.tap('intuneAppIcon'));
    expect(await act(device, () => device.signIn('adele@contoso.com'))).toBe('stagingStage3.workProfile');
    const before = await fixture.admin.managedDeviceBySerial(device.serialNumber);
    expect(before).toMatchObject({ simulatorEnrollmentStage: 'staged', userPrincipalName: '' });
    expect(before?.deviceName).toMatch(/^Staging_/);
    expect(await act(device, () => device.tap('acceptButton'))).toBe('enrolled.readyForWork');
    const after = await fixture.admin.managedDeviceBySerial(device.serialNumber);
    expect(after).toMatchObject({
      simulatorEnrollmentStage: 'enrolled',
      userPrincipalName: 'adele@contoso.com',
    });
  });

  test('the token string typed by hand, with spaces and in lower case', async () => {
    const device = newDevice();
    await toSignIn(device);
    await act(device, () => device.tap('enterTokenButton'));
    const { token } = await fixture.world.validToken(STAGING_FM);
    device.type('tokenField', ` ${token.slice(0, 10).toLowerCase()} ${token.slice(10)} `);
    expect(await act(device, () => device.tap('nextButton'))).toBe('stagingStage2.readyToPowerOff');
  });
});

describe('default token, two stages', () => {
  test('the admin opens the QR reader with six taps; the user connects Wi-Fi, signs in, grants permissions, accepts terms', async () => {
    const device = newDevice();
    await act(device, () => device.pressPowerButton());
    for (let tap = 1; tap < 6; tap += 1)
      expect(await act(device, () => device.tap('welcomeImage'))).toBe('setupWizard.welcome');
    expect(await act(device, () => device.tap('welcomeImage'))).toBe('setupWizard.qrReader');
    const { qrPng } = await fixture.world.validToken(DEFAULT_FM);
    await device.showQrCode(qrPng);
    await device.settled();
    expect(device.view()).toMatchObject({
      state: 'defaultStage1.readyToDistribute',
      userless: true,
      recordedStage: 'adminProvisioned',
    });

    await act(device, () => device.pressPowerButton());
    expect(await act(device, () => device.pressPowerButton())).toBe('defaultStage2.connectWifi');
    await act(device, () => device.connectWifi());
    expect(await act(device, () => device.signIn('john@contoso.com'))).toBe('defaultStage2.permissions');
    await act(device, () => device.tap('allowButton'));
    expect(await act(device, () => device.tap('acceptButton'))).toBe('enrolled.readyForWork');
  });
});

describe('error paths', () => {
  test('Android 7 is refused: Intune needs Android 8 or later', async () => {
    const device = newDevice({ osVersion: '7.1' });
    await stageWithQr(device, STAGING_FM);
    expect(device.view()).toMatchObject({ state: 'unsupportedAndroid', errorReason: 'androidTooOld' });
    expect(device.view().errorMessage).toMatch(/Android older than 8/);
  });

  test('Android 10+ without a network shows the Wi-Fi error, which needs no reset', async () => {
    const device = newDevice({ osVersion: '12', wifiInRange: false });
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.send({ type: 'START' }));
    await act(device, () => device.send({ type: 'SELECT_LANGUAGE' }));
    expect(() => device.connectWifi()).toThrow(expect.objectContaining({ code: 'NO_WIFI_IN_RANGE' }));
    await act(device, () => device.tap('skipButton'));
    await act(device, () => device.tap('enterTokenButton'));
    const { token } = await fixture.world.validToken(STAGING_FM);
    device.type('tokenField', token);
    expect(await act(device, () => device.tap('nextButton'))).toBe('setupWizard.noNetwork');
    device.setWifiInRange(true);
    expect(await act(device, () => device.tap('tryAgainButton'))).toBe('setupWizard.network');
  });

  test('Android 9 without Wi-Fi enrolls over mobile data', async () => {
    const device = newDevice({ osVersion: '9', wifiInRange: false });
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.send({ type: 'START' }));
    await act(device, () => device.send({ type: 'SELECT_LANGUAGE' }));
    await act(device, () => device.send({ type: 'SKIP_NETWORK' }));
    await act(device, () => device.send({ type: 'OPEN_TOKEN_ENTRY' }));
    const { token } = await fixture.world.validToken(STAGING_FM);
    expect(await act(device, () => device.enterToken(token))).toBe('stagingStage2.readyToPowerOff');
  });

  test('typing the token is refused for a corporate-owned work profile on Android 11+', async () => {
    const device = newDevice({ osVersion: '12' });
    await toSignIn(device);
    await act(device, () => device.tap('enterTokenButton'));
    const { token } = await fixture.world.validToken(STAGING_COPE);
    expect(await act(device, () => device.enterToken(token))).toBe('setupWizard.manualEntryNotSupported');
    expect(device.view().errorReason).toBe('manualEntryNotSupported');
  });

  test('a QR code whose checksum does not match: "Can\'t set up device", reset needed', async () => {
    const device = newDevice();
    await toSignIn(device);
    await act(device, () => device.tap('scanQrButton'));
    const { token } = await fixture.world.validToken(STAGING_FM);
    await device.showQrCode(fixture.world.craftedQr(token, 'checksumMismatch'));
    await device.settled();
    expect(device.view()).toMatchObject({ state: 'cantSetUpDevice', errorReason: 'checksumMismatch' });
    expect(await act(device, () => device.tap('resetButton'))).toBe('setupWizard.welcome');
  });

  test('a rejected token shows its reason and lets the vendor try again', async () => {
    const device = newDevice();
    await toSignIn(device);
    await act(device, () => device.tap('scanQrButton'));
    const { qrPng } = await fixture.world.rejectedToken('revoked');
    await device.showQrCode(qrPng);
    await device.settled();
    expect(device.view()).toMatchObject({ state: 'setupWizard.tokenRejected', errorReason: 'revoked' });
    expect(await act(device, () => device.tap('tryAgainButton'))).toBe('setupWizard.signIn');
  });

  test('a QR code that is not an enrollment code, and a frame with no code at all', async () => {
    const device = newDevice();
    await toSignIn(device);
    await act(device, () => device.tap('scanQrButton'));
    const { PNG } = await import('pngjs');
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(await device.showQrCode(PNG.sync.write(blank))).toBe('noCode');
    expect(await device.showQrCode(fixture.world.craftedQr('', 'notProvisioning'))).toBe('invalid');
    expect(device.view().state).toBe('setupWizard.invalidQrCode');
  });

  test('power lost during stage 2 enrollment in progress: setup cannot resume, a reset starts over', async () => {
    const device = newDevice();
    device.holdEffects('recordStaged');
    await stageWithQr(device, STAGING_FM);
    expect(device.view().state).toBe('stagingStage2.enrollmentInProgress');
    device.cutPower();
    device.releaseEffects();
    await device.settled();
    expect(await act(device, () => device.pressPowerButton())).toBe('setupInterrupted.resetRequired');
    expect(await act(device, () => device.factoryReset())).toBe('setupWizard.welcome');
    const ledger = await fixture.admin.ledger(device.serialNumber);
    expect(ledger.map((entry) => entry.toStage)).toEqual(['tokenCreated', 'factoryReset']);
  });

  test('power lost during stage 3 enrollment in progress: the Intune app resumes it', async () => {
    const device = newDevice();
    await stageWithQr(device, STAGING_FM);
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.tap('intuneAppIcon'));
    device.holdEffects('recordEnrolled');
    expect(await act(device, () => device.signIn('john@contoso.com'))).toBe(
      'stagingStage3.enrollmentInProgress',
    );
    device.cutPower();
    device.releaseEffects();
    expect(await act(device, () => device.pressPowerButton())).toBe('stagingStage3.enrollmentIncomplete');
    expect(await act(device, () => device.tap('resumeButton'))).toBe('enrolled.readyForWork');
  });

  test('a factory reset of an enrolled device goes back to the welcome screen and is in the ledger', async () => {
    const device = newDevice();
    await stageWithQr(device, STAGING_FM);
    expect(await act(device, () => device.factoryReset())).toBe('setupWizard.welcome');
    expect(device.view()).toMatchObject({ deviceName: null, flow: null, recordedStage: 'factoryReset' });
    expect((await fixture.admin.ledger(device.serialNumber)).map((entry) => entry.toStage)).toEqual([
      'tokenCreated',
      'staged',
      'factoryReset',
    ]);
  });

  test('an action the screen does not offer is refused with a code', async () => {
    const device = newDevice();
    expect(() => device.tap('startButton')).toThrow(expect.objectContaining({ code: 'NO_SUCH_ELEMENT' }));
    expect(() => device.send({ type: 'START' })).toThrow(
      expect.objectContaining({ code: 'ACTION_NOT_AVAILABLE' }),
    );
    await act(device, () => device.pressPowerButton());
    expect(() => device.type('startButton', 'x')).toThrow(
      expect.objectContaining({ code: 'ELEMENT_NOT_EDITABLE' }),
    );
  });
});

describe('observing a device', () => {
  test('onTransition reports each transition as it is taken; stateName and busy follow the device', async () => {
    const device = newDevice();
    const seen: Array<{ event: string; state: string; busy: boolean; name: string }> = [];
    const stop = device.onTransition((transition) =>
      seen.push({
        event: transition.event,
        state: transition.state,
        busy: device.busy(),
        name: device.stateName(),
      }),
    );
    await toSignIn(device);
    await act(device, () => device.tap('scanQrButton'));
    expect(await device.showQrCode((await fixture.world.validToken(STAGING_FM)).qrPng)).toBe('scanned');
    expect(device.busy()).toBe(true);
    await device.settled();
    expect(device.busy()).toBe(false);
    expect(seen.map((entry) => entry.state)).toEqual([
      'setupWizard.welcome',
      'setupWizard.language',
      'setupWizard.network',
      'setupWizard.checkingConfiguration',
      'setupWizard.signIn',
      'setupWizard.qrReader',
      'setupWizard.preparingDevice',
      'setupWizard.checkingToken',
      'stagingStage2.enrollmentInProgress',
      'stagingStage2.readyToPowerOff',
    ]);
    expect(seen.map((entry) => entry.event).slice(-4)).toEqual([
      'QR_SCANNED',
      'DEVICE_READY',
      'TOKEN_ACCEPTED',
      'STAGE_RECORDED',
    ]);
    // The listener runs once the device is in the new state, before that state's work starts.
    expect(seen.every((entry) => entry.name === entry.state && !entry.busy)).toBe(true);
    expect(seen).toEqual(
      device.history().map((transition) => ({
        event: transition.event,
        state: transition.state,
        busy: false,
        name: transition.state,
      })),
    );
    stop();
    await act(device, () => device.pressPowerButton());
    expect(seen).toHaveLength(10);
    expect(device.stateName()).toBe(device.view().state);
  });
});

describe('power cycle', () => {
  test('a device restored from memory storage is where the saved one was, and later saves do not change what was restored', async () => {
    const storage = new MemoryDeviceStorage();
    const first = newDevice({}, storage);
    await stageWithQr(first, STAGING_FM);
    await act(first, () => first.pressPowerButton());
    await first.close();

    const again = new SimulatedDevice({
      profile: first.profile,
      service: new DeviceChannelClient({ url: fixture.backend.url }),
      storage,
    });
    devices.push(again);
    expect(again.view()).toMatchObject({
      state: 'stagingStage3.poweredOff',
      recordedStage: 'staged',
      userless: true,
      wifiConnected: true,
    });
    expect(again.view().deviceName).toMatch(/^Staging_/);
    const restored = storage.load(first.serialNumber)!;
    expect(await act(again, () => again.pressPowerButton())).toBe('stagingStage3.home');
    // What was loaded before is a copy: the device's later saves are not seen through it.
    expect((restored.snapshot as { value: unknown }).value).toEqual({ stagingStage3: 'poweredOff' });
    expect((storage.load(first.serialNumber)!.snapshot as { value: unknown }).value).toEqual({
      stagingStage3: 'home',
    });
  });

  test('a staged device switched off and on again, even by a new process, is still staged', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stagesim-device-'));
    try {
      const storage = new FileDeviceStorage(folder);
      const first = newDevice({}, storage);
      await stageWithQr(first, STAGING_FM);
      await act(first, () => first.pressPowerButton());
      await first.close();

      // A new device object (as after a restart of the simulator) restores the persisted snapshot.
      const again = new SimulatedDevice({
        profile: first.profile,
        service: new DeviceChannelClient({ url: fixture.backend.url }),
        storage: new FileDeviceStorage(folder),
      });
      devices.push(again);
      expect(again.view()).toMatchObject({
        state: 'stagingStage3.poweredOff',
        recordedStage: 'staged',
        userless: true,
      });
      expect(again.view().deviceName).toMatch(/^Staging_/);
      expect(await act(again, () => again.pressPowerButton())).toBe('stagingStage3.home');
      expect(await act(again, () => again.tap('intuneAppIcon'))).toBe('stagingStage3.intuneSignIn');
      expect(await act(again, () => again.signIn('john@contoso.com'))).toBe('enrolled.readyForWork');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('zero-touch and Knox Mobile Enrollment', () => {
  /** Power on and connect Wi-Fi: the setup wizard checks in and goes on by itself from there. */
  async function powerOnWithNetwork(device: SimulatedDevice): Promise<string> {
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.tap('startButton'));
    await act(device, () => device.tap('nextButton'));
    return act(device, () => device.tap('wifiNetwork'));
  }

  test('zero-touch: the exported DPC extras stage the device with no scan and no typed token', async () => {
    const { profile } = await fixture.world.validToken(STAGING_FM);
    const json = JSON.stringify(await fixture.admin.exportToken(profile!.id, 'zeroTouch'));
    const device = newDevice({ manufacturer: 'Google', model: 'Pixel 8' });
    device.setConfiguration({ format: 'zeroTouch', json });
    expect(await powerOnWithNetwork(device)).toBe('stagingStage2.readyToPowerOff');
    expect(device.history().map((step) => step.event)).toContain('CONFIGURATION_FOUND');
    const ledger = await fixture.admin.ledger(device.serialNumber);
    expect(ledger.map((entry) => entry.toStage)).toEqual(['tokenCreated', 'staged']);
  });

  test('KME on a Samsung device over mobile data alone: staged from the custom JSON', async () => {
    const { profile } = await fixture.world.validToken(STAGING_COPE);
    const json = JSON.stringify(await fixture.admin.exportToken(profile!.id, 'knoxMobileEnrollment'));
    const device = newDevice({ osVersion: '14' }, new MemoryDeviceStorage());
    device.setConfiguration({ format: 'knoxMobileEnrollment', json });
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.tap('startButton'));
    await act(device, () => device.tap('nextButton'));
    expect(await act(device, () => device.tap('skipButton'))).toBe('stagingStage2.readyToPowerOff');
    expect(device.view()).toMatchObject({ flow: 'staging', mode: 'corporateOwnedWorkProfile' });
  });

  test('a device with no configuration, or off the network, goes to the sign-in screen as before', async () => {
    const device = newDevice({ cellular: false });
    device.setConfiguration({ format: 'zeroTouch', json: '{}' });
    await act(device, () => device.pressPowerButton());
    await act(device, () => device.tap('startButton'));
    await act(device, () => device.tap('nextButton'));
    // No Wi-Fi and no mobile data: nothing to check in with.
    expect(await act(device, () => device.tap('skipButton'))).toBe('setupWizard.signIn');
    const plain = newDevice();
    expect(await powerOnWithNetwork(plain)).toBe('setupWizard.signIn');
  });

  test('malformed JSON and another DPC end on "Can\'t set up device"; nothing reaches the backend', async () => {
    const malformed = newDevice();
    malformed.setConfiguration({ format: 'zeroTouch', json: '{"android.app.extra.PROVISIONING_ADMIN' });
    expect(await powerOnWithNetwork(malformed)).toBe('cantSetUpDevice');
    expect(malformed.view()).toMatchObject({
      screen: { id: 'cant-set-up-device' },
      errorReason: 'configurationInvalid',
    });
    const { token } = await fixture.world.validToken(STAGING_FM);
    const other = newDevice();
    other.setConfiguration({
      format: 'knoxMobileEnrollment',
      json: JSON.stringify({ 'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': token }),
      dpc: 'com.afwsamples.testdpc',
    });
    expect(await powerOnWithNetwork(other)).toBe('cantSetUpDevice');
    expect(other.view().errorReason).toBe('otherDpc');
    expect(await fixture.admin.ledger(other.serialNumber)).toEqual([]);
  });

  test('a revoked or expired token in the configuration is refused with its reason', async () => {
    const revoked = await fixture.world.rejectedToken('revoked');
    const device = newDevice();
    device.setConfiguration({
      format: 'knoxMobileEnrollment',
      json: JSON.stringify({ 'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': revoked.token }),
    });
    expect(await powerOnWithNetwork(device)).toBe('setupWizard.tokenRejected');
    expect(device.view()).toMatchObject({ errorReason: 'revoked', screen: { id: 'token-rejected' } });
    const expired = await fixture.world.rejectedToken('expired');
    const late = newDevice();
    late.setConfiguration({
      format: 'zeroTouch',
      json: JSON.stringify({
        'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
          'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': expired.token,
        },
      }),
    });
    expect(await powerOnWithNetwork(late)).toBe('setupWizard.tokenRejected');
    expect(late.view().errorReason).toBe('expired');
  });

  test('KME is refused on a device that is not a Samsung, and bad configurations are refused by name', () => {
    const pixel = newDevice({ manufacturer: 'Google', model: 'Pixel 8' });
    expect(() => pixel.setConfiguration({ format: 'knoxMobileEnrollment', json: '{}' })).toThrow(
      /DEVICE_CONFIGURATION_INVALID|Knox Mobile Enrollment is for Samsung devices/,
    );
    expect(() => pixel.setConfiguration({ format: 'zeroTouch', json: '{}', dpc: 'not a package' })).toThrow(
      /device configuration dpc: an Android package name/,
    );
  });
});
