import { z } from 'zod';
import { deviceIdentitySchema, upnSchema } from '../../agent/protocol/enrollment';

/**
 * Building blocks of the scenario schema. Scenario files are written by QA engineers, so every part
 * answers a mistake with what was expected ("unknown command "scanQR"; did you mean scanQrCode?"),
 * and every part carries a description that editors show on hover through the generated JSON Schema.
 */

/** Edit distance, for "did you mean" hints on misspelt keys. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The closest of `candidates` to `word`, when it is close enough to be a slip of the keyboard. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3))) return best;
  // A name typed short ("scanQR" for scanQrCode) is a slip too.
  const lower = word.toLowerCase();
  return lower.length >= 3
    ? (candidates.find((candidate) => candidate.toLowerCase().startsWith(lower)) ?? null)
    : null;
}

export function listOf(words: readonly string[]): string {
  return words.join(', ');
}

/** "unknown command "scanQR" for the vendor; did you mean scanQrCode? expected one of: ..." */
export function unknownKeyMessage(noun: string, keys: readonly string[], allowed: readonly string[]): string {
  const key = keys[0] ?? '';
  const hint = closest(key, allowed);
  // "field of scanQrCode" -> "fields of scanQrCode"
  const which =
    keys.length > 1
      ? `unknown ${noun.replace(/^(\S+)/, '$1s')} ${keys.map((k) => `"${k}"`).join(', ')}`
      : `unknown ${noun} "${key}"`;
  return `${which}; ${hint ? `did you mean ${hint}? ` : ''}expected one of: ${listOf(allowed)}`;
}

/**
 * A map with a fixed set of keys; an unknown key is reported by name with the allowed ones (typos in a
 * YAML file would otherwise be silently ignored).
 */
export function strictMap<S extends z.core.$ZodLooseShape>(shape: S, noun: string) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeyMessage(noun, issue.keys, allowed);
      if (issue.code === 'invalid_type') return `expected a map (${listOf(allowed)})`;
      return undefined;
    },
  });
}

/** Keys of a plain object, for the "exactly one" checks of commands and steps. */
export function presentKeys(value: object): string[] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

export const serialSchema = deviceIdentitySchema.shape.serialNumber.describe(
  'A device serial number: letters, digits and dashes.',
);

export const deviceRefSchema = serialSchema.describe(
  'The serial of the one device this step acts on; every device of the scenario when left out.',
);

/** Display names of profiles, filters, groups, policies and apps (Intune allows up to 200 for filters). */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'expected a non-empty name' })
  .max(200, { error: 'expected a name of at most 200 characters' });

const DURATION = /^(\d+[smhdwy])+$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 365 * 86_400 };

/** Whole seconds of a duration such as "90d", "1d12h", "65y" (a year is 365 days). */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const match of text.matchAll(/(\d+)([smhdwy])/g)) total += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  return total;
}

export const durationSchema = z
  .union([z.string().regex(DURATION).transform(durationSeconds), z.number().int().positive()], {
    error:
      'expected a duration such as 30m, 12h, 90d, 1d12h or 65y (s, m, h, d, w, y; a year is 365 days), or whole seconds',
  })
  .refine((seconds) => seconds > 0 && Number.isSafeInteger(seconds), {
    error: 'expected a duration longer than zero',
  })
  .describe(
    'A duration: 30m, 12h, 90d, 1d12h, 65y (s, m, h, d, w, y; a year is 365 days), or whole seconds.',
  );

/** A regular expression a value must match; compiled once here so a bad one is a file error, not a run error. */
export const patternSchema = z
  .string()
  .min(1, { error: 'expected a regular expression' })
  .max(500, { error: 'expected a regular expression of at most 500 characters' })
  .refine(
    (source) => {
      try {
        new RegExp(source, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { error: (issue) => `expected a valid regular expression: ${regexProblem(String(issue.input))}` },
  );

function regexProblem(source: string): string {
  try {
    new RegExp(source, 'u');
    return 'unknown problem';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Android releases as written in YAML: `14`, `8.1` or `"13"`; always a string afterwards. */
export const androidVersionSchema = z
  .union([z.string(), z.number().nonnegative()], {
    error: 'expected an Android release such as 14, 8.1 or "13"',
  })
  .transform((value) => String(value))
  .pipe(deviceIdentitySchema.shape.osVersion)
  .describe('The Android release, such as 14, 8.1 or "13".');

/** A user's UPN, checked by the protocol's own schema, with a message that says what was expected. */
export const upnFieldSchema = z
  .string({ error: 'expected a work or school account such as john@contoso.com' })
  .refine((upn) => upnSchema.safeParse(upn).success, {
    error: 'expected a work or school account such as john@contoso.com',
  });
