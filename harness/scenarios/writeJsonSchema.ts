import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../agent/projectRoot';
import { scenarioSchema } from './schema';

/**
 * The JSON Schema of scenario files, generated from the zod schema so the two cannot drift: editors
 * (yaml-language-server, VS Code's JSON support) use it to complete commands and fields and to flag
 * mistakes while typing. The file is checked in at scenarios/scenario.schema.json; a test fails when it
 * differs from what this generates.
 *
 * Regenerate with: npx ts-node harness/scenarios/writeJsonSchema.ts
 */

export const JSON_SCHEMA_FILE = 'scenarios/scenario.schema.json';
export const REGENERATE_COMMAND = 'npx ts-node harness/scenarios/writeJsonSchema.ts';

export function scenarioJsonSchema(): Record<string, unknown> {
  // The input side: what people write (short forms included), not what the runner receives.
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { ...generated, title: 'stagesim scenario' };
}

/** The file's text: stable key order from the schema, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  const target = join(projectRoot(), JSON_SCHEMA_FILE);
  writeFileSync(target, scenarioJsonSchemaText());
  process.stdout.write(`wrote ${target}\n`);
}
