import { oneLine } from '../../agent/errors';

/** Exit codes every command shares: 0 all good, 1 a test or device failed, 2 the input was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Thrown by commands for bad input; main() prints its message as one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function printErrorLine(prefix: string, error: unknown): void {
  process.stderr.write(`${prefix}: ${oneLine(error)}\n`);
}
