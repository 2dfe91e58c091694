import { z } from 'zod';
import { StagesimError } from '../errors';

/**
 * The enrollment token format shared by the backend (which mints tokens) and the device (which reads
 * them from a QR code or from a person's typing).
 *
 * A token is TOKEN_LENGTH symbols drawn uniformly from TOKEN_ALPHABET with a CSPRNG
 * (`crypto.randomInt(TOKEN_ALPHABET.length)` per symbol, never Math.random). The alphabet is the 26
 * upper-case letters and the digits 2-9 minus the look-alike pairs 0/O and 1/I, so a token read aloud or
 * copied from a screen has no ambiguous symbol. 32 symbols give 5 bits each: 20 symbols are 100 bits,
 * far beyond guessing even at a generous request rate.
 *
 * Real Intune tokens are shorter (8 letters, see domain-facts section 2); the simulator's are longer on
 * purpose, because its tokens must be unguessable.
 */
export const TOKEN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const TOKEN_LENGTH = 20;

export const tokenValueSchema = z.string().regex(new RegExp(`^[${TOKEN_ALPHABET}]{${TOKEN_LENGTH}}$`), {
  error: `a token is ${TOKEN_LENGTH} characters from ${TOKEN_ALPHABET}`,
});
export type TokenValue = z.infer<typeof tokenValueSchema>;

/** Longer input than this is not a mistyped token; refuse it before looking at each character. */
const MAX_TYPED_LENGTH = 256;

/**
 * Separators people add or pick up when copying: white space of every kind (including no-break and
 * zero-width spaces that come along with text copied from web pages and chat apps) and every dash
 * (hyphen, no-break hyphen, figure/en/em dash, minus sign).
 */
const SEPARATORS = /[\s\u200B-\u200D\u2060\uFEFF\-\u2010-\u2015\u2212]/gu;

const LOOK_ALIKES: Record<string, string> = { '0': 'zero', O: 'the letter O', '1': 'one', I: 'the letter I' };

/**
 * What a person typed on the device's sign-in screen, turned into a token value, or a StagesimError:
 * - TOKEN_EMPTY: nothing but white space and dashes.
 * - TOKEN_INVALID_CHARACTER: a character that no token contains (named, with its position).
 * - TOKEN_WRONG_LENGTH: the right characters, but not TOKEN_LENGTH of them.
 *
 * Tokens are upper-case, but a person typing on a phone keyboard expects "abcd" to mean "ABCD", and
 * full-width letters from an East Asian keyboard to mean the plain ones (NFKC folds them).
 */
export function normalizeTypedToken(input: string): TokenValue {
  if (input.length > MAX_TYPED_LENGTH) {
    throw new StagesimError(
      'TOKEN_WRONG_LENGTH',
      `a token has ${TOKEN_LENGTH} characters; got ${input.length} characters of input`,
    );
  }
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact === '') throw new StagesimError('TOKEN_EMPTY', 'no token was typed');

  // Code points, not UTF-16 units, so an emoji is reported as one character.
  const symbols = Array.from(compact);
  const upper = symbols.map((symbol, index) => {
    const candidate = symbol.toUpperCase();
    if (candidate.length !== 1 || !TOKEN_ALPHABET.includes(candidate)) {
      const lookAlike = LOOK_ALIKES[candidate];
      const hint = lookAlike ? ` (tokens never contain ${lookAlike}: they leave out 0, O, 1 and I)` : '';
      throw new StagesimError(
        'TOKEN_INVALID_CHARACTER',
        `character ${index + 1} of the token, ${JSON.stringify(symbol)}, is not used in tokens${hint}`,
      );
    }
    return candidate;
  });
  if (upper.length !== TOKEN_LENGTH) {
    throw new StagesimError(
      'TOKEN_WRONG_LENGTH',
      `a token has ${TOKEN_LENGTH} characters; got ${upper.length}`,
    );
  }
  return tokenValueSchema.parse(upper.join(''));
}
