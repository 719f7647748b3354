import { ownSlice, type Span } from './text';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'punct'
  | 'eof';

export interface Token extends Span {
  kind: TokenKind;
  /** The source text of the token (for strings, with quotes; see `value` for the content). */
  text: string;
  /** Numbers: the value. Strings: the unescaped content. */
  value?: number | string;
  /** Whether a line break stands between this token and the one before it. */
  lineStart: boolean;
}

/** The codes of syntax errors: the text does not lex, or does not parse. */
export const SYNTAX_CODES = [
  'invalid-character', 'bad-number', 'number-overflow', 'bad-escape', 'unterminated-string',
  'syntax', 'unclosed-block', 'reserved-word', 'too-deep', 'too-large',
] as const;
export type SyntaxCode = (typeof SYNTAX_CODES)[number];

export interface SyntaxError extends Span {
  message: string;
  code: SyntaxCode;
}

export interface Comment extends Span {
  text: string;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  errors: SyntaxError[];
}

/** The one-character punctuation, by character code. */
const PUNCT_CHAR: readonly (string | undefined)[] = (() => {
  const table: (string | undefined)[] = new Array(128).fill(undefined);
  for (const p of ['{', '}', '[', ']', '(', ')', ',', '=', '+', '-', '*', '/', '^', "'", ':']) table[p.charCodeAt(0)] = p;
  return table;
})();

/**
 * The punctuation at `i` (whose code is `c`), if any: `->` before `-`, so that an arrow is not
 * read as a minus then `>`. By table, not by trying each punctuation's text there (which took a
 * good part of lexing a file).
 */
function punctAt(text: string, i: number, c: number): string | undefined {
  if (c === 45 /* - */ && text.charCodeAt(i + 1) === 62 /* > */) return '->';
  return c < 128 ? PUNCT_CHAR[c] : undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/**
 * Splits NetSpec source into tokens. Never throws: what it cannot read becomes an error with its
 * span, and the rest of the text is still tokenised.
 */
export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const errors: SyntaxError[] = [];
  let i = 0;
  let lineStart = true;
  const n = text.length;

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10 || c === 13) lineStart = true;
      i++;
      continue;
    }
    if (c === 35 /* # */) {
      const start = i;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      comments.push({ start, end: i, text: ownSlice(text, start, i) });
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: ownSlice(text, start, i), start, end: i, lineStart });
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(i + 1)))) {
      i = readNumber(text, i, errors);
      const raw = ownSlice(text, start, i);
      const value = Number(raw);
      if (!Number.isFinite(value) && !errors.some((e) => e.start === start)) {
        errors.push({ start, end: i, code: 'number-overflow', message: `The number ${shorten(raw)} is too large for a float64 (the largest is about 1.8e308).` });
      }
      tokens.push({ kind: 'number', text: raw, value: Number.isFinite(value) ? value : 0, start, end: i, lineStart });
    } else if (c === 34 /* " */) {
      const r = readString(text, i, errors);
      i = r.end;
      tokens.push({ kind: 'string', text: ownSlice(text, start, i), value: r.value, start, end: i, lineStart });
    } else {
      const p = punctAt(text, i, c);
      if (p) {
        i += p.length;
        tokens.push({ kind: 'punct', text: p, start, end: i, lineStart });
      } else {
        // A run of characters that cannot start a token is one error, not one per character.
        while (i < n && !canStartToken(text, i)) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
        const bad = ownSlice(text, start, i);
        errors.push({ start, end: i, code: 'invalid-character', message: `Unexpected ${describeChars(bad)}.` });
      }
    }
    lineStart = false;
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n, lineStart: true });
  return { tokens, comments, errors };
}

function canStartToken(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isSpace(c) || isIdentStart(c) || isDigit(c) || c === 35 || c === 34 ||
    (c === 46 && isDigit(text.charCodeAt(i + 1))) || punctAt(text, i, c) !== undefined;
}

function describeChars(s: string): string {
  const shown = [...s].slice(0, 3).map((ch) => {
    const cp = ch.codePointAt(0)!;
    return cp < 32 || cp === 127 || (cp >= 0xd800 && cp <= 0xdfff)
      ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
      : `'${ch}'`;
  });
  return `character${s.length > 1 ? 's' : ''} ${shown.join(' ')}${[...s].length > 3 ? ' …' : ''}`;
}

function shorten(s: string): string {
  return s.length > 24 ? `${s.slice(0, 20)}…` : s;
}

/** Numbers: `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`. */
function readNumber(text: string, i: number, errors: SyntaxError[]): number {
  const start = i;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      while (isDigit(text.charCodeAt(j))) j++;
      i = j;
    } else {
      // 2e may be meant as 2 times the constant e, which the language has (no implicit products).
      const times = e === 101 ? `; for ${text.slice(start, i)} times the constant e, write ${text.slice(start, i)} * e` : '';
      errors.push({ start, end: j, code: 'bad-number', message: `The exponent of ${text.slice(start, j)} has no digits (write e.g. 1e-3${times}).` });
      i = j;
    }
  }
  return i;
}

/** Strings: `"..."` with `\"` and `\\` escapes, on one line. */
function readString(text: string, i: number, errors: SyntaxError[]): { end: number; value: string } {
  const start = i;
  i++;
  let value = '';
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) return { end: i + 1, value };
    if (c === 10 || c === 13) break;
    if (c === 92 /* \ */) {
      const next = text[i + 1];
      if (next === undefined || next === '\n' || next === '\r') break;
      if (next === '"' || next === '\\') {
        value += next;
        i += 2;
        continue;
      }
      // The escaped character may be astral: the error covers both of its halves.
      const escaped = String.fromCodePoint(text.codePointAt(i + 1)!);
      errors.push({ start: i, end: i + 1 + escaped.length, code: 'bad-escape', message: `Unknown escape \\${escaped} in a string: only \\" and \\\\ are escapes.` });
      i += 1 + escaped.length;
      continue;
    }
    value += text[i];
    i++;
  }
  errors.push({ start, end: i, code: 'unterminated-string', message: 'This string has no closing quote before the end of the line.' });
  return { end: i, value };
}
