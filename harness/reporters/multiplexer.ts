import { oneLine } from '../../agent/errors';
import type { CaseResult, Reporter, RunInfo, RunReport, StepResult } from './report';

export interface NamedReporter {
  name: string;
  reporter: Reporter;
}

type Hook = keyof Reporter;

/**
 * Fans every hook out to several reporters. A report is a by-product of the run: a reporter that throws
 * (or rejects) is contained, its error printed once as one line, and the run and the other reporters go on.
 */
export class Multiplexer implements Reporter {
  /** "name: message" pairs already printed, so a reporter failing on every step prints once, not per step. */
  private readonly printed = new Set<string>();

  constructor(
    private readonly reporters: readonly NamedReporter[],
    private readonly stderr: Pick<NodeJS.WritableStream, 'write'> = process.stderr,
  ) {}

  onBegin(info: RunInfo): void {
    this.each('onBegin', (r) => r.onBegin?.(info));
  }

  onCaseBegin(testCase: { id: string; title: string }): void {
    this.each('onCaseBegin', (r) => r.onCaseBegin?.(testCase));
  }

  onStepEnd(caseId: string, step: StepResult): void {
    this.each('onStepEnd', (r) => r.onStepEnd?.(caseId, step));
  }

  onCaseEnd(result: CaseResult): void {
    this.each('onCaseEnd', (r) => r.onCaseEnd?.(result));
  }

  /** One reporter after the other, in the order given, so what they print comes out in a stable order. */
  async onEnd(report: RunReport): Promise<void> {
    for (const entry of this.reporters) {
      try {
        await entry.reporter.onEnd?.(report);
      } catch (error) {
        this.contain(entry.name, 'onEnd', error);
      }
    }
  }

  private each(hook: Hook, call: (reporter: Reporter) => unknown): void {
    for (const entry of this.reporters) {
      try {
        const result = call(entry.reporter);
        // A hook declared void may still be async; its rejection must not become an unhandled one.
        if (result instanceof Promise)
          result.catch((error: unknown) => this.contain(entry.name, hook, error));
      } catch (error) {
        this.contain(entry.name, hook, error);
      }
    }
  }

  private contain(name: string, hook: Hook, error: unknown): void {
    const line = `stagesim: ${name} reporter failed in ${hook}: ${oneLine(error)}`;
    const key = `${name}\u0000${oneLine(error)}`;
    if (this.printed.has(key)) return;
    this.printed.add(key);
    try {
      this.stderr.write(`${line}\n`);
    } catch {
      // Nowhere left to say it; the run still must not fail because of a report.
    }
  }
}
