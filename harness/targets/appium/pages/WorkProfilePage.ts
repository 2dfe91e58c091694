import { ScreenPage } from './ScreenPage';

/** Intune's work profile setup (corporate-owned work profile). */
export class WorkProfilePage extends ScreenPage {
  async accept(): Promise<void> {
    await this.tap('acceptButton');
  }
}
