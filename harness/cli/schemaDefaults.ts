import type { z } from 'zod';

/**
 * Help text that names the default a zod schema applies, read from the schema itself (parsing nothing
 * through a field gives its default), so `--help` and the README cannot drift from what runs.
 */
export function schemaDefault<Shape extends z.ZodRawShape>(
  schema: { shape: Shape },
  key: keyof Shape & string,
): unknown {
  const field = schema.shape[key] as unknown as z.ZodType;
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined)
    throw new Error(`the schema gives "${key}" no default to show in help`);
  return parsed.data;
}

/** "devices in flight at once" -> "devices in flight at once (default 64)" */
export function withDefault<Shape extends z.ZodRawShape>(
  description: string,
  schema: { shape: Shape },
  key: keyof Shape & string,
): string {
  const value = schemaDefault(schema, key);
  return `${description} (default ${Array.isArray(value) ? value.join(',') : String(value)})`;
}
