import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { HtmlReporter } from './html';
import { Chromium, type ChromiumPage } from './testing/chromium';
import { HOSTILE, hostileRunReport, modelRunReport } from './testing/runReportFixture';
import { useTempDir } from './testing/tempDir';

/**
 * The HTML report opened in headless Chromium, as a person would open it: it must render from the file
 * alone (no request but its own file and inline data: images), without console errors or exceptions, and
 * its controls must work. A missing Chromium fails here with the command to install it.
 *
 * Set STAGESIM_REPORT_SCREENSHOT=<file.png> to keep a screenshot of the rendered report.
 */
describe('HTML report in Chromium', () => {
  const dir = useTempDir();
  let browser: Chromium;

  beforeAll(async () => {
    browser = await Chromium.launch();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(report = modelRunReport()): Promise<ChromiumPage> {
    const file = path.join(dir(), 'report.html');
    new HtmlReporter(file).onEnd(report);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  function expectSelfContained(page: ChromiumPage): void {
    expect(page.problems.errors).toEqual([]);
    expect(page.problems.dialogs).toEqual([]);
    expect(
      page.problems.requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:')),
    ).toEqual([]);
  }

  test('renders offline without console errors, and its controls work', async () => {
    const page = await open();
    expectSelfContained(page);

    expect(await page.evaluate('document.querySelectorAll("details.case").length')).toBe(3);
    expect(await page.evaluate('document.querySelector(".screenshot img").naturalWidth')).toBe(90);
    const graph = await page.evaluate<{ width: number; height: number }>(
      '(() => { const r = document.querySelector("svg.state-graph").getBoundingClientRect(); return { width: r.width, height: r.height }; })()',
    );
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
    expectSelfContained(page);

    await page.evaluate('window.scrollTo(0, 0)');
    const shot = await page.screenshot();
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
    const page = await open(hostileRunReport());
    expectSelfContained(page);
    expect(await page.evaluate('document.scripts.length')).toBe(1);
    expect(await page.evaluate('document.querySelectorAll("img").length')).toBe(1);
    const title = await page.evaluate<string>('document.querySelector("#case-1 .case-title").textContent');
    expect(title).toContain('<script>alert("x")</script><img src=x onerror=alert(1)>');
    expect(title).toContain('\\x00\\x07red\\x0b\\ud800 ☃');
    expect(title.endsWith(HOSTILE.slice(-2))).toBe(true);
  });
});
