import { ScreenPage } from './ScreenPage';

/** Intune asks for its app permissions. */
export class PermissionsPage extends ScreenPage {
  async allow(): Promise<void> {
    await this.tap('allowButton');
  }
}
