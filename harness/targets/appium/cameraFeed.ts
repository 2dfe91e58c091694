import type { AppiumSession } from './session';
import { isUnsupported } from './webdriverErrors';
import { isStagesimError } from '../../../agent/errors';

/**
 * How a QR code reaches the device's camera: UiAutomator2's `mobile: injectEmulatorCameraImage` (an
 * emulator started with the virtual scene camera; the stagesim driver reads it too), and when the
 * driver answers that it has no such command, the emulator console's poster (`adb emu
 * virtualscene-image`), when there is an emulator to talk to.
 */
export type CameraRoute = 'injected' | 'poster';

export class CameraFeed {
  constructor(private readonly poster: ((png: Buffer) => Promise<void>) | null) {}

  async show(session: AppiumSession, png: Buffer): Promise<CameraRoute> {
    try {
      await session.execute('mobile: injectEmulatorCameraImage', { payload: png.toString('base64') });
      return 'injected';
    } catch (error) {
      if (!this.poster || !isStagesimError(error) || !isUnsupported(error)) throw error;
      await this.poster(png);
      return 'poster';
    }
  }
}
