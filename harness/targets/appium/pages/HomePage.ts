import { ScreenPage } from './ScreenPage';

/** The launcher after a staged device is switched on by its user: open the Microsoft Intune app. */
export class HomePage extends ScreenPage {
  async openIntuneApp(): Promise<void> {
    await this.tap('intuneAppIcon');
  }
}
