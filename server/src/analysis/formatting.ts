import type * as ast from '../syntax/ast';
import { lex, type Comment, type Token } from '../syntax/lexer';
import { parse } from '../syntax/parser';
import type { Span } from '../syntax/text';
import { exprSlots, forEachNode } from './syntax-walk';

/**
 * The document formatter. It rewrites only the whitespace between tokens: the tokens, their
 * order and the line breaks between them stay exactly as written, so the parser (whose only
 * use of layout is "does this token start a line") reads the same file. Comments are kept,
 * full-line and trailing. The tree is consulted only to tell apart what the same character
 * means in different places (unary or binary `-`, a call's `(` or a grouping one, `h[4]` or a
 * vector) and where statements and block items start.
 *
 * Style: 2-space indentation inside `{ }`; one space around `=`, `->` and `+ - * /`; none around
 * `^`; `, ` and `: ` in lists; no space before the `(` of a call or the `[` of a layer width;
 * at most one blank line in a row; one newline at the end. Continuation lines align after
 * their open bracket. When the items of a block are aligned (some item has more than one space
 * after its first word), their second words are aligned to one column, at least one space after
 * the longest first word. Trailing comments written in one column stay in one column; others
 * keep their distance from the code. The editor's tab settings do not apply: one style.
 */

const INDENT = '  ';

/** A token or a comment, in source order. */
type Piece = { token: Token; comment?: undefined } | { comment: Comment; token?: undefined };

/**
 * The whole file formatted, or undefined when it has a syntax error (formatting a file that does
 * not parse could change what it means once it is fixed).
 */
export function formatText(text: string): string | undefined {
  const parsed = parse(text);
  if (parsed.errors.length) return undefined;
  const { tokens, comments } = lex(text);
  return new Formatter(text, tokens.slice(0, -1), comments, parsed.file).run();
}

/**
 * Document formatting as edits: one replacement of the stretch between the first and the last
 * character that change (so the editor keeps the cursor and folds elsewhere), none when the file
 * is already formatted or does not parse.
 */
export function formatEdits(text: string): { span: Span; newText: string }[] {
  const formatted = formatText(text);
  if (formatted === undefined || formatted === text) return [];
  let start = 0;
  while (start < text.length && start < formatted.length && text[start] === formatted[start]) start++;
  let endOld = text.length;
  let endNew = formatted.length;
  while (endOld > start && endNew > start && text[endOld - 1] === formatted[endNew - 1]) {
    endOld--;
    endNew--;
  }
  // Never split a \r\n or a surrogate pair between the kept and the replaced text.
  while (start > 0 && isSecondHalf(text, start)) start--;
  while (endOld < text.length && isSecondHalf(text, endOld)) {
    endOld++;
    endNew++;
  }
  return [{ span: { start, end: endOld }, newText: formatted.slice(start, endNew) }];
}

function isSecondHalf(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (c === 10 && s.charCodeAt(i - 1) === 13) || (c >= 0xdc00 && c <= 0xdfff && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff);
}

/** An open `(` or `[` of the line being written. */
interface OpenBracket {
  /** Indentation of the line it is on. */
  lineIndent: number;
  /** Its column in the output. */
  column: number;
  /** The column of the token after it, when that token is on the same line: continuation lines align there. */
  alignColumn?: number;
}

class Formatter {
  /** Offsets where an expression starts: a `(` there groups, a `[` there opens a vector. */
  private readonly exprStarts = new Set<number>();
  /** Offsets of `-` tokens that negate (the others subtract). */
  private readonly unaryMinus = new Set<number>();
  /** Offsets of the first token of each statement and each block item. */
  private readonly itemStarts = new Set<number>();
  /** For the first token of an aligned block item: the column of its second word, relative to the first. */
  private readonly alignAfter = new Map<number, number>();
  private readonly eol: string;

  /** Lines written so far, and the one being written. */
  private readonly lines: string[] = [];
  private line = '';
  private lineIndent = 0;
  private depth = 0;
  private readonly brackets: OpenBracket[] = [];
  /** Trailing comments, placed after the lines are written: an aligned group needs all its lines. */
  private readonly trailing: { line: number; text: string; column: number; gap: number; sourceLine: number }[] = [];
  private readonly lineBreakCursor = { offset: 0, line: 0 };

