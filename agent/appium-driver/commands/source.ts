import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';
import { DISPLAY } from '../render/layout';

/** The page source in UiAutomator2's XML form, and the window it describes. */
export async function getPageSource(this: StagesimDriver): Promise<string> {
  return asWebDriver('command', async () => {
    const session = this.deviceSession();
    await session.idle();
    return session.pageSource();
  });
}

export async function getWindowRect(this: StagesimDriver) {
  return { x: 0, y: 0, width: DISPLAY.width, height: DISPLAY.height };
}
