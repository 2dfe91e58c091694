import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ENV, findChromium, launchBrowser } from './browser';

describe('launchBrowser', () => {
  it('finds a Chromium on this machine and renders a page in it', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<h1 id="t">stagesim</h1>');
      expect(await page.$eval('#t', (el) => el.textContent)).toBe('stagesim');
    } finally {
      await browser.close();
    }
  });

  it('refuses a STAGESIM_CHROMIUM that is not an executable, in one line', async () => {
    const notExecutable = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-')), 'chrome');
    fs.writeFileSync(notExecutable, 'not a browser');
    await expect(findChromium({ [CHROMIUM_ENV]: notExecutable, PATH: '' })).rejects.toThrow(
      `${CHROMIUM_ENV}=${notExecutable} is not an executable file`,
    );
  });

  it('uses the Chromium inside @sparticuz/chromium when there is no other', async () => {
    const found = await findChromium({ PATH: '' });
    // This machine has no system Chromium in SYSTEM_PATHS only when none is installed; either way the
    // path found must be a real executable.
    expect(['system', '@sparticuz/chromium']).toContain(found.source);
    expect(fs.statSync(found.executablePath).isFile()).toBe(true);
  });
});
