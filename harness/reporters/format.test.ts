import {
  escapeMarkup,
  failingStep,
  failuresFirst,
  formatDuration,
  markup,
  Markup,
  singleLine,
  stepNumber,
} from './format';
import { modelRunReport } from './testing/runReportFixture';

describe('escapeMarkup', () => {
  test('escapes the five markup characters', () => {
    expect(escapeMarkup(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('shows characters XML 1.0 forbids as visible escapes, keeps tab and newline', () => {
    expect(escapeMarkup('a\u0000b\u0007c\u000bd\te\nf')).toBe('a\\x00b\\x07c\\x0bd\te\nf');
    expect(escapeMarkup('\ufffe\uffff')).toBe('\\ufffe\\uffff');
  });

  test('replaces lone surrogates but keeps real astral characters', () => {
    expect(escapeMarkup('x\ud800y\udc00z')).toBe('x\\ud800y\\udc00z');
    expect(escapeMarkup('phone 📱')).toBe('phone 📱');
  });

  test('drops ANSI colour sequences instead of leaving their remains', () => {
    expect(escapeMarkup('\u001b[31mred\u001b[0m and \u001b[1;32mbold green\u001b[22;39m')).toBe(
      'red and bold green',
    );
  });

  test('in attribute context keeps newlines and tabs as character references', () => {
    expect(escapeMarkup('one\ntwo\tthree\r', 'attribute')).toBe('one&#10;two&#9;three&#13;');
  });
});

describe('markup tag', () => {
  test('escapes interpolated text, numbers and arrays but inserts Markup as is', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    expect(
      markup`<p title="${'"quoted"'}">${inner}${[1, '<', new Markup('<br>')]}${null}${false}</p>`.text,
    ).toBe('<p title="&quot;quoted&quot;"><b>&lt;i&gt;</b>1&lt;<br></p>');
  });
});

describe('formatting', () => {
  test('durations read naturally at every scale', () => {
    expect([
      formatDuration(0),
      formatDuration(340.4),
      formatDuration(1234),
      formatDuration(125_000),
      formatDuration(Number.NaN),
    ]).toEqual(['0ms', '340ms', '1.2s', '2m 5s', '?']);
  });

  test('failures come first, the rest keep run order', () => {
    const report = modelRunReport();
    expect(failuresFirst(report.cases).map((c) => c.id)).toEqual(['path-02', 'path-01', 'path-03']);
  });

  test('the failing step is the one the failure points at, else the first failed step', () => {
    const failed = modelRunReport().cases[1]!;
    const step = failingStep(failed)!;
    expect(step.status).toBe('failed');
    expect(stepNumber(failed, step)).toBe(failed.steps.length);
    const withoutIndex = { ...failed, failure: { ...failed.failure!, stepIndex: null } };
    expect(failingStep(withoutIndex)).toBe(step);
    expect(failingStep(modelRunReport().cases[0]!)).toBeNull();
  });

  test('singleLine keeps a title on one line without escape sequences', () => {
    expect(singleLine('  a\n b\t\u001b[31mc\u001b[0m\u0007 ')).toBe('a b c');
  });
});
