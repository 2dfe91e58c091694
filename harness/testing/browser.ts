import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type LaunchOptions } from 'puppeteer-core';

/**
 * One way for every browser test to get a headless Chromium: puppeteer-core drives it, and the binary is
 * found in this order, so a machine with only Node and npm still runs the tests:
 *   1. the path in STAGESIM_CHROMIUM (a CI image's own Chrome, a newer local build);
 *   2. a system Chrome or Chromium on the PATH or at its usual place;
 *   3. the Chromium inside the npm package @sparticuz/chromium, which `npm ci` installs with no download.
 * A machine with none of them fails the test with one line that says what to install: a skipped browser
 * test would pass on machines where the page was never rendered.
 */

export const CHROMIUM_ENV = 'STAGESIM_CHROMIUM';

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

// Without the background-networking flags Chromium keeps trying Google's hosts, which this machine's
// closed network refuses many at a time; a fresh profile per launch keeps runs independent.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface FoundChromium {
  executablePath: string;
  source: 'env' | 'system' | '@sparticuz/chromium';
  args: string[];
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** Where the Chromium for this run is, or an error with one line that says what to install. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const fromEnv = env[CHROMIUM_ENV];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${CHROMIUM_ENV}=${fromEnv} is not an executable file`);
    return { executablePath: fromEnv, source: 'env', args: FLAGS };
  }
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name);
    if (found) return { executablePath: found, source: 'system', args: FLAGS };
  }
  for (const file of SYSTEM_PATHS) {
    if (isExecutable(file)) return { executablePath: file, source: 'system', args: FLAGS };
  }
  let packaged: typeof import('@sparticuz/chromium').default;
  try {
    packaged = (await import('@sparticuz/chromium')).default;
  } catch {
    throw new Error(
      `no Chromium found: set ${CHROMIUM_ENV} to a Chrome or Chromium binary, install one (apt-get install chromium), or run npm ci to bring @sparticuz/chromium`,
    );
  }
  if (process.platform !== 'linux') {
    throw new Error(
      `no Chromium found: @sparticuz/chromium runs on Linux only; set ${CHROMIUM_ENV} to a Chrome or Chromium binary`,
    );
  }
  const executablePath = await packaged.executablePath();
  return { executablePath, source: '@sparticuz/chromium', args: [...packaged.args, ...FLAGS] };
}

/** A headless Chromium with a fresh profile, removed when the browser closes. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const found = await findChromium();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: found.executablePath,
    args: [...new Set(found.args)],
    headless: true,
    userDataDir,
    ...options,
  });
  browser.once('disconnected', () => fs.rmSync(userDataDir, { recursive: true, force: true }));
  return browser;
}