  constructor(private readonly text: string, private readonly tokens: Token[], private readonly comments: Comment[], file: ast.SourceFile) {
    const m = /\r\n|\r|\n/.exec(text);
    this.eol = m ? m[0] : '\n';
    const names = new Set<number>();
    for (const stmt of file.statements) {
      this.itemStarts.add(stmt.start);
      for (const slot of exprSlots(stmt)) {
        forEachNode(slot.expr, (e) => {
          this.exprStarts.add(e.start);
          if (e.kind === 'name') names.add(e.start);
        });
      }
    }
    // A `-` subtracts only right after an operand: a number, a name, a closing bracket.
    // (The tree cannot say this alone: `(-1)` keeps the span of its parentheses, not of its `-`.)
    tokens.forEach((t, i) => {
      if (t.kind !== 'punct' || t.text !== '-') return;
      const before = tokens[i - 1];
      const operand = before && (before.kind === 'number' || (before.kind === 'punct' && (before.text === ')' || before.text === ']')) || (before.kind === 'ident' && names.has(before.start)));
      if (!operand) this.unaryMinus.add(t.start);
    });
    const byStart = new Map(tokens.map((t, i) => [t.start, i]));
    for (const stmt of file.statements) {
      if (stmt.kind === 'network') this.block(stmt.items, byStart);
      else if (stmt.kind === 'train') this.block(stmt.options, byStart);
      else if (stmt.kind === 'data' && stmt.source.kind === 'inline') this.block(stmt.source.samples, byStart);
    }
  }

  /** Records where a block's items start, and the column their second words align to. */
  private block(items: readonly Span[], byStart: Map<number, number>): void {
    let aligned = false;
    let column = 0;
    const firsts: number[] = [];
    for (const item of items) {
      this.itemStarts.add(item.start);
      const i = byStart.get(item.start);
      if (i === undefined) continue;
      const first = this.tokens[i];
      const second = this.tokens[i + 1];
      // Items that start a line with a word (`dense`, `epochs`) and go on on the same line, where a space stands anyway.
      if (!first.lineStart || first.kind !== 'ident' || !second || second.lineStart || second.start >= item.end || !this.spaceBetween(first, second)) continue;
      firsts.push(first.start);
      column = Math.max(column, first.text.length + 1);
      const gap = second.start - first.end;
      if (gap > 1) {
        aligned = true;
        column = Math.max(column, first.text.length + gap);
      }
    }
    if (aligned) for (const f of firsts) this.alignAfter.set(f, column);
  }

  run(): string {
    const pieces = this.pieces();
    let prevEnd = 0;
    let prev: Token | undefined;
    let alignColumn: number | undefined;
    pieces.forEach((piece, k) => {
      const start = piece.token ? piece.token.start : piece.comment.start;
      const breaks = k === 0 ? 0 : lineBreaks(this.text, prevEnd, start);
      if (piece.comment) {
        const comment = piece.comment.text.replace(/\s+$/, '');
        if (breaks === 0 && k > 0) this.trailingComment(comment, piece.comment, prevEnd);
        else {
          this.newLine(breaks);
          this.indent(this.continuationIndent(undefined));
          this.line += comment;
        }
        prevEnd = piece.comment.end;
        prev = undefined; // a comment ends its line
        return;
      }
      const tok = piece.token;
      if (breaks > 0 || k === 0) {
        this.newLine(breaks);
        if (this.itemStarts.has(tok.start)) this.brackets.length = 0; // a new statement or item opens no brackets
        this.indent(this.lineIndentFor(tok));
      } else if (prev) {
        if (alignColumn !== undefined) this.line += ' '.repeat(Math.max(1, this.lineIndent + alignColumn - this.line.length));
        else if (this.spaceBetween(prev, tok)) this.line += ' ';
      }
      const column = this.line.length;
      const top = this.brackets[this.brackets.length - 1];
      if (top && top.alignColumn === undefined && breaks === 0 && prev && isPunct(prev, '(', '[')) top.alignColumn = column;
      this.line += tok.text;
      if (tok.kind === 'punct') this.bracket(tok, column);
      alignColumn = breaks > 0 || k === 0 ? this.alignAfter.get(tok.start) : undefined;
      prevEnd = tok.end;
      prev = tok;
    });
    this.newLine(1);
    this.placeTrailing();
    // Blank lines at the end go; an empty file stays empty.
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length ? this.lines.join(this.eol) + this.eol : '';
  }

  /** Tokens and comments merged in source order. */
  private pieces(): Piece[] {
    const pieces: Piece[] = [];
    let c = 0;
    for (const token of this.tokens) {
      while (c < this.comments.length && this.comments[c].start < token.start) pieces.push({ comment: this.comments[c++] });
      pieces.push({ token });
    }
    while (c < this.comments.length) pieces.push({ comment: this.comments[c++] });
    return pieces;
  }

  /** Ends the current line (if any), with one blank line after it when there was at least one. */
  private newLine(breaks: number): void {
    if (!this.lines.length && !this.line) return; // nothing written yet: no leading blank lines
    this.lines.push(this.line.replace(/[ \t]+$/, ''));
    if (breaks > 1) this.lines.push('');
    this.line = '';
  }

