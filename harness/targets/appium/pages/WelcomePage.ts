import { WELCOME_TAPS_FOR_QR_READER } from '../../../../agent/model/deviceModel';
import { ScreenPage } from './ScreenPage';

/** Setup wizard, welcome: Start, or tap the same spot six times to open the QR reader. */
export class WelcomePage extends ScreenPage {
  async tapWelcome(): Promise<void> {
    await this.tap('welcomeImage');
  }

  async openQrReader(): Promise<void> {
    const image = await this.element('welcomeImage');
    for (let tap = 0; tap < WELCOME_TAPS_FOR_QR_READER; tap += 1) await this.session.click(image);
  }

  async start(): Promise<void> {
    await this.tap('startButton');
  }
}
