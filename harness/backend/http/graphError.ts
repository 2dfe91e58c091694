import { z } from 'zod';
import { oneLine } from '../../../agent/errors';

/**
 * An error answered in Graph's shape: {"error":{"code","message","innerError":{...}}}. Routes throw it;
 * the app's error handler writes it.
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);
export const notFound = (message: string) => new GraphError(404, 'ResourceNotFound', message);
export const conflict = (message: string) => new GraphError(409, 'Conflict', message);

export function graphErrorBody(code: string, message: string, requestId: string, at: Date) {
  return {
    error: {
      code,
      message,
      innerError: { 'request-id': requestId, date: at.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    },
  };
}

/** Parses a request body (or query) with its schema; a failure is a 400 naming the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what = 'request body'): T {
  if (input === undefined && what === 'request body') input = {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw badRequest(`Invalid ${what}: ${field}${oneLine(issue.message)}`);
}
