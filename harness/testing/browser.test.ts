import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CHROMIUM_ENV,
  NO_CHROMIUM,
  findChromium,
  launchBrowser,
  watchPage,
  type PackagedChromium,
} from './browser';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-browser-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An executable file standing in for a browser: findChromium only looks, it does not start it. */
function fakeBrowser(relative: string): string {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return file;
}

/** A stand-in for @sparticuz/chromium that counts how often it was asked. */
function fakePackaged(): { loadPackaged: () => Promise<PackagedChromium>; loads: () => number } {
  let loads = 0;
  const packaged: PackagedChromium = {
    executablePath: async () => fakeBrowser('packaged/chromium'),
    args: ['--single-process', '--disable-web-security', "--headless='shell'", '--no-sandbox'],
  };
  return {
    loadPackaged: async () => {
      loads += 1;
      return packaged;
    },
    loads: () => loads,
  };
}

describe('findChromium looks in order: STAGESIM_CHROMIUM, the PATH, the system paths, @sparticuz/chromium', () => {
  it('takes STAGESIM_CHROMIUM over a Chromium on the PATH and at a system path', async () => {
    const chosen = fakeBrowser('env/chrome');
    fakeBrowser('bin/chromium');
    const packaged = fakePackaged();
    const found = await findChromium({
      env: { [CHROMIUM_ENV]: chosen, PATH: path.join(dir, 'bin') },
      systemPaths: [fakeBrowser('system/chromium')],
      loadPackaged: packaged.loadPackaged,
    });
    expect(found).toMatchObject({ executablePath: chosen, source: 'env', headless: true });
    expect(packaged.loads()).toBe(0);
  });

  it('takes a Chromium on the PATH over one at a system path', async () => {
    fakeBrowser('bin/google-chrome');
    const found = await findChromium({
      env: { PATH: ['/nonexistent', path.join(dir, 'bin')].join(path.delimiter) },
      systemPaths: [fakeBrowser('system/chromium')],
      loadPackaged: fakePackaged().loadPackaged,
    });
    expect(found).toMatchObject({ executablePath: path.join(dir, 'bin/google-chrome'), source: 'system' });
  });

  it('takes the first system path that is an executable file, skipping missing and plain files', async () => {
    const plain = path.join(dir, 'system/plain-file');
    fs.mkdirSync(path.dirname(plain), { recursive: true });
    fs.writeFileSync(plain, 'not a browser', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'system/a-folder'));
    const second = fakeBrowser('system/chromium');
    const found = await findChromium({
      env: { PATH: '' },
      systemPaths: [path.join(dir, 'missing'), plain, path.join(dir, 'system/a-folder'), second],
      loadPackaged: fakePackaged().loadPackaged,
    });
    expect(found).toMatchObject({ executablePath: second, source: 'system', headless: true });
  });

  it('falls back to @sparticuz/chromium when neither the PATH nor the system paths have a Chromium', async () => {
    fakeBrowser('bin/not-a-browser-name');
    const packaged = fakePackaged();
    const found = await findChromium({
      env: { PATH: path.join(dir, 'bin') },
      systemPaths: [path.join(dir, 'missing/chromium')],
      loadPackaged: packaged.loadPackaged,
      platform: 'linux',
    });
    expect(packaged.loads()).toBe(1);
    expect(found.source).toBe('@sparticuz/chromium');
    expect(found.executablePath).toBe(path.join(dir, 'packaged/chromium'));
    expect(found.headless).toBe('shell');
    // Lambda's flags that would make the page unlike a person's browser are left out; the rest are kept.
    expect(found.args).toContain('--single-process');
    expect(found.args).toContain('--no-sandbox');
    expect(found.args).not.toContain('--disable-web-security');
    expect(found.args.some((flag) => flag.startsWith('--headless'))).toBe(false);
    expect(new Set(found.args).size).toBe(found.args.length);
  });

  it('the real @sparticuz/chromium is installed by npm ci and unpacks to an executable file (Linux)', async () => {
    const search = { env: { PATH: '' }, systemPaths: [] };
    if (process.platform !== 'linux') {
      // The package ships a Linux build only; elsewhere the fallback ends in the one line saying so.
      await expect(findChromium(search)).rejects.toThrow(/runs on Linux only/);
      return;
    }
    const found = await findChromium(search);
    expect(found.source).toBe('@sparticuz/chromium');
    expect(fs.statSync(found.executablePath).isFile()).toBe(true);
    fs.accessSync(found.executablePath, fs.constants.X_OK);
  });
});

describe('findChromium without a Chromium fails with one line that says what to install', () => {
  it('names STAGESIM_CHROMIUM, apt-get and npm ci when the package is missing too', async () => {
    const error = await findChromium({
      env: { PATH: '' },
      systemPaths: [],
      loadPackaged: () => Promise.reject(new Error("Cannot find module '@sparticuz/chromium'")),
      platform: 'linux',
    }).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(NO_CHROMIUM);
    expect(NO_CHROMIUM).not.toContain('\n');
    expect(NO_CHROMIUM).toMatch(/STAGESIM_CHROMIUM.*apt-get install chromium.*npm ci/);
  });

  it('says the package is Linux only on another platform, without loading it', async () => {
    const packaged = fakePackaged();
    await expect(
      findChromium({
        env: { PATH: '' },
        systemPaths: [],
        loadPackaged: packaged.loadPackaged,
        platform: 'darwin',
      }),
    ).rejects.toThrow(`no Chromium found: @sparticuz/chromium runs on Linux only; set ${CHROMIUM_ENV}`);
    expect(packaged.loads()).toBe(0);
  });

  it('refuses a STAGESIM_CHROMIUM that is not an executable instead of looking elsewhere', async () => {
    const notExecutable = path.join(dir, 'chrome');
    fs.writeFileSync(notExecutable, 'not a browser', { mode: 0o644 });
    fakeBrowser('bin/chromium');
    await expect(
      findChromium({ env: { [CHROMIUM_ENV]: notExecutable, PATH: path.join(dir, 'bin') } }),
    ).rejects.toThrow(`${CHROMIUM_ENV}=${notExecutable} is not an executable file`);
  });
});

describe('launchBrowser', () => {
  it('starts the Chromium found on this machine, renders a page and records its problems', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems = watchPage(page);
      await page.setContent(
        '<h1 id="t">stagesim</h1><script>console.error("broken on purpose"); alert("hello")</script>',
      );
      expect(await page.$eval('#t', (el) => el.textContent)).toBe('stagesim');
      expect(problems.errors).toEqual([expect.stringMatching(/^console\.error: broken on purpose/)]);
      expect(problems.dialogs).toEqual(['alert: hello']);
      const thrown = new Promise((resolve) => page.once('pageerror', resolve));
      await page.evaluate('setTimeout(() => { throw new Error("late") })');
      await thrown;
      expect(problems.errors[1]).toMatch(/^uncaught: Error: late/);
    } finally {
      await browser.close();
    }
  });

  it.each(['closed', 'killed'])('removes its profile folder once Chromium has exited, %s', async (end) => {
    const browser = await launchBrowser();
    const child = browser.process()!;
    const flag = child.spawnargs.find((arg) => arg.startsWith('--user-data-dir='));
    const profile = flag!.slice('--user-data-dir='.length);
    await (await browser.newPage()).setContent('<p>writes the profile</p>');
    expect(fs.existsSync(profile)).toBe(true);
    if (end === 'closed') {
      await browser.close();
    } else {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    expect(fs.existsSync(profile)).toBe(false);
  });
});
