import { z } from 'zod';
import { StagesimError } from '../../agent/errors';
import { writeReportFile } from './outputPath';
import { runReportSchema, type Reporter, type RunReport } from './report';

/**
 * Writes the run report as JSON for tools. It is checked against runReportSchema first, so whatever
 * reads the file can rely on the schema rather than on what a producer happened to write.
 */
export class JsonReporter implements Reporter {
  /** @param file an absolute path from resolveReportPath or resolveContainedReportPath */
  constructor(private readonly file: string) {}

  onEnd(report: RunReport): void {
    const parsed = runReportSchema.safeParse(report);
    if (!parsed.success) {
      throw new StagesimError(
        'REPORT_INVALID',
        `run report does not match its schema: ${z.prettifyError(parsed.error)}`,
      );
    }
    writeReportFile(this.file, `${JSON.stringify(parsed.data, null, 2)}\n`);
  }
}
