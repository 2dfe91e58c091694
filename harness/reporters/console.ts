import { MultiBar, type SingleBar } from 'cli-progress';
import {
  caseNoun,
  countsLine,
  coverageLine,
  failingStepLine,
  formatDuration,
  indent,
  singleLine,
  terminalText,
} from './format';
import type { CaseResult, Reporter, RunInfo, RunReport } from './report';

export interface ConsoleReporterOptions {
  stream: Pick<NodeJS.WritableStream, 'write'> & { columns?: number };
  /** A live progress bar on a terminal; one plain line per case otherwise (CI logs). */
  isTTY: boolean;
  /** Colours; defaults to isTTY unless NO_COLOR is set (https://no-color.org). */
  color?: boolean;
}

type Paint = (text: string) => string;
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

/**
 * Live progress, then a summary with the failures first (title, failing step, message, replay), the
 * counts, coverage with what was left uncovered, and the duration.
 */
export class ConsoleReporter implements Reporter {
  private readonly stream: ConsoleReporterOptions['stream'];
  private readonly isTTY: boolean;
  private readonly paint: { red: Paint; green: Paint; dim: Paint; bold: Paint };
  private info: RunInfo | null = null;
  private readonly counts = { passed: 0, failed: 0, skipped: 0 };
  private done = 0;
  private multibar: MultiBar | null = null;
  private bar: SingleBar | null = null;

  constructor(options: ConsoleReporterOptions) {
    this.stream = options.stream;
    this.isTTY = options.isTTY;
    const color = options.color ?? (options.isTTY && !process.env.NO_COLOR);
    this.paint = color
      ? { red: sgr(31, 39), green: sgr(32, 39), dim: sgr(2, 22), bold: sgr(1, 22) }
      : { red: plain, green: plain, dim: plain, bold: plain };
  }

  onBegin(info: RunInfo): void {
    this.info = info;
    const seed = info.seed === null ? '' : `, seed ${info.seed}`;
    this.write(
      `stagesim ${info.kind}: ${info.total} ${caseNoun(info.kind, info.total)} on ${singleLine(info.target)}${seed}\n`,
    );
    if (this.isTTY) this.startBar(info);
  }

  onCaseBegin(testCase: { id: string; title: string }): void {
    this.bar?.update({ title: singleLine(testCase.title) });
  }

  onCaseEnd(result: CaseResult): void {
    this.done += 1;
    this.counts[result.status] += 1;
    if (this.bar && this.multibar) {
      // Failures are worth seeing while the run goes on; the rest only move the bar.
      if (result.status === 'failed') this.multibar.log(`${this.caseLine(result)}\n`);
      this.bar.update(this.done, { ...this.counts });
      return;
    }
    this.write(`${this.caseLine(result)}\n`);
  }

  onEnd(report: RunReport): void {
    this.stopBar();
    this.write(`\n${this.summary(report)}`);
  }

  private caseLine(result: CaseResult): string {
    const { red, green, dim } = this.paint;
    const mark = result.status === 'passed' ? green('✓') : result.status === 'failed' ? red('✘') : dim('-');
    const total = this.info ? `/${this.info.total}` : '';
    const time = result.status === 'skipped' ? 'skipped' : formatDuration(result.durationMs);
    return `  ${mark} ${this.done}${total} ${singleLine(result.title)} ${dim(`(${time})`)}`;
  }

  private summary(report: RunReport): string {
    const { red, bold } = this.paint;
    const sections: string[] = [];
    const failures = report.cases.filter((c) => c.status === 'failed');
    if (failures.length > 0) {
      sections.push(
        [
          bold(red(`Failures (${failures.length}):`)),
          ...failures.map((c, i) => this.failureBlock(c, i + 1)),
        ].join('\n\n'),
      );
    }
    sections.push(this.resultsBlock(report));
    return `${sections.join('\n\n')}\n`;
  }

  private failureBlock(testCase: CaseResult, n: number): string {
    const { red, dim } = this.paint;
    const lines = [red(`  ${n}) ${singleLine(testCase.title)}`)];
    if (testCase.file) lines.push(dim(`     ${singleLine(testCase.file)}`));
    const stepLine = failingStepLine(testCase);
    if (stepLine) lines.push(`     ${singleLine(stepLine)}`);
    lines.push(indent(terminalText(testCase.failure?.message ?? 'failed without a message'), '     '));
    const replay = testCase.failure?.replay;
    if (replay) lines.push('     replay:', dim(indent(terminalText(replay.trimEnd()), '       ')));
    return lines.join('\n');
  }

  private resultsBlock(report: RunReport): string {
    const { red, green, bold } = this.paint;
    const counts = countsLine(report);
    const lines = [bold(report.failed > 0 ? red(counts) : green(counts))];
    const coverage = report.coverage;
    if (coverage) {
      lines.push(`Coverage: ${coverageLine(coverage)}`);
      // The model suite must cover everything, so what it missed is news; scenarios cover what they
      // are about, and the list of the rest would bury the summary (the HTML report draws it).
      if (report.kind === 'model') {
        lines.push(...listed('uncovered states', coverage.uncoveredStates));
        lines.push(...listed('uncovered transitions', coverage.uncoveredTransitions));
      } else {
        lines.push('  (of the device model; the HTML report shows which states and transitions)');
      }
    } else {
      lines.push('Coverage: not recorded');
    }
    const seed = report.seed === null ? '' : ` · seed ${report.seed}`;
    lines.push(`Duration: ${formatDuration(report.durationMs)}${seed} · target ${singleLine(report.target)}`);
    return lines.join('\n');
  }

  private startBar(info: RunInfo): void {
    // cli-progress draws only on a stream that says it is a TTY; the caller decided it is one.
    const terminal = {
      isTTY: true,
      columns: this.stream.columns ?? 100,
      write: (chunk: string) => this.stream.write(chunk),
    };
    this.multibar = new MultiBar({
      stream: terminal as unknown as NodeJS.WritableStream,
      format: ` {bar} {value}/{total} ${caseNoun(info.kind, 2)} | {passed} passed, {failed} failed, {skipped} skipped | {title}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 30,
      hideCursor: true,
      autopadding: true,
    });
    // Redraws are timers; a run that dies before onEnd must still let the process exit.
    this.multibar.on('update-post', () => this.unrefTimer());
    this.bar = this.multibar.create(info.total, 0, { ...this.counts, title: '' });
    this.unrefTimer();
  }

  private unrefTimer(): void {
    (this.multibar as unknown as { timer?: NodeJS.Timeout | null } | null)?.timer?.unref?.();
  }

  private stopBar(): void {
    if (!this.multibar || !this.bar) return;
    this.bar.update({ title: '' });
    // MultiBar prints logged lines only when it redraws; redraw once so the last failure is not lost.
    this.multibar.update();
    this.multibar.stop();
    this.multibar = null;
    this.bar = null;
  }

  private write(text: string): void {
    this.stream.write(text);
  }
}

function listed(label: string, ids: readonly string[]): string[] {
  if (ids.length === 0) return [`  ${label}: none`];
  return [`  ${label} (${ids.length}):`, ...ids.map((id) => `    ${singleLine(id)}`)];
}
