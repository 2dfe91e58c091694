import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { projectRoot } from '../../agent/projectRoot';
import { parseSafeYaml } from './safeYaml';
import { findScenarioFiles } from './loader';
import {
  JSON_SCHEMA_FILE,
  REGENERATE_COMMAND,
  scenarioJsonSchema,
  scenarioJsonSchemaText,
} from './writeJsonSchema';

const root = projectRoot();

describe('the JSON Schema for editors', () => {
  it('is checked in exactly as the zod schema generates it', () => {
    const checkedIn = readFileSync(join(root, JSON_SCHEMA_FILE), 'utf8');
    if (checkedIn !== scenarioJsonSchemaText()) {
      throw new Error(
        `${JSON_SCHEMA_FILE} is out of date with harness/scenarios/schema.ts; regenerate it with: ${REGENERATE_COMMAND}`,
      );
    }
  });

  describe('as an editor validates with it', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(scenarioJsonSchema());

    it('accepts every shipped scenario', async () => {
      const { files } = await findScenarioFiles([join(root, 'scenarios')]);
      expect(files.length).toBeGreaterThanOrEqual(22);
      for (const file of files) {
        const data = parseSafeYaml(readFileSync(file, 'utf8')).value;
        if (!validate(data)) throw new Error(`${file}: ${ajv.errorsText(validate.errors)}`);
      }
    });

    it('flags an unknown command, two commands in one item and a misspelt field', () => {
      const scenario = (step: unknown) => ({ name: 'n', description: 'd', steps: [step] });
      expect(validate(scenario({ vendor: 'scanQrCode' }))).toBe(true);
      expect(validate(scenario({ vendor: 'scanQR' }))).toBe(false);
      expect(validate(scenario({ vendor: [{ scanQrCode: {}, powerOff: {} }] }))).toBe(false);
      expect(validate(scenario({ vendor: { scanQrCode: { tokn: 'current' } } }))).toBe(false);
      expect(validate(scenario({ vendor: 'powerOff', user: 'powerOn' }))).toBe(false);
    });
  });
});
