import { AppiumTarget, type AppiumTargetOptions } from '../AppiumTarget';

/** The Appium server jest's globalSetup started (see jestGlobalSetup.ts). */
export function testAppiumUrl(): string {
  const url = process.env.STAGESIM_TEST_APPIUM_URL;
  if (!url)
    throw new Error(
      `no Appium server: ${process.env.STAGESIM_TEST_APPIUM_ERROR ?? 'jest globalSetup starts one for *.appium.test.ts files (run them through jest)'}`,
    );
  return url;
}

export function testAppiumTarget(options: Omit<AppiumTargetOptions, 'url'> = {}): Promise<AppiumTarget> {
  return AppiumTarget.start({ url: testAppiumUrl(), ...options });
}
