import { ScreenPage } from './ScreenPage';

/** Android Device Policy's token entry: the token typed by hand, then Next. */
export class TokenEntryPage extends ScreenPage {
  async submit(token: string): Promise<void> {
    await this.perform('TOKEN_SUBMITTED', token);
  }
}
