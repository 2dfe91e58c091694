import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, watchPage, type PageProblems } from '../testing/browser';
import { HtmlReporter } from './html';
import { HOSTILE, hostileRunReport, modelRunReport } from './testing/runReportFixture';
import { useTempDir } from './testing/tempDir';

/**
 * The HTML report opened in headless Chromium, as a person would open it: it must render from the file
 * alone (no request but its own file and inline data: images), without console errors or exceptions, and
 * its controls must work. The browser comes from launchBrowser (harness/testing/browser.ts); a machine
 * without any Chromium fails here with one line that says what to install.
 *
 * Set STAGESIM_REPORT_SCREENSHOT=<file.png> to keep a screenshot of the rendered report.
 */
describe('HTML report in Chromium', () => {
  const dir = useTempDir();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(report = modelRunReport()): Promise<{ page: Page; problems: PageProblems }> {
    const file = path.join(dir(), 'report.html');
    new HtmlReporter(file).onEnd(report);
    const page = await browser.newPage();
    const problems = watchPage(page);
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Let scripts that run on load and the first paint finish before anyone looks.
    await page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
    );
    return { page, problems };
  }

  function expectSelfContained(problems: PageProblems): void {
    expect(problems.errors).toEqual([]);
    expect(problems.dialogs).toEqual([]);
    expect(problems.requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'))).toEqual(
      [],
    );
  }

  test('renders offline without console errors, and its controls work', async () => {
    const { page, problems } = await open();
    expectSelfContained(problems);
    expect(problems.requests[0]).toBe(pathToFileURL(path.join(dir(), 'report.html')).href);

    expect(await page.evaluate('document.querySelectorAll("details.case").length')).toBe(3);
    expect(await page.evaluate('document.querySelector(".screenshot img").naturalWidth')).toBe(90);
    const graph = (await page.evaluate(
      '(() => { const r = document.querySelector("svg.state-graph").getBoundingClientRect(); return { width: r.width, height: r.height }; })()',
    )) as { width: number; height: number };
    expect(graph.width).toBeGreaterThan(500);
    expect(graph.height).toBeGreaterThan(500);

    const visible =
      'Array.from(document.querySelectorAll("details.case")).filter((d) => d.offsetParent !== null).map((d) => d.dataset.status)';
    await page.evaluate('document.querySelector("[data-filter=failed]").click()');
    expect(await page.evaluate(visible)).toEqual(['failed']);
    await page.evaluate('document.querySelector("[data-filter=all]").click()');
    await page.evaluate('document.querySelector("[data-expand=open]").click()');
    expect(
      await page.evaluate('Array.from(document.querySelectorAll("details.case")).every((d) => d.open)'),
    ).toBe(true);
    await page.evaluate('document.querySelector("[data-fit]").click()');
    expect(
      await page.evaluate(
        'document.querySelector("svg.state-graph").getBoundingClientRect().width <= document.querySelector(".graph").clientWidth',
      ),
    ).toBe(true);
    await page.evaluate(
      'document.querySelector("[data-fit]").click(); document.querySelector("[data-expand=close]").click()',
    );
    expectSelfContained(problems);

    await page.evaluate('window.scrollTo(0, 0)');
    const shot = Buffer.from(await page.screenshot());
    const png = PNG.sync.read(shot);
    expect([png.width, png.height]).toEqual([1280, 900]);
    // A blank page would be one colour; a rendered report has text, cards and colour.
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(20);
    fs.writeFileSync(path.join(dir(), 'report.png'), shot);
    if (process.env.STAGESIM_REPORT_SCREENSHOT)
      fs.writeFileSync(process.env.STAGESIM_REPORT_SCREENSHOT, await page.screenshot({ fullPage: true }));
  });

  test('hostile text from a run shows as text and runs nothing', async () => {
    const { page, problems } = await open(hostileRunReport());
    expectSelfContained(problems);
    expect(await page.evaluate('document.scripts.length')).toBe(1);
    expect(await page.evaluate('document.querySelectorAll("img").length')).toBe(1);
    const title = (await page.evaluate(
      'document.querySelector("#case-1 .case-title").textContent',
    )) as string;
    expect(title).toContain('<script>alert("x")</script><img src=x onerror=alert(1)>');
    expect(title).toContain('\\x00\\x07red\\x0b\\ud800 ☃');
    expect(title.endsWith(HOSTILE.slice(-2))).toBe(true);
  });
});
