import { ruleError, tokenize, type RuleToken } from './lexer';
import { MAX_RULE_DEPTH, MAX_RULE_LENGTH } from './ruleLimits';

/** The token cursor both parsers walk, with the checks every rule gets before it is read. */
export class TokenStream {
  private index = 0;
  private depth = 0;
  private readonly tokens: RuleToken[];

  constructor(text: string, example: string) {
    if (text.length > MAX_RULE_LENGTH)
      throw ruleError(
        MAX_RULE_LENGTH + 1,
        `a rule has at most ${MAX_RULE_LENGTH} characters (this one has ${text.length})`,
      );
    if (text.trim() === '') throw ruleError(1, `the rule is empty; expected a condition such as ${example}`);
    this.tokens = tokenize(text);
  }

  peek(offset = 0): RuleToken {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  take(): RuleToken {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  /** Whether the next token is `word` written with or without a dash, in any case. */
  isWord(word: string, token: RuleToken = this.peek()): boolean {
    return (token.kind === 'word' || token.kind === 'dashWord') && token.value.toLowerCase() === word;
  }

  /**
   * `a or b and c` as both languages group it: `and` binds tighter than `or`, each written with or
   * without the dash. `operand` reads one condition; a lone operand is answered as it is.
   */
  junctions<Node>(operand: () => Node): Node | { kind: 'and' | 'or'; operands: Node[] } {
    const joined = (kind: 'and' | 'or', read: () => Node | { kind: 'and' | 'or'; operands: Node[] }) => {
      const operands = [read()];
      while (this.isWord(kind)) {
        this.take();
        operands.push(read());
      }
      return operands.length === 1 ? operands[0]! : { kind, operands: operands as Node[] };
    };
    return joined('or', () => joined('and', operand));
  }

  /** Runs `read` one nesting level deeper, refusing rules nested deeper than MAX_RULE_DEPTH. */
  nested<T>(read: () => T): T {
    if (this.depth >= MAX_RULE_DEPTH)
      throw ruleError(this.peek().position, `conditions nest more than ${MAX_RULE_DEPTH} deep`);
    this.depth += 1;
    try {
      return read();
    } finally {
      this.depth -= 1;
    }
  }

  expectEnd(): void {
    const next = this.peek();
    if (next.kind !== 'end')
      throw ruleError(
        next.position,
        `expected "and", "or" or the end of the rule, found ${describeToken(next)}`,
      );
  }

  closeParen(open: RuleToken): void {
    const close = this.take();
    if (close.kind !== 'rparen')
      throw ruleError(
        close.position,
        `expected ")" to close the "(" at position ${open.position}, found ${describeToken(close)}`,
      );
  }
}

export function describeToken(token: RuleToken): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the rule';
    case 'string':
      return `"${token.value}"`;
    case 'dashWord':
      return `-${token.value}`;
    case 'word':
      return `"${token.value}"`;
    default:
      return `"${{ lparen: '(', rparen: ')', lbracket: '[', rbracket: ']', comma: ',' }[token.kind]}"`;
  }
}