  private indent(n: number): void {
    this.lineIndent = n;
    this.line = ' '.repeat(n);
  }

  /** The indentation of a line that starts with `tok`. */
  private lineIndentFor(tok: Token): number {
    if (isPunct(tok, '}')) return Math.max(0, this.depth - 1) * INDENT.length;
    if (isPunct(tok, '{') || this.itemStarts.has(tok.start)) return this.depth * INDENT.length;
    return this.continuationIndent(tok);
  }

  /**
   * A line that continues a statement: inside brackets, aligned after the innermost open one
   * (or one step in from its line when nothing followed it there); a closing bracket lines up
   * with its opening one. Outside brackets, one step in from the block.
   */
  private continuationIndent(tok: Token | undefined): number {
    const top = this.brackets[this.brackets.length - 1];
    const closing = tok !== undefined && isPunct(tok, ']', ')');
    if (!top) return this.depth * INDENT.length + (tok ? INDENT.length : 0);
    if (top.alignColumn !== undefined) return closing ? top.column : top.alignColumn;
    return closing ? top.lineIndent : top.lineIndent + INDENT.length;
  }

  /** Tracks braces (block depth) and brackets (continuation lines). */
  private bracket(tok: Token, column: number): void {
    switch (tok.text) {
      case '{': this.depth++; break;
      case '}': this.depth = Math.max(0, this.depth - 1); break;
      case '(':
      case '[': this.brackets.push({ lineIndent: this.lineIndent, column }); break;
      case ')':
      case ']': this.brackets.pop(); break;
    }
  }

  /** Notes a trailing comment; it is placed once every line is written (see `placeTrailing`). */
  private trailingComment(comment: string, c: Comment, codeEnd: number): void {
    this.line = this.line.replace(/[ \t]+$/, '');
    // The start of the comment's line (scanning back, not lastIndexOf: a file without \r would be searched whole).
    let lineBegin = c.start;
    while (lineBegin > 0 && this.text.charCodeAt(lineBegin - 1) !== 10 && this.text.charCodeAt(lineBegin - 1) !== 13) lineBegin--;
    this.trailing.push({ line: this.lines.length, text: comment, column: c.start - lineBegin, gap: Math.max(1, c.start - codeEnd), sourceLine: this.sourceLine(lineBegin) });
  }

  /** The 0-based line of the source that starts at `lineBegin`. */
  private sourceLine(lineBegin: number): number {
    while (this.lineBreakCursor.offset < lineBegin) {
      const c = this.text.charCodeAt(this.lineBreakCursor.offset++);
      if (c === 10 || (c === 13 && this.text.charCodeAt(this.lineBreakCursor.offset) !== 10)) this.lineBreakCursor.line++;
    }
    return this.lineBreakCursor.line;
  }

  /**
   * Trailing comments on consecutive lines, written at one column, stay in one column: the
   * column they had, or further right if some line's code now reaches it. Any other trailing
   * comment keeps its distance from the code. (Either way, formatting again moves nothing.)
   */
  private placeTrailing(): void {
    for (let i = 0; i < this.trailing.length; ) {
      let j = i + 1;
      while (j < this.trailing.length && this.trailing[j].sourceLine === this.trailing[j - 1].sourceLine + 1 && this.trailing[j].column === this.trailing[i].column) j++;
      const group = this.trailing.slice(i, j);
      const column = group.length > 1 ? Math.max(group[0].column, ...group.map((t) => this.lines[t.line].length + 1)) : undefined;
      for (const t of group) {
        const code = this.lines[t.line];
        this.lines[t.line] = code + ' '.repeat(column !== undefined ? column - code.length : t.gap) + t.text;
      }
      i = j;
    }
  }

  /** Whether one space separates two tokens on the same line. */
  private spaceBetween(a: Token, b: Token): boolean {
    if (isPunct(b, ',', ')', ']', ':', "'")) return false;
    if (isPunct(a, '(', '[', "'")) return false;
    if (isPunct(a, '^') || isPunct(b, '^')) return false;
    if (isPunct(a, '-') && this.unaryMinus.has(a.start)) return isPunct(b, '-'); // `-x`, but `- -x`
    if (isPunct(b, '(') && !this.exprStarts.has(b.start)) return a.kind === 'string'; // a call's arguments; `from "f.csv" (targets: 1)`
    if (isPunct(b, '[') && !this.exprStarts.has(b.start)) return false; // a layer width: `h[4]`
    if (isPunct(a, '{') && isPunct(b, '}')) return false;
    return true;
  }
}

function isPunct(t: Token, ...texts: string[]): boolean {
  return t.kind === 'punct' && texts.includes(t.text);
}

/** How many line breaks stand between two offsets (\r\n counts once). */
function lineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}
