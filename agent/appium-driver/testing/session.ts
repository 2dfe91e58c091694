import { remote } from 'webdriverio';
import { startBackend, type RunningBackend } from '../../../harness/backend/server';

/**
 * Driver tests: sessions on the Appium server jest's globalSetup started (its URL in
 * STAGESIM_TEST_APPIUM_URL), against a real backend on loopback.
 */
export type Browser = WebdriverIO.Browser;

export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export function appiumUrl(): URL {
  const url = process.env.STAGESIM_TEST_APPIUM_URL;
  if (!url)
    throw new Error(
      `no Appium server: ${process.env.STAGESIM_TEST_APPIUM_ERROR ?? 'jest globalSetup starts one for *.appium.test.ts files (run them through jest)'}`,
    );
  return new URL(url);
}

export function stagesimCaps(
  backendUrl: string,
  extra: Record<string, unknown> = {},
): WebdriverIO.Capabilities {
  return {
    platformName: 'Android',
    'appium:automationName': 'StagesimDevice',
    'stagesim:backendUrl': backendUrl,
    'wdio:enforceWebDriverClassic': true,
    ...extra,
  } as WebdriverIO.Capabilities;
}

export async function openSession(capabilities: WebdriverIO.Capabilities): Promise<Browser> {
  const url = appiumUrl();
  return remote({
    protocol: 'http',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    logLevel: 'silent',
    connectionRetryCount: 0,
    capabilities,
  });
}

/** A backend and one session on a device of the given capabilities; close() ends both. */
export async function deviceFixture(
  extra: Record<string, unknown> = {},
): Promise<{ backend: RunningBackend; browser: Browser; close(): Promise<void> }> {
  const backend = await startBackend();
  const browser = await openSession(stagesimCaps(backend.url, extra));
  return {
    backend,
    browser,
    async close() {
      await browser.deleteSession().catch(() => undefined);
      await backend.close();
    },
  };
}

export function elementId(ref: unknown): string {
  const id = (ref as Record<string, string>)[ELEMENT_KEY];
  if (typeof id !== 'string') throw new Error(`not an element reference: ${JSON.stringify(ref)}`);
  return id;
}
