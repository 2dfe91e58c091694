import type { z } from 'zod';
import { badRequest, parseWith } from '../graphError';
import type { EntitySet } from './entitySet';

/**
 * A request body as Graph takes it: the set's read-only properties and instance annotations that a
 * GET-then-PATCH round trip sends back are dropped (Graph ignores them), a property the type does not
 * have is refused with Graph's message, and what remains is parsed with the route's zod schema (which
 * holds the documented defaults).
 */
export function readBody<Schema extends z.ZodObject>(
  set: EntitySet,
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest(`Invalid request body: expected a JSON object of type ${set.type}`);
  const readOnly = new Set(set.readOnly ?? []);
  const writable = new Set(Object.keys(schema.shape));
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (readOnly.has(key)) continue;
    if (key.startsWith('@odata.') && key !== '@odata.type') continue;
    if (!writable.has(key))
      throw badRequest(
        `The property '${key}' does not exist on type '${set.type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    kept[key] = value;
  }
  return parseWith(schema, kept) as z.output<Schema>;
}
