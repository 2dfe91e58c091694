import { ScreenPage } from './ScreenPage';

/** Microsoft Intune (com.microsoft.intune): sign in with a work or school account (staging stage 3, default stage 2). */
export class IntuneSignInPage extends ScreenPage {
  async signIn(upn: string): Promise<void> {
    await this.perform('SIGN_IN', upn);
  }
}
