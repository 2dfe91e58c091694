import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagesimError } from '../../../agent/errors';
import { CameraFeed } from './cameraFeed';
import { EmulatorControl, emulatorSerialOf, execCommand, type Exec } from './emulatorControl';
import type { AppiumSession } from './session';

function recorder(): { exec: Exec; calls: Array<{ file: string; args: string[] }> } {
  const calls: Array<{ file: string; args: string[] }> = [];
  return { calls, exec: async (file, args) => void calls.push({ file, args }) };
}

test('the emulator is named by its adb serial; anything else is not an emulator this machine controls', () => {
  expect(emulatorSerialOf({ udid: 'emulator-5556' })).toBe('emulator-5556');
  expect(emulatorSerialOf({ 'appium:udid': 'emulator-5554', deviceName: 'Pixel' })).toBe('emulator-5554');
  expect(emulatorSerialOf({ udid: 'R58M123ABC' })).toBeNull();
  expect(() => new EmulatorControl('R58M123ABC')).toThrow(
    expect.objectContaining({ code: 'EMULATOR_NOT_CONTROLLED' }),
  );
});

test("a power cycle is power-cycle.sh on the emulator's port; cutting the power adds --hard", async () => {
  const { exec, calls } = recorder();
  const emulator = new EmulatorControl('emulator-5556', exec, '/repo/emulator-scripts');
  await emulator.powerCycle({ hard: false });
  await emulator.powerCycle({ hard: true });
  expect(calls).toEqual([
    { file: '/repo/emulator-scripts/power-cycle.sh', args: ['--emulator-port', '5556'] },
    { file: '/repo/emulator-scripts/power-cycle.sh', args: ['--emulator-port', '5556', '--hard'] },
  ]);
});

describe('with an SDK', () => {
  let sdk: string;
  const saved = process.env.ANDROID_SDK_ROOT;
  beforeEach(() => {
    sdk = mkdtempSync(join(tmpdir(), 'stagesim-sdk-'));
    mkdirSync(join(sdk, 'platform-tools'));
    writeFileSync(join(sdk, 'platform-tools', 'adb'), '#!/bin/sh\necho "adb: $*" >&2\nexit 3\n');
    chmodSync(join(sdk, 'platform-tools', 'adb'), 0o755);
    process.env.ANDROID_SDK_ROOT = sdk;
  });
  afterEach(() => {
    rmSync(sdk, { recursive: true, force: true });
    if (saved === undefined) delete process.env.ANDROID_SDK_ROOT;
    else process.env.ANDROID_SDK_ROOT = saved;
  });

  test("the camera poster is the PNG in a file, given to the emulator console through the SDK's adb", async () => {
    const { exec, calls } = recorder();
    const file = await new EmulatorControl('emulator-5554', exec).setCameraPoster(Buffer.from('png bytes'));
    expect(calls).toEqual([
      {
        file: join(sdk, 'platform-tools', 'adb'),
        args: ['-s', 'emulator-5554', 'emu', 'virtualscene-image', 'wall', file],
      },
    ]);
    expect(readFileSync(file, 'utf8')).toBe('png bytes');
  });

  test('a command that fails is EMULATOR_COMMAND_FAILED with what it said', async () => {
    const error = await new EmulatorControl('emulator-5554', execCommand)
      .setCameraPoster(Buffer.from('x'))
      .catch((e: StagesimError) => e);
    expect(error).toMatchObject({ code: 'EMULATOR_COMMAND_FAILED' });
    expect((error as Error).message).toMatch(/adb: -s emulator-5554 emu virtualscene-image wall/);
  });
});

describe('the camera feed', () => {
  const sessionAnswering = (error: StagesimError | null) => {
    const calls: string[] = [];
    const session = {
      execute: async (script: string) => {
        calls.push(script);
        if (error) throw error;
      },
    } as unknown as AppiumSession;
    return { session, calls };
  };

  test('injects the frame when the driver can', async () => {
    const posters: Buffer[] = [];
    const { session, calls } = sessionAnswering(null);
    expect(await new CameraFeed(async (png) => void posters.push(png)).show(session, Buffer.from('qr'))).toBe(
      'injected',
    );
    expect(calls).toEqual(['mobile: injectEmulatorCameraImage']);
    expect(posters).toEqual([]);
  });

  test('falls back to the emulator poster when the driver has no such command', async () => {
    const posters: Buffer[] = [];
    const { session } = sessionAnswering(
      new StagesimError('APPIUM_UNKNOWN_METHOD', 'Method has not yet been implemented'),
    );
    expect(await new CameraFeed(async (png) => void posters.push(png)).show(session, Buffer.from('qr'))).toBe(
      'poster',
    );
    expect(posters).toEqual([Buffer.from('qr')]);
  });

  test('other failures, or no emulator to fall back on, are the failure', async () => {
    const refused = sessionAnswering(new StagesimError('FRAME_NOT_PNG', 'not a PNG'));
    await expect(
      new CameraFeed(async () => undefined).show(refused.session, Buffer.from('qr')),
    ).rejects.toMatchObject({ code: 'FRAME_NOT_PNG' });
    const unsupported = sessionAnswering(new StagesimError('APPIUM_UNKNOWN_METHOD', 'nope'));
    await expect(new CameraFeed(null).show(unsupported.session, Buffer.from('qr'))).rejects.toMatchObject({
      code: 'APPIUM_UNKNOWN_METHOD',
    });
  });
});
