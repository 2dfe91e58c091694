import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';

/** A PNG of the current screen, base64 as WebDriver answers screenshots. */
export async function getScreenshot(this: StagesimDriver): Promise<string> {
  return asWebDriver('command', async () => {
    const session = this.deviceSession();
    await session.idle();
    return session.screenshot().toString('base64');
  });
}
