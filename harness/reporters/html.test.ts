import fs from 'node:fs';
import path from 'node:path';
import { escapeMarkup, formatCount } from './format';
import { HtmlReporter, renderHtml } from './html';
import {
  FAILURE_MESSAGE,
  HOSTILE,
  hostileRunReport,
  modelRunReport,
  screenshotPng,
} from './testing/runReportFixture';
import { useTempDir } from './testing/tempDir';

describe('HtmlReporter', () => {
  const dir = useTempDir();
  const report = modelRunReport();
  const html = renderHtml(report);

  test('writes one file that needs nothing else: no external URL anywhere, a CSP that forbids loading any', () => {
    const file = path.join(dir(), 'report.html');
    new HtmlReporter(file).onEnd(report);
    expect(fs.readdirSync(dir())).toEqual(['report.html']);
    const written = fs.readFileSync(file, 'utf8');
    expect(written.startsWith('<!DOCTYPE html>')).toBe(true);
    // Only the SVG namespace name, which is an identifier and never fetched.
    expect(written.match(/(?:https?:)?\/\/[\w.-]+\.\w+/g)).toEqual(['http://www.w3.org']);
    expect(written).not.toMatch(/<link|<iframe|@import|url\((?!#)/);
    expect(written).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:;/,
    );
  });

  test('summary: counts, coverage, duration, seed and target', () => {
    for (const text of [
      'stagesim model-based run',
      'headless',
      '1234',
      '6.9s',
      formatCount(report.coverage!.states),
      formatCount(report.coverage!.transitions),
    ]) {
      expect(html).toContain(escapeMarkup(text));
    }
    expect(html).toMatch(/<div class="label">passed<\/div><div class="value">1<\/div>/);
    expect(html).toMatch(/<div class="label">failed<\/div><div class="value">1<\/div>/);
    expect(html).toMatch(/<div class="label">skipped<\/div><div class="value">1<\/div>/);
  });

  test('failures come first, with failing step, message, replay and the screenshot inline', () => {
    const failed = report.cases[1]!;
    const positions = ['class="failures"', 'class="cases"', 'class="coverage"'].map((s) => html.indexOf(s));
    expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
    const failures = html.slice(positions[0], positions[1]);
    expect(failures).toContain(escapeMarkup(FAILURE_MESSAGE));
    expect(failures).toContain('failing step 18: expect screen enrollment-incomplete');
    expect(failures).toContain(escapeMarkup(failed.failure!.replay!));
    expect(failures).toContain(`src="data:image/png;base64,${screenshotPng()}"`);
    expect(failures).toMatch(
      /<details class="page-source"><summary>Page source<\/summary><pre>&lt;hierarchy/,
    );
    // In the case list the failed case comes first and opens by itself.
    const cases = html.slice(positions[1], positions[2]);
    expect(cases.indexOf(escapeMarkup(failed.title))).toBeLessThan(
      cases.indexOf(escapeMarkup(report.cases[0]!.title)),
    );
    expect(cases).toMatch(/<details class="case failed" id="case-1" data-status="failed" open>/);
  });

  test('every case lists every step with screen, stage, user and backend record', () => {
    for (const c of report.cases) {
      expect(html).toContain(escapeMarkup(c.title));
      for (const step of c.steps) expect(html).toContain(escapeMarkup(step.action));
    }
    expect((html.match(/<tr class="step /g) ?? []).length).toBe(
      report.cases.reduce((n, c) => n + c.steps.length, 0),
    );
    expect(html).toContain('<td>stagingStage3</td>');
    expect(html).toContain('<span class="user userless">userless</span>');
    expect(html).toContain('<span class="user user">user</span>');
    expect(html).toContain('<dt>user</dt><dd>megan@contoso.com</dd>');
    expect(html).toContain('<div>Finish enrolling your device</div><code>enrollment-incomplete</code>');
    expect(html).toMatch(/<tr class="step failed failing">/);
  });

  test('coverage: the state graph, and the uncovered states and transitions listed', () => {
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="state-graph"');
    for (const id of [...report.coverage!.uncoveredStates, ...report.coverage!.uncoveredTransitions]) {
      expect(html).toContain(`<li><code>${escapeMarkup(id)}</code></li>`);
    }
  });

  test('hostile text is shown as text: no element, attribute or script gets in', () => {
    const hostile = renderHtml(hostileRunReport());
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).not.toContain('<img src=x');
    expect((hostile.match(/<script/g) ?? []).length).toBe(1);
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(hostile).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(hostile).toContain(escapeMarkup(HOSTILE));
  });

  test('a screenshot that is not base64 is not put in the page', () => {
    const tampered = modelRunReport();
    tampered.cases[1]!.artifacts!.screenshotPng = 'AAAA" onerror="alert(1)';
    const out = renderHtml(tampered);
    expect(out).not.toContain('onerror');
    expect(out).toContain('The screenshot is not valid base64');
  });

  test('a run without coverage or failures still renders, and says so', () => {
    const plain = { ...modelRunReport(), coverage: null, failed: 0 };
    plain.cases = plain.cases.filter((c) => c.status !== 'failed');
    const out = renderHtml(plain);
    expect(out).toContain('This run recorded no coverage.');
    expect(out).not.toContain('class="failures"');
    expect(out).not.toContain('<svg');
  });
});
