import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type LaunchOptions, type Page } from 'puppeteer-core';

/**
 * One way for every browser test to get a headless Chromium: puppeteer-core drives it, and the binary is
 * found in this order, so a machine with only Node and npm still runs the tests:
 *   1. the path in STAGESIM_CHROMIUM (a CI image's own Chrome, a newer local build);
 *   2. a system Chrome or Chromium: by name on the PATH, then at its usual install path;
 *   3. the Chromium inside the npm package @sparticuz/chromium (Linux x64 only), which `npm ci` installs
 *      with no download step: the binary ships brotli-compressed in the package and is unpacked to the
 *      temp folder on first use.
 * A machine with none of them fails the test with one line that says what to install: a skipped browser
 * test would pass on machines where the page was never rendered.
 */

export const CHROMIUM_ENV = 'STAGESIM_CHROMIUM';

export const SYSTEM_NAMES: readonly string[] = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome',
];
export const SYSTEM_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

// Without the background-networking flags Chromium keeps trying Google's hosts, which a closed CI network
// refuses many at a time; a fresh profile per launch keeps runs independent.
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

// @sparticuz/chromium's recommended flags are for AWS Lambda. These would make the page behave unlike a
// person's browser (no same-origin policy, mixed content allowed), so a test could pass on a page that
// breaks for its reader; the headless mode is puppeteer's to set.
const PACKAGED_FLAGS_LEFT_OUT = [
  /^--disable-web-security$/,
  /^--allow-running-insecure-content$/,
  /^--disable-site-isolation-trials$/,
  /^--headless/,
];

/** What findChromium needs of @sparticuz/chromium. */
export interface PackagedChromium {
  executablePath(): Promise<string>;
  readonly args: string[];
}

export interface ChromiumSearch {
  /** Where STAGESIM_CHROMIUM and PATH are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Executable names looked up on env.PATH, in order. */
  systemNames?: readonly string[];
  /** Install paths tried after the PATH, in order. */
  systemPaths?: readonly string[];
  /** Loads the packaged Chromium; a rejection means the package is not installed. */
  loadPackaged?: () => Promise<PackagedChromium>;
  platform?: NodeJS.Platform;
}

export interface FoundChromium {
  executablePath: string;
  source: 'env' | 'system' | '@sparticuz/chromium';
  args: string[];
  /** 'shell' for chrome-headless-shell (the packaged build has no other headless mode). */
  headless: true | 'shell';
}

export const NO_CHROMIUM = `no Chromium found: set ${CHROMIUM_ENV} to a Chrome or Chromium binary, install one (apt-get install chromium), or run npm ci to bring @sparticuz/chromium`;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

async function loadSparticuz(): Promise<PackagedChromium> {
  return (await import('@sparticuz/chromium')).default;
}

/** Where the Chromium for this run is, or an error with one line that says what to install. */
export async function findChromium(search: ChromiumSearch = {}): Promise<FoundChromium> {
  const env = search.env ?? process.env;
  const fromEnv = env[CHROMIUM_ENV];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${CHROMIUM_ENV}=${fromEnv} is not an executable file`);
    return { executablePath: fromEnv, source: 'env', args: FLAGS, headless: true };
  }
  for (const name of search.systemNames ?? SYSTEM_NAMES) {
    const found = onPath(name, env.PATH ?? '');
    if (found) return { executablePath: found, source: 'system', args: FLAGS, headless: true };
  }
  for (const file of search.systemPaths ?? SYSTEM_PATHS) {
    if (isExecutable(file)) return { executablePath: file, source: 'system', args: FLAGS, headless: true };
  }
  const platform = search.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new Error(
      `no Chromium found: @sparticuz/chromium runs on Linux only; set ${CHROMIUM_ENV} to a Chrome or Chromium binary`,
    );
  }
  let packaged: PackagedChromium;
  try {
    packaged = await (search.loadPackaged ?? loadSparticuz)();
  } catch {
    throw new Error(NO_CHROMIUM);
  }
  const executablePath = await packaged.executablePath();
  const args = packaged.args.filter((flag) => !PACKAGED_FLAGS_LEFT_OUT.some((left) => left.test(flag)));
  return {
    executablePath,
    source: '@sparticuz/chromium',
    args: [...new Set([...args, ...FLAGS])],
    headless: 'shell',
  };
}

/** A headless Chromium with a fresh profile, removed when the browser closes. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const found = await findChromium();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-chromium-'));
  try {
    const browser = await puppeteer.launch({
      executablePath: found.executablePath,
      args: found.args,
      headless: found.headless,
      userDataDir,
      ...options,
    });
    // Chromium can still be writing its profile when the DevTools connection closes (CI saw rmSync fail
    // with ENOTEMPTY there, which, thrown in an event handler, failed a whole suite): the profile goes
    // once the process has exited, and a failure to remove a temporary folder is never thrown.
    const removeProfile = () => {
      try {
        fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
      } catch {
        // Left in the temporary folder; nothing depends on it.
      }
    };
    const child = browser.process();
    if (child && child.exitCode === null && child.signalCode === null) child.once('exit', removeProfile);
    else browser.once('disconnected', removeProfile);
    return browser;
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** What went wrong in a page, recorded from the moment watchPage is called. */
export interface PageProblems {
  /** console.error/assert calls, uncaught exceptions, browser log errors (CSP, failed loads). */
  errors: string[];
  /** Every URL the page requested, its own included. */
  requests: string[];
  /** alert/confirm/prompt dialogs the page opened (each dismissed so the page goes on). */
  dialogs: string[];
}

/** Records a page's problems, so a test can assert that a page rendered cleanly. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], requests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'assert') return;
    const url = message.location().url;
    problems.errors.push(`console.${message.type()}: ${message.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`uncaught: ${String(error)}`));
  page.on('requestfailed', (request) =>
    problems.errors.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('request', (request) => problems.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    // The page may close before the dialog is dismissed; the dialog is recorded either way.
    void dialog.dismiss().catch(() => undefined);
  });
  return problems;
}
