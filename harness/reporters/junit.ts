import {
  attributeValue,
  countsLine,
  failingStepLine,
  formatSeconds,
  formatSteps,
  markup,
  type Markup,
} from './format';
import { writeReportFile } from './outputPath';
import type { CaseResult, Reporter, RunReport } from './report';

/**
 * JUnit XML for CI systems (the dialect Jenkins, GitLab and GitHub test-report actions read): one
 * testsuite for the run, a testcase per path or scenario, the replay in the failure body so a red CI job
 * says how to reproduce it, the steps in system-out, coverage and seed as properties.
 */
export class JUnitReporter implements Reporter {
  /** @param file an absolute path from resolveReportPath or resolveContainedReportPath */
  constructor(private readonly file: string) {}

  onEnd(report: RunReport): void {
    writeReportFile(this.file, renderJUnit(report));
  }
}

export function renderJUnit(report: RunReport): string {
  const name = `stagesim ${report.kind} (${report.target})`;
  // Counted from the cases written below, so the totals always agree with the testcase elements.
  const count = (status: CaseResult['status']) => report.cases.filter((c) => c.status === status).length;
  const totals = markup`tests="${report.cases.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${formatSeconds(report.durationMs)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
${markup`<testsuites name="${name}" ${totals}>
  <testsuite name="${name}" ${totals} timestamp="${report.startedAt}">
    <properties>
${properties(report)}    </properties>
${report.cases.map(testCase)}  </testsuite>
</testsuites>`}
`;
}

function properties(report: RunReport): Markup[] {
  const entries: [string, string][] = [
    ['kind', report.kind],
    ['target', report.target],
    ['seed', report.seed === null ? 'none' : String(report.seed)],
    ['startedAt', report.startedAt],
    ['results', countsLine(report)],
  ];
  const coverage = report.coverage;
  if (coverage) {
    entries.push(
      ['coverage.states', `${coverage.states.covered}/${coverage.states.total}`],
      ['coverage.transitions', `${coverage.transitions.covered}/${coverage.transitions.total}`],
      ['coverage.uncoveredStates', coverage.uncoveredStates.join('\n')],
      ['coverage.uncoveredTransitions', coverage.uncoveredTransitions.join('\n')],
    );
  }
  return entries.map(
    ([key, value]) => markup`      <property name="${key}" value="${attributeValue(value)}"/>\n`,
  );
}

function testCase(c: CaseResult): Markup {
  // CI tools group cases by classname: the scenario file for `run`, the run kind for `model`.
  const open = markup`    <testcase name="${c.title}" classname="${c.file ?? 'model'}" time="${formatSeconds(c.durationMs)}"`;
  const body: Markup[] = [];
  if (c.status === 'failed') body.push(failure(c));
  if (c.status === 'skipped') body.push(markup`      <skipped/>\n`);
  if (c.steps.length > 0) body.push(markup`      <system-out>${formatSteps(c)}\n</system-out>\n`);
  if (body.length === 0) return markup`${open}/>\n`;
  return markup`${open}>\n${body}    </testcase>\n`;
}

function failure(c: CaseResult): Markup {
  const message = c.failure?.message ?? 'failed without a message';
  const parts = [
    message,
    failingStepLine(c),
    c.failure?.replay ? `replay:\n${c.failure.replay.trimEnd()}` : null,
  ];
  const text = parts.filter((part): part is string => part !== null).join('\n\n');
  return markup`      <failure message="${attributeValue(message)}" type="StagesimFailure">${text}\n</failure>\n`;
}
