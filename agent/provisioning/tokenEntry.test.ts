import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { StagesimError } from '../errors';
import { normalizeTypedToken, TOKEN_ALPHABET, TOKEN_LENGTH, tokenValueSchema } from './tokenEntry';

const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StagesimError);
    return (error as StagesimError).code;
  }
  return undefined;
}

describe('the token format', () => {
  it('is 20 symbols from an alphabet of 32 without the look-alikes 0, O, 1 and I', () => {
    expect(TOKEN_LENGTH).toBe(20);
    expect(new Set(TOKEN_ALPHABET).size).toBe(32);
    expect(TOKEN_ALPHABET).toMatch(/^[A-Z2-9]+$/);
    for (const lookAlike of ['0', 'O', '1', 'I']) expect(TOKEN_ALPHABET).not.toContain(lookAlike);
  });

  it('accepts tokens minted the way the backend must mint them (crypto.randomInt per symbol)', () => {
    for (let n = 0; n < 50; n++) {
      const token = Array.from(
        { length: TOKEN_LENGTH },
        () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)],
      ).join('');
      expect(tokenValueSchema.parse(token)).toBe(token);
    }
  });

  it.each([
    ['too short', TOKEN.slice(1)],
    ['too long', `${TOKEN}A`],
    ['lower case', TOKEN.toLowerCase()],
    ['a zero', `0${TOKEN.slice(1)}`],
    ['the letter O', `O${TOKEN.slice(1)}`],
    ['a separator', `${TOKEN.slice(0, 10)}-${TOKEN.slice(11)}`],
  ])('refuses a value with %s', (_why, value) => {
    expect(tokenValueSchema.safeParse(value).success).toBe(false);
  });
});

describe('normalizeTypedToken', () => {
  it.each([
    ['as shown', TOKEN],
    ['lower case', TOKEN.toLowerCase()],
    ['mixed case', 'k7Pq3mZx9wRt2hVb4nCe'],
    ['white space around it', `  ${TOKEN}\n`],
    ['groups of four with spaces', 'K7PQ 3MZX 9WRT 2HVB 4NCE'],
    ['groups with dashes', 'K7PQ-3MZX-9WRT-2HVB-4NCE'],
    ['en dashes and no-break spaces from a document', 'K7PQ\u2013 3MZX\u00a09WRT\u20132HVB 4NCE'],
    ['a zero-width space from a chat app', `K7PQ3MZX9\u200bWRT2HVB4NCE`],
    ['full-width letters from an East Asian keyboard', 'Ｋ７ＰＱ３ＭＺＸ９ＷＲＴ２ＨＶＢ４ＮＣＥ'],
  ])('reads a token typed %s', (_how, typed) => {
    expect(normalizeTypedToken(typed)).toBe(TOKEN);
  });

  it('either returns a value the shared schema accepts or throws a StagesimError, whatever is typed', () => {
    const symbol = fc.constantFrom(
      ...TOKEN_ALPHABET,
      ...TOKEN_ALPHABET.toLowerCase(),
      ' ',
      '-',
      '\u2013',
      '0',
      'o',
      'I',
      '!',
      'é',
    );
    const nearlyTokens = fc
      .array(symbol, { minLength: 15, maxLength: 28 })
      .map((symbols) => symbols.join(''));
    fc.assert(
      fc.property(fc.oneof(nearlyTokens, fc.string({ maxLength: 40 })), (typed) => {
        let value: string;
        try {
          value = normalizeTypedToken(typed);
        } catch (error) {
          expect(error).toBeInstanceOf(StagesimError);
          return;
        }
        expect(tokenValueSchema.safeParse(value).success).toBe(true);
      }),
    );
  });

  it.each([
    ['nothing', ''],
    ['only spaces and dashes', ' - -  '],
  ])('says TOKEN_EMPTY for %s', (_what, typed) => {
    expect(codeOf(() => normalizeTypedToken(typed))).toBe('TOKEN_EMPTY');
  });

  it.each([
    ['a zero', `${TOKEN.slice(0, 5)}0${TOKEN.slice(6)}`, /character 6.*zero/],
    ['the letter o', `${TOKEN.slice(0, 5)}o${TOKEN.slice(6)}`, /character 6.*letter O/],
    ['a one', `1${TOKEN.slice(1)}`, /character 1.*one/],
    ['punctuation', `${TOKEN.slice(0, 19)}!`, /character 20 of the token, "!"/],
    ['an underscore', `${TOKEN.slice(0, 10)}_${TOKEN.slice(10)}`, /"_"/],
    ['an emoji', `${TOKEN.slice(0, 3)}🙂${TOKEN.slice(3)}`, /character 4 of the token, "🙂"/],
  ])('says TOKEN_INVALID_CHARACTER for %s, naming it', (_what, typed, message) => {
    expect(() => normalizeTypedToken(typed)).toThrow(message);
    expect(codeOf(() => normalizeTypedToken(typed))).toBe('TOKEN_INVALID_CHARACTER');
  });

  it.each([
    ['one symbol short', TOKEN.slice(1)],
    ['one symbol too many', `${TOKEN}A`],
    ['an Intune-style 8-letter token', 'ABCDEFGH'],
    ['a pasted paragraph', 'A'.repeat(10_000)],
  ])('says TOKEN_WRONG_LENGTH for %s', (_what, typed) => {
    expect(codeOf(() => normalizeTypedToken(typed))).toBe('TOKEN_WRONG_LENGTH');
  });
});
