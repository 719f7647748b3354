/**
 * Positions in a document, in the Language Server Protocol's convention: 0-based lines and
 * UTF-16 code-unit columns. JavaScript strings are UTF-16 already, so an offset into the string
 * is an offset in code units; a line break is `\n`, `\r\n` or a lone `\r`, as LSP defines it.
 */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * `text.slice(start, end)` as a string of its own. V8 makes a slice of 13 or more characters a
 * view that keeps the whole text alive. What the analysis keeps (tokens, an eval's source) outlives
 * the version of the text it was read from, since the editor reuses what a keystroke did not
 * touch: with views, every version something kept was read from would stay in memory, 0.24 MB
 * each on a 10,000-line file. Prepending a character makes a concatenation, which slicing
 * flattens into a copy of the slice's length only.
 */
export function ownSlice(text: string, start: number, end: number): string {
  return end - start < 13 ? text.slice(start, end) : (' ' + text.slice(start, end)).slice(1);
}

/**
 * A whole number with its digits grouped by threes, `12,345,678`, as `toLocaleString('en-US')`
 * writes it, without ICU: the first call of that maps about 5 MB of locale data into the language
 * server for good and takes about 12 ms (a hover on a network paid it). The engine has the same
 * function (engine/value.ts): the syntax layer imports nothing of the project.
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A half-open stretch of the source, as code-unit offsets. */
export interface Span {
  start: number;
  end: number;
}

/** Maps offsets to positions and back for one text; built once, queried by binary search. */
export class LineIndex {
  /** Offset at which each line starts. */
  private readonly starts: number[] = [0];

  /** `starts`, when given, are the text's line starts (`edited` computed them); otherwise they are found. */
  constructor(readonly text: string, starts?: number[]) {
    if (starts) {
      this.starts = starts;
      return;
    }
    if (!text.includes('\r')) {
      // Only `\n` breaks lines: found natively, a line at a time (the editor builds this per keystroke).
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /**
   * The index of `text`, an edit of `previous.text` that kept its first `prefix` and last `suffix`
   * code units (prefix + suffix ≤ both lengths): the line starts in the prefix are kept, those
   * whose line break lies in the suffix are shifted by the change of length, and only the text in
   * between is scanned. The same starts as `new LineIndex(text)`; a `\r` on either side is read
   * afresh (a `\r\n` may straddle the edit).
   */
  static edited(previous: LineIndex, text: string, prefix: number, suffix: number): LineIndex {
    const old = previous.starts;
    const lo = previous.text.length;
    const middleEnd = text.length - suffix;
    if (previous.hasCr() || text.slice(prefix, middleEnd).includes('\r')) return new LineIndex(text);
    // A start s follows the break at s − 1: in the prefix when s − 1 < prefix.
    let kept = 0;
    while (kept < old.length && old[kept] - 1 < prefix) kept++;
    const middle: number[] = [];
    for (let b = text.indexOf('\n', prefix); b >= 0 && b < middleEnd; b = text.indexOf('\n', b + 1)) middle.push(b + 1);
    let moved = kept;
    while (moved < old.length && old[moved] - 1 < lo - suffix) moved++;
    const delta = text.length - lo;
    // One array of its final length, filled by index (pushing 10,000 starts per keystroke would
    // allocate it several times over as it grows).
    const starts = new Array<number>(kept + middle.length + old.length - moved);
    let k = 0;
    for (let i = 0; i < kept; i++) starts[k++] = old[i];
    for (let i = 0; i < middle.length; i++) starts[k++] = middle[i];
    for (let i = moved; i < old.length; i++) starts[k++] = old[i] + delta;
    return new LineIndex(text, starts);
  }

  /** Whether the text has a `\r` (then `edited` scans afresh). */
  private hasCr(): boolean {
    return (this.cr ??= this.text.includes('\r'));
  }

  private cr?: boolean;

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(o);
    return { line, character: o - this.starts[line] };
  }

  /** The 0-based line of an offset (clamped to the text), without making a position. */
  lineOf(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The line of `offset` (as `lineOf`), found by walking forward from line `from`, at or before
   * it: for offsets read in order, a pass over the lines instead of a search per offset.
   */
  lineFrom(offset: number, from: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let line = from;
    while (line + 1 < this.starts.length && this.starts[line + 1] <= o) line++;
    return line;
  }

  /** The offset at which a line starts. */
  lineStart(line: number): number {
    return this.starts[line];
  }

  range(span: Span): Range {
    return { start: this.position(span.start), end: this.position(span.end) };
  }

  /** The offset of a position, clamped to its line (a column past the end means the end). */
  offset(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line];
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1] : this.text.length;
    let end = next;
    // The line's own text stops before its line break.
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return start + Math.max(0, Math.min(position.character, end - start));
  }

  /** The text of one line, without its line break. */
  lineText(line: number): string {
    const start = this.offset({ line, character: 0 });
    const end = this.offset({ line, character: Number.MAX_SAFE_INTEGER });
    return this.text.slice(start, end);
  }
}
