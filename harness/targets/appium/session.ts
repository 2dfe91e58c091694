import { remote } from 'webdriverio';
import { StagesimError } from '../../../agent/errors';
import { fromWebDriverError } from './webdriverErrors';

/**
 * One WebDriver session, reduced to the commands page objects and the target use, called through the
 * protocol methods (no implicit waits, no selector parsing), with errors as StagesimErrors.
 */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export interface AppiumEndpoint {
  protocol: 'http' | 'https';
  hostname: string;
  port: number;
  path: string;
}

export function endpointOf(url: string): AppiumEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StagesimError('APPIUM_URL_INVALID', `not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new StagesimError('APPIUM_URL_INVALID', `the Appium URL must be http(s), got ${parsed.protocol}`);
  return {
    protocol: parsed.protocol === 'https:' ? 'https' : 'http',
    hostname: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80,
    path: parsed.pathname === '' ? '/' : parsed.pathname,
  };
}

const elementIdOf = (value: unknown): string => {
  const record = value as Record<string, unknown> | null;
  if (record && typeof record === 'object' && 'error' in record)
    throw fromWebDriverError(
      Object.assign(new Error(String(record.message ?? record.error)), { name: String(record.error) }),
    );
  const id = record?.[ELEMENT_KEY] ?? record?.ELEMENT;
  if (typeof id !== 'string')
    throw new StagesimError(
      'APPIUM_BAD_REPLY',
      `expected an element reference, got ${JSON.stringify(value)}`,
    );
  return id;
};

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromWebDriverError(error);
  }
}

export class AppiumSession {
  private constructor(private readonly browser: WebdriverIO.Browser) {}

  static async open(
    url: string,
    capabilities: Record<string, unknown>,
    options: { connectionRetryTimeoutMs?: number } = {},
  ): Promise<AppiumSession> {
    const browser = await call(() =>
      remote({
        ...endpointOf(url),
        logLevel: 'silent',
        connectionRetryCount: 0,
        connectionRetryTimeout: options.connectionRetryTimeoutMs ?? 600_000,
        capabilities: { ...capabilities, 'wdio:enforceWebDriverClassic': true } as WebdriverIO.Capabilities,
      }),
    );
    return new AppiumSession(browser);
  }

  get id(): string {
    return this.browser.sessionId;
  }

  /** The capabilities the server answered with (appium: prefixes removed, as Appium returns them). */
  get capabilities(): Record<string, unknown> {
    return this.browser.capabilities as Record<string, unknown>;
  }

  findElement(using: string, value: string): Promise<string> {
    return call(async () => elementIdOf(await this.browser.findElement(using, value)));
  }

  findElements(using: string, value: string): Promise<string[]> {
    return call(async () => (await this.browser.findElements(using, value)).map(elementIdOf));
  }

  click(elementId: string): Promise<void> {
    return call(() => this.browser.elementClick(elementId));
  }

  setValue(elementId: string, text: string): Promise<void> {
    return call(async () => {
      await this.browser.elementClear(elementId);
      await this.browser.elementSendKeys(elementId, text);
    });
  }

  text(elementId: string): Promise<string> {
    return call(() => this.browser.getElementText(elementId));
  }

  pageSource(): Promise<string> {
    return call(() => this.browser.getPageSource());
  }

  async screenshot(): Promise<Buffer> {
    return Buffer.from(await call(() => this.browser.takeScreenshot()), 'base64');
  }

  execute<T = unknown>(script: string, args: Record<string, unknown> = {}): Promise<T> {
    return call(() => this.browser.execute(script, args) as Promise<T>);
  }

  delete(): Promise<void> {
    return call(() => this.browser.deleteSession());
  }
}
