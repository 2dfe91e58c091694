import { stripVTControlCharacters } from 'node:util';
import type { BackendView, CaseResult, Coverage, RunReport, StepResult } from './report';

/**
 * Formatting every reporter shares (the role of Playwright's reporters/base.ts), so the console, JUnit and
 * HTML reports word a step, a count or a failure the same way, and markup is escaped in one place.
 */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** JUnit wants seconds. */
export function formatSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export function percent(part: number, total: number): string {
  return total === 0 ? '0%' : `${Math.floor((part * 100) / total)}%`;
}

export function formatCount(count: { covered: number; total: number }): string {
  return `${count.covered}/${count.total} (${percent(count.covered, count.total)})`;
}

/** "paths" for model runs, "scenarios" for scenario runs. */
export function caseNoun(kind: RunReport['kind'], n: number): string {
  const noun = kind === 'model' ? 'path' : 'scenario';
  return n === 1 ? noun : `${noun}s`;
}

export function countsLine(report: RunReport): string {
  return `${report.failed} failed, ${report.passed} passed, ${report.skipped} skipped (${report.paths} ${caseNoun(report.kind, report.paths)})`;
}

export function coverageLine(coverage: Coverage): string {
  return `states ${formatCount(coverage.states)}, transitions ${formatCount(coverage.transitions)}`;
}

/** Failed cases first, the rest in run order: what went wrong is what a reader looks for. */
export function failuresFirst(cases: readonly CaseResult[]): CaseResult[] {
  return [...cases.filter((c) => c.status === 'failed'), ...cases.filter((c) => c.status !== 'failed')];
}

/** The step a failure points at, else the first failed step (a producer may leave stepIndex null). */
export function failingStep(testCase: CaseResult): StepResult | null {
  const index = testCase.failure?.stepIndex;
  const byIndex =
    index === null || index === undefined ? undefined : testCase.steps.find((s) => s.index === index);
  return byIndex ?? testCase.steps.find((s) => s.status === 'failed') ?? null;
}

/**
 * The 1-based position people read. Counted from the steps array rather than `step.index`, whose base the
 * producers choose.
 */
export function stepNumber(testCase: CaseResult, step: StepResult): number {
  return testCase.steps.indexOf(step) + 1;
}

export function userLabel(userless: boolean | null): string {
  return userless === null ? '?' : userless ? 'userless' : 'user';
}

export function formatBackend(backend: BackendView | null): string {
  if (!backend) return 'no backend record';
  const parts = [
    `stage ${backend.stage ?? '-'}`,
    `device ${backend.deviceName ?? '-'}`,
    `user ${backend.userPrincipalName ?? '-'}`,
    `token ${backend.tokenId ?? '-'}`,
    `policies ${backend.policies.length ? backend.policies.join(', ') : '-'}`,
    `apps ${backend.apps.length ? backend.apps.join(', ') : '-'}`,
  ];
  return parts.join(' · ');
}

const statusMark: Record<StepResult['status'], string> = { passed: '✓', failed: '✘', skipped: '-' };

/** One line per step: what was done, then where the device ended up. */
export function formatStep(step: StepResult, n: number): string {
  const where = [
    step.device ? `device ${step.device}` : null,
    step.screen ? `"${step.screen.title}"` : null,
    step.state,
    step.stage ? `stage ${step.stage}` : null,
    step.userless === null ? null : userLabel(step.userless),
  ].filter((part): part is string => part !== null);
  const tail = where.length > 0 ? ` → ${where.join(', ')}` : '';
  return `${statusMark[step.status]} ${n}. ${step.action}${tail} (${formatDuration(step.durationMs)})`;
}

/** Every step of a case, with the backend record under each and the error under a failed one. */
export function formatSteps(testCase: CaseResult): string {
  return testCase.steps
    .map((step, i) => {
      const lines = [formatStep(step, i + 1), `     backend: ${formatBackend(step.backend)}`];
      if (step.error) lines.push(indent(step.error, '     error: ', '            '));
      return lines.join('\n');
    })
    .join('\n');
}

export function failingStepLine(testCase: CaseResult): string | null {
  const step = failingStep(testCase);
  return step ? `failing step ${stepNumber(testCase, step)}: ${step.action}` : null;
}

/** Prefixes the first line with `first` and the others with `rest` (defaults to `first`). */
export function indent(text: string, first: string, rest: string = first): string {
  return text
    .split(/\r?\n/)
    .map((line, i) => (i === 0 ? first : rest) + line)
    .join('\n');
}

/** Text from producers made safe for a terminal: no escape sequences or control characters of its own. */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return stripVTControlCharacters(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** Titles and ids go on one line. */
export function singleLine(text: string): string {
  return terminalText(text)
    .replace(/\s*[\n\t]\s*/g, ' ')
    .trim();
}

// What XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF). A report must
// stay parseable whatever a device or a scenario wrote, so these are shown as visible escapes instead.
const FORBIDDEN_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
// XML parsers turn raw newlines and tabs in attribute values into spaces; character references survive.
const ATTRIBUTE_WHITESPACE: Record<string, string> = { '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/**
 * Escapes text for XML and HTML alike, in text and in quoted attributes. `attribute` also keeps newlines
 * and tabs through XML attribute normalisation.
 */
export function escapeMarkup(text: string, context: 'text' | 'attribute' = 'text'): string {
  const cleaned = stripVTControlCharacters(text).replace(FORBIDDEN_XML_CHARS, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  const escaped = cleaned.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
  return context === 'attribute' ? escaped.replace(/[\n\r\t]/g, (ch) => ATTRIBUTE_WHITESPACE[ch]!) : escaped;
}

/** Markup that is already escaped; the `markup` tag inserts it as is. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type MarkupValue = Markup | string | number | boolean | null | undefined | readonly MarkupValue[];

function renderValue(value: MarkupValue): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeMarkup(String(value));
}

/**
 * Tagged template for XML, HTML and SVG: every interpolated value is escaped unless it is Markup, so text
 * from steps, errors or page sources cannot inject markup by being forgotten.
 */
export function markup(strings: TemplateStringsArray, ...values: MarkupValue[]): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += renderValue(value) + strings[i + 1]!;
  });
  return new Markup(out);
}

/** An attribute value that keeps its newlines in XML (see escapeMarkup). */
export function attributeValue(text: string): Markup {
  return new Markup(escapeMarkup(text, 'attribute'));
}
