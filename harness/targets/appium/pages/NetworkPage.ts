import { ScreenPage } from './ScreenPage';

/** Connect to Wi-Fi: the vendor's (with Skip) during setup, and the user's after a default-token stage 1. */
export class NetworkPage extends ScreenPage {
  async connectWifi(): Promise<void> {
    await this.tap('wifiNetwork');
  }

  async skip(): Promise<void> {
    await this.tap('skipButton');
  }
}
