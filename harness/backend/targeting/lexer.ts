import { StagesimError } from '../../../agent/errors';

/**
 * The lexer both rule languages share: Intune's assignment-filter rules (intune/) and Entra's dynamic
 * membership rules (entra/). Each parser decides which words, operators and values its language accepts.
 * Positions are 1-based character columns of the rule text, so an error can point at the exact spot.
 */
export type RuleToken =
  | { kind: 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'end'; position: number }
  | { kind: 'string'; value: string; position: number }
  /** `-eq`, `-startsWith`, `-and`, ... (name without the dash, as written). */
  | { kind: 'dashWord'; value: string; position: number }
  /** `device.osVersion`, `and`, `eq` (an operator written without its dash), `$null`, `10.0.22000.1000`, `_`. */
  | { kind: 'word'; value: string; position: number };

export function ruleError(position: number, message: string): StagesimError {
  return new StagesimError('RULE_SYNTAX', `rule error at position ${position}: ${message}`);
}

const PUNCTUATION: Record<string, 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma'> = {
  '(': 'lparen',
  ')': 'rparen',
  '[': 'lbracket',
  ']': 'rbracket',
  ',': 'comma',
};

const WORD_CHAR = /[A-Za-z0-9_.$]/;

export function tokenize(text: string): RuleToken[] {
  const tokens: RuleToken[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const position = i + 1;
    if (/\s/.test(char)) {
      i += 1;
    } else if (PUNCTUATION[char]) {
      tokens.push({ kind: PUNCTUATION[char], position });
      i += 1;
    } else if (char === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw ruleError(position, 'this string has no closing double quote');
        const next = text[i]!;
        if (next === '"') break;
        // \" as Intune's editor writes it, `" as Entra documents it.
        if ((next === '\\' || next === '`') && (text[i + 1] === '"' || text[i + 1] === next)) {
          value += text[i + 1];
          i += 2;
        } else {
          value += next;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', value, position });
    } else if (char === '-' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      let end = i + 1;
      while (end < text.length && /[A-Za-z]/.test(text[end]!)) end += 1;
      tokens.push({ kind: 'dashWord', value: text.slice(i + 1, end), position });
      i = end;
    } else if (WORD_CHAR.test(char)) {
      let end = i;
      while (end < text.length && WORD_CHAR.test(text[end]!)) end += 1;
      tokens.push({ kind: 'word', value: text.slice(i, end), position });
      i = end;
    } else if (char === '\u2013' || char === '\u2014') {
      throw ruleError(position, `operators start with a hyphen (-), found the dash ${char}`);
    } else if (char === "'" || char === '\u201C' || char === '\u201D') {
      throw ruleError(position, `values are written in straight double quotes ("like this"), found ${char}`);
    } else {
      throw ruleError(position, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', position: text.length + 1 });
  return tokens;
}
