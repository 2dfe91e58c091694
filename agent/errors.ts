/**
 * Errors with stable codes. Callers and tests match on `code`, never on message text, so a message can
 * be reworded without breaking anyone (the pattern of ws's `createError`).
 */
export class StagesimError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StagesimError';
    this.code = code;
  }
}

export function isStagesimError(value: unknown, code?: string): value is StagesimError {
  return value instanceof StagesimError && (code === undefined || value.code === code);
}

/** One line, no stack: what a person sees when their input was wrong. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
