import { ScreenPage } from './ScreenPage';

/**
 * Setup wizard, sign-in: where the vendor stops ("When you get to the sign-in screen, stop. Don't sign
 * in."). From here the QR reader or the token entry opens; signing in on a device nobody staged is refused.
 */
export class SignInPage extends ScreenPage {
  async openQrReader(): Promise<void> {
    await this.tap('scanQrButton');
  }

  async openTokenEntry(): Promise<void> {
    await this.tap('enterTokenButton');
  }

  async signIn(upn: string): Promise<void> {
    await this.perform('SIGN_IN', upn);
  }
}
