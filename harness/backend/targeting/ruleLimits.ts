/**
 * Limits both rule languages share. Entra documents 3,072 characters for a membership rule
 * (groups-dynamic-membership.md); the Intune filter reference names no limit, so filters get the same.
 * The nesting limit keeps a hostile rule from exhausting the parser's stack.
 */
export const MAX_RULE_LENGTH = 3072;
export const MAX_RULE_DEPTH = 50;
