import fs from 'node:fs';
import path from 'node:path';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { JUnitReporter, renderJUnit } from './junit';
import { escapeMarkup } from './format';
import { FAILURE_MESSAGE, HOSTILE, hostileRunReport, modelRunReport } from './testing/runReportFixture';
import { useTempDir } from './testing/tempDir';

/** Parses strictly: any parser warning or error fails the test. */
function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => problems.push(`${level}: ${message}`),
  }).parseFromString(xml, 'text/xml');
  expect(problems).toEqual([]);
  return doc;
}

/**
 * xmldom accepts some things XML 1.0 forbids, so those are checked on the raw text: only allowed
 * characters, and every & starts a character or entity reference.
 */
function expectXml10(xml: string): void {
  // eslint-disable-next-line no-control-regex -- the test looks for characters XML 1.0 forbids
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(xml).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
}

const elements = (node: Document | Element, name: string): Element[] =>
  Array.from(node.getElementsByTagName(name));

describe('JUnitReporter', () => {
  const dir = useTempDir();

  test('writes well-formed JUnit XML with counts that agree with the testcases', () => {
    const report = modelRunReport();
    const file = path.join(dir(), 'junit.xml');
    new JUnitReporter(file).onEnd(report);
    const xml = fs.readFileSync(file, 'utf8');
    expectXml10(xml);
    const doc = parseXml(xml);
    const suites = doc.documentElement!;
    expect(suites.tagName).toBe('testsuites');
    const [suite] = elements(doc, 'testsuite');
    for (const element of [suites, suite!]) {
      expect([
        element.getAttribute('tests'),
        element.getAttribute('failures'),
        element.getAttribute('skipped'),
        element.getAttribute('errors'),
      ]).toEqual(['3', '1', '1', '0']);
      expect(element.getAttribute('time')).toBe('6.905');
    }
    const cases = elements(doc, 'testcase');
    expect(cases.map((c) => c.getAttribute('name'))).toEqual(report.cases.map((c) => c.title));
    expect(cases.map((c) => c.getAttribute('classname'))).toEqual(['model', 'model', 'model']);
    expect(elements(cases[2]!, 'skipped')).toHaveLength(1);
  });

  test('a failure carries the message, the failing step and the replay; steps go to system-out', () => {
    const report = modelRunReport();
    const doc = parseXml(renderJUnit(report));
    const [failure] = elements(doc, 'failure');
    expect(failure!.getAttribute('message')).toBe(FAILURE_MESSAGE);
    const body = failure!.textContent!;
    expect(body).toContain(FAILURE_MESSAGE);
    expect(body).toContain('failing step 18: expect screen enrollment-incomplete');
    expect(body).toContain(`replay:\n${report.cases[1]!.failure!.replay!.trimEnd()}`);
    const out = elements(doc, 'system-out').map((e) => e.textContent!);
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('✓ 16. power is cut while enrollment runs');
    expect(out[1]).toContain('backend: stage staged · device CONTOSO-PX7-0001');
    expect(out[1]).toContain(`✘ 18. expect screen enrollment-incomplete`);
  });

  test('properties carry seed, target and coverage with the uncovered ids', () => {
    const report = modelRunReport();
    const doc = parseXml(renderJUnit(report));
    const props = Object.fromEntries(
      elements(doc, 'property').map((p) => [p.getAttribute('name'), p.getAttribute('value')]),
    );
    expect(props).toMatchObject({
      seed: '1234',
      target: 'headless',
      kind: 'model',
      'coverage.states': `${report.coverage!.states.covered}/${report.coverage!.states.total}`,
      'coverage.transitions': `${report.coverage!.transitions.covered}/${report.coverage!.transitions.total}`,
    });
    // Newlines survive attribute normalisation: one id per line.
    expect(props['coverage.uncoveredTransitions']!.split('\n')).toEqual(
      report.coverage!.uncoveredTransitions,
    );
  });

  test('scenario cases are grouped by their file', () => {
    const report = { ...modelRunReport(), kind: 'scenarios' as const };
    report.cases = report.cases.map((c, i) => ({ ...c, file: `scenarios/case-${i}.yaml` }));
    const doc = parseXml(renderJUnit(report));
    expect(elements(doc, 'testcase').map((c) => c.getAttribute('classname'))).toEqual([
      'scenarios/case-0.yaml',
      'scenarios/case-1.yaml',
      'scenarios/case-2.yaml',
    ]);
  });

  test('hostile text stays text: valid XML 1.0, no injected elements, content readable after parsing', () => {
    const report = hostileRunReport();
    const xml = renderJUnit(report);
    expectXml10(xml);
    const doc = parseXml(xml);
    expect(elements(doc, 'script')).toHaveLength(0);
    expect(elements(doc, 'img')).toHaveLength(0);
    expect(elements(doc, 'testcase')).toHaveLength(3);
    // What a reader sees: the markup as text, forbidden characters as visible escapes, no colour codes.
    const shown =
      '<script>alert("x")</script><img src=x onerror=alert(1)> & \'q\' ]]> </pre></details>\\x00\\x07red\\x0b\\ud800 ☃';
    expect(escapeMarkup(HOSTILE)).toBe(escapeMarkup(shown));
    expect(elements(doc, 'testcase')[0]!.getAttribute('name')).toBe(
      `${report.cases[0]!.title.slice(0, -HOSTILE.length)}${shown}`,
    );
    const failure = elements(doc, 'failure')[0]!;
    expect(failure.getAttribute('message')).toBe(`${FAILURE_MESSAGE}\n${shown}`);
    expect(failure.textContent).toContain(`# ${shown}`);
  });
});
