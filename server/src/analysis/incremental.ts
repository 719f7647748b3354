import { CheckMemo } from '../semantics/memo';
import { programOf } from '../semantics/checker';
import type * as ast from '../syntax/ast';
import type { SyntaxError, Token } from '../syntax/lexer';
import { MAX_TEXT_LENGTH, parse, parseSegment } from '../syntax/parser';
import { STATEMENT_KEYWORDS } from '../syntax/ast';
import { LineIndex } from '../syntax/text';
import { analyzeParts, evaluationCaches, type AnalyzeOptions, type EvaluationCaches, type FileAnalysis } from './analyze';
import { countWhile } from './search';
import { reanalyze, type Analysed, type StatementChange } from './reanalysis';

/**
 * The analysis of one open document, version after version, redoing only what an edit touched.
 * `analyze(text)` here returns exactly what `analyze(text)` in analyze.ts returns for the same
 * text (test/unit/incremental.test.ts checks it on random edits); it is only faster.
 *
 * Three layers of reuse:
 * - Parsing, by segment: the text is cut before every line whose first token is a statement
 *   keyword (parser.ts, `parseSegment`, says why that cut is exact). A segment whose text, and the
 *   keyword after it, are unchanged keeps its statements — the same tree nodes, moved to their
 *   new offsets — and its syntax errors.
 * - Checking, by statement: the checker's memo (semantics/memo.ts) replays a statement's check
 *   while the statement node and every name it mentions still mean the same.
 * - Evaluation: an `eval` whose lowered expression is the same object, and a probe whose checked
 *   form is, keep their values; the dead-relu check keeps its forward passes likewise.
 * - And when an edit changed only lets, networks, evals and probes, the previous analysis is kept
 *   whole but for them and what reads them (reanalysis.ts): no pass over every statement at all.
 */
export class IncrementalAnalyzer {
  private readonly parser = new IncrementalParser();
  private readonly memo = new CheckMemo();
  private readonly caches: EvaluationCaches = evaluationCaches();


  /**
   * The last analysis (its line index is where the next one's is computed from, LineIndex.edited),
   * and whether trained parameters went into it (they change its networks in place).
   */
  private last?: { analysed: Analysed; trained: boolean };
  /** How many analyses were made from the previous one (`reanalyze`), and how many by a check of the whole file. */
  readonly counts = { reused: 0, whole: 0 };

  /**
   * `unchanged`, where the caller knows it (the server, from the editor's changes): how much of the
   * last analysed text at least is still at its start and at its end (`Unchanged`).
   */
  analyze(text: string, options: AnalyzeOptions = {}, unchanged?: Unchanged): FileAnalysis {
    const previous = this.parser.previousText;
    const parsed = this.parser.parse(text, unchanged);
    const edit = this.parser.lastEdit;
    const before = this.last?.analysed.analysis.lines;
    const lines = before && edit && previous === before.text ? LineIndex.edited(before, text, edit.prefix, edit.suffix) : new LineIndex(text);
    const volatile = new Set(options.trained?.keys() ?? []);
    const change = this.parser.lastChange;
    if (change && this.last && !this.last.trained && volatile.size === 0) {
      const analysed = reanalyze(this.last.analysed, change, parsed.file, lines, this.memo, this.caches);
      if (analysed) {
        this.last = { analysed, trained: false };
        this.counts.reused++;
        return analysed.analysis;
      }
    }
    this.memo.readers = undefined;
    const { program } = programOf(parsed, { memo: this.memo, volatile });
    const analysed = analyzeParts(text, program, options, this.caches, lines);
    this.last = { analysed, trained: volatile.size > 0 };
    this.counts.whole++;
    return analysed.analysis;
  }
}

/**
 * What an editor's changes left of the last text analysed, as lower bounds: at least its first
 * `prefix` and its last `suffix` code units are still there, at the start and at the end of the
 * new text. From them the two texts are compared only around the edit, not from each end (about
 * half a millisecond a keystroke on a 10,000-line file).
 */
export interface Unchanged {
  prefix: number;
  suffix: number;
}

/** Parsing, version after version, by segment (see IncrementalAnalyzer). */
export class IncrementalParser {
  /**
   * The last text parsed and its segments, in order (they tile the text), with the file's
   * statements and syntax errors and where each segment's begin among them (`firstOf`).
   */
  private last?: { text: string; segments: Segment[]; statements: ast.Statement[]; errors: SyntaxError[]; firstOf: SegmentStarts };
  /** What the last `parse` kept of the text before it: its first `prefix` and last `suffix` code units. */
  lastEdit?: { prefix: number; suffix: number };
  /** Which statements the last `parse` parsed again, and where (see StatementChange); undefined after a parse from scratch. */
  lastChange?: StatementChange;

  /** The text the next `parse` compares with. */
  get previousText(): string | undefined {
    return this.last?.text;
  }

  /**
   * The same tree and errors as `parse(text)`. The text is compared with the last one: segments
   * whose text, cuts and following keyword lie in the common prefix are kept where they are; those
   * that lie in the common suffix are kept and moved; only the ones in between are parsed again.
   */
  parse(text: string, unchanged?: Unchanged): { file: ast.SourceFile; errors: SyntaxError[] } {
    this.lastEdit = undefined;
    this.lastChange = undefined;
    if (text.length > MAX_TEXT_LENGTH) {
      this.last = undefined;
      return parse(text);
    }
    const old = this.last;
    if (!old) return this.assembled(text, buildSegments(text, 0, text.length, undefined, undefined));
    const segs = old.segments;
    const m = segs.length;
    const lo = old.text.length;
    const ln = text.length;
    const p = commonPrefix(old.text, text, Math.min(unchanged?.prefix ?? 0, lo, ln));
    const limit = Math.min(lo, ln) - p;
    const q = commonSuffix(old.text, text, limit, Math.min(unchanged?.suffix ?? 0, limit));
    const delta = ln - lo;
    this.lastEdit = { prefix: p, suffix: q };
    // What a segment's parse and its two cuts depend on ends one character past the keyword after
    // it (that character says the keyword is a whole word); for the last segment, past the end of
    // the text (text added at the end changes it). The first segment that reaches past the edit
    // (the ends grow with the segments: a binary search, which reads a few segments where a scan
    // would read every one before the edit, on every keystroke):
    const windowEnd = (i: number) => (i + 1 < m ? segs[i + 1].keyword!.end + 1 : lo + 1);
    const i0 = countWhile(m, (i) => windowEnd(i) <= p);
    if (old.text === text) {
      this.lastChange = { removed: [], added: [], removedErrors: 0, removedErrorsTo: lo, addedErrors: [], oldFrom: lo, oldTo: lo, newFrom: ln, newTo: ln };
      this.last = { ...old, text };
      return { file: { text, statements: old.statements.slice() }, errors: old.errors.slice() };
    }
    // ... and it starts at the line break before the segment's first line: the last segment parsed
    // again is the one before the first that starts past the edit, but not before i0 − 1 (none:
    // text is inserted there) nor before the first.
    const past = countWhile(m, (i) => segs[i].at - 1 < lo - q);
    const i1 = Math.min(m - 1, Math.max(past - 1, Math.max(i0, 1) - 1));
    for (let i = i1 + 1; i < m; i++) moveSegment(segs[i], delta);
    const from = segs[i0].at;
    const to = i1 + 1 < m ? segs[i1 + 1].at : ln;
    const middle = buildSegments(text, from, to, segs[i0].keyword, i1 + 1 < m ? segs[i1 + 1].keyword : undefined);
    // A segment parsed again only because the edit lies past its statements (Enter at the start
    // of the next statement's line gives it a blank line) keeps its nodes when they came out the
    // same: then nothing reads them again (reanalysis.ts sees no change there).
    let same = 0;
    while (same < middle.length && i0 + same <= i1 && sameBefore(segs[i0 + same], middle[same], p)) middle[same] = segs[i0 + same++];
    const removed = segs.slice(i0 + same, i1 + 1);
    const added = middle.slice(same);
    // (With no segment removed, `from` is a moved segment's offset; no fast path needs that case.)
    if (i1 >= i0) this.lastChange = {
      removed: removed.flatMap((g) => g.statements),
      added: added.flatMap((g) => g.statements),
      removedErrors: removed.reduce((n, g) => n + g.errors.length, 0),
      removedErrorsTo: removed.reduce((at, g) => g.errors.reduce((end, e) => Math.max(end, e.end), at), 0),
      addedErrors: added.flatMap((g) => g.errors),
      oldFrom: removed.length ? removed[0].at : to - delta,
      oldTo: to - delta,
      newFrom: added.length ? added[0].at : to,
      newTo: to,
    };
    return this.assembled(text, spliced(segs, i0, i1 + 1, middle), { i0, i1, middle });
  }

  /**
   * The parse of `text` from its segments: the file's statements and syntax errors, in order. After
   * an edit (`edit`: segments i0 … i1 of the last parse gave way to `middle`), those of the other
   * segments are taken from the last parse's lists by where each segment's begin there: a pass
   * over every segment would read each of them, cold in memory, on every keystroke.
   */
  private assembled(text: string, segments: Segment[], edit?: { i0: number; i1: number; middle: readonly Segment[] }): { file: ast.SourceFile; errors: SyntaxError[] } {
    const old = this.last;
    const firstOf: SegmentStarts = { statements: new Int32Array(segments.length + 1), errors: new Int32Array(segments.length + 1) };
    let statements: ast.Statement[];
    let errors: SyntaxError[];
    if (!old || !edit) {
      statements = [];
      errors = [];
      for (let i = 0; i < segments.length; i++) {
        firstOf.statements[i] = statements.length;
        firstOf.errors[i] = errors.length;
        statements.push(...segments[i].statements);
        errors.push(...segments[i].errors);
      }
      firstOf.statements[segments.length] = statements.length;
      firstOf.errors[segments.length] = errors.length;
    } else {
      const { i0, i1, middle } = edit;
      statements = splicedFrom(old.statements, old.firstOf.statements, i0, i1, middle, (g) => g.statements, firstOf.statements);
      errors = splicedFrom(old.errors, old.firstOf.errors, i0, i1, middle, (g) => g.errors, firstOf.errors);
    }
    this.last = { text, segments, statements, errors, firstOf };
    // Each segment's errors are in order and lie within it; a stable sort keeps the order parse() gives.
    const sorted = errors.slice().sort((a, b) => a.start - b.start);
    return { file: { text, statements: statements.slice() }, errors: sorted };
  }
}

/** Where each segment's statements and syntax errors begin in the file's lists, and (last) their lengths. */
interface SegmentStarts {
  statements: Int32Array;
  errors: Int32Array;
}

/**
 * A file's list (statements or errors, `itemsOf` a segment's) after segments i0 … i1 gave way to
 * `middle`: the items before and after theirs from `list` (`first[i]`: where segment i's begin),
 * `middle`'s in between. Fills `firstOut`, the same for the new segments.
 */
function splicedFrom<T>(list: readonly T[], first: Int32Array, i0: number, i1: number, middle: readonly Segment[], itemsOf: (g: Segment) => readonly T[], firstOut: Int32Array): T[] {
  const head = first[i0];
  const tail = first[i1 + 1];
  let count = 0;
  for (const g of middle) count += itemsOf(g).length;
  const out = new Array<T>(head + count + list.length - tail);
  let k = 0;
  for (let i = 0; i < head; i++) out[k++] = list[i];
  firstOut.set(first.subarray(0, i0 + 1));
  for (let j = 0; j < middle.length; j++) {
    firstOut[i0 + j] = k;
    for (const x of itemsOf(middle[j])) out[k++] = x;
  }
  const shift = k - tail;
  for (let i = i1 + 1; i < first.length; i++) firstOut[i - i1 - 1 + i0 + middle.length] = first[i] + shift;
  for (let i = tail; i < list.length; i++) out[k++] = list[i];
  return out;
}

/**
 * Whether a segment parsed again (`neu`) came out as it was (`old`), at the same place, every
 * statement and syntax error of it ending before `p`, where the two texts first differ: the same
 * spans over the same text, so the same trees (test/unit/incremental.test.ts compares every
 * version's with a fresh parse). Strictly before: what ends at `p` (an error at the end of the
 * text, say) lies where the edit is, and reanalysis.ts would move it with what follows.
 */
function sameBefore(old: Segment, neu: Segment, p: number): boolean {
  if (old.at !== neu.at || old.keyword !== neu.keyword) return false;
  if (old.statements.length !== neu.statements.length || old.errors.length !== neu.errors.length) return false;
  for (let i = 0; i < old.statements.length; i++) {
    const [a, b] = [old.statements[i], neu.statements[i]];
    if (a.end >= p || a.kind !== b.kind || a.start !== b.start || a.end !== b.end) return false;
  }
  for (let i = 0; i < old.errors.length; i++) {
    const [a, b] = [old.errors[i], neu.errors[i]];
    if (a.end >= p || a.start !== b.start || a.end !== b.end || a.code !== b.code || a.message !== b.message) return false;
  }
  return true;
}

/** `list` with its items from `from` to `to` (exclusive) replaced by `middle`, as a new array of its final length. */
function spliced<T>(list: readonly T[], from: number, to: number, middle: readonly T[]): T[] {
  const out = new Array<T>(from + middle.length + list.length - to);
  let k = 0;
  for (let i = 0; i < from; i++) out[k++] = list[i];
  for (let i = 0; i < middle.length; i++) out[k++] = middle[i];
  for (let i = to; i < list.length; i++) out[k++] = list[i];
  return out;
}

interface Segment {
  /** The offset the segment starts at now (its nodes are there). */
  at: number;
  /** The statement keyword the segment starts with; absent for the segment at offset 0. */
  keyword?: Token;
  statements: ast.Statement[];
  errors: SyntaxError[];
}

/**
 * Parses `text[from, to)` as segments. `from` is a cut (0, or a line that starts with `first`);
 * `follow` is the keyword at `to` when `to` is not the end of the text.
 */
function buildSegments(text: string, from: number, to: number, first: Token | undefined, follow: Token | undefined): Segment[] {
  const cuts: { start: number; keyword?: Token }[] = [{ start: from, keyword: first }, ...scanCuts(text, from, to)];
  return cuts.map((cut, i) => {
    const after = cuts[i + 1];
    const end = after ? after.start : to;
    const next = after ? after.keyword : follow;
    return { at: cut.start, keyword: cut.keyword, ...parseSegment(text.slice(cut.start, end), cut.start, next) };
  });
}

/** Compared a block at a time first (native comparison of slices), then a character at a time. */
const BLOCK = 1024;

/** The length of the longest common prefix of two texts, known to be at least `from`. */
function commonPrefix(a: string, b: string, from: number): number {
  const n = Math.min(a.length, b.length);
  let i = from;
  while (i + BLOCK <= n && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** The length of the longest common suffix of two texts, at most `limit`, known to be at least `from`. */
function commonSuffix(a: string, b: string, limit: number, from: number): number {
  const la = a.length;
  const lb = b.length;
  let i = from;
  while (i + BLOCK <= limit && a.slice(la - i - BLOCK, la - i) === b.slice(lb - i - BLOCK, lb - i)) i += BLOCK;
  while (i < limit && a.charCodeAt(la - 1 - i) === b.charCodeAt(lb - 1 - i)) i++;
  return i;
}

const KEYWORDS = new Set<string>(STATEMENT_KEYWORDS);

/**
 * Where segments start: offset 0, and each line whose first token is a statement keyword, with
 * that keyword as the token the parser would see there.
 */
export function segmentStarts(text: string): { start: number; keyword: Token }[] {
  const first: Token = { kind: 'eof', text: '', start: 0, end: 0, lineStart: true };
  return [{ start: 0, keyword: first }, ...scanCuts(text, 0, text.length)];
}

/**
 * The lines in (from, to) whose first token is a statement keyword. Mirrors the lexer: spaces are
 * the lexer's spaces, lines end at `\n`, `\r\n` or `\r`.
 */
function scanCuts(text: string, from: number, to: number): { start: number; keyword: Token }[] {
  const out: { start: number; keyword: Token }[] = [];
  const n = text.length;
  const hasCr = text.includes('\r');
  let i = nextBreak(text, from, hasCr);
  while (i < n) {
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
    const line = i + 1;
    if (line >= to) break;
    i = line;
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 12 || c === 11; c = text.charCodeAt(++i));
    const c = text.charCodeAt(i);
    // Every statement keyword starts with one of d e f l n p t; only then is the word read.
    if (c === 100 || c === 101 || c === 102 || c === 108 || c === 110 || c === 112 || c === 116) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      if (j - i <= 7) {
        const word = text.slice(i, j);
        if (KEYWORDS.has(word)) out.push({ start: line, keyword: { kind: 'ident', text: word, start: i, end: j, lineStart: true } });
      }
    }
    i = nextBreak(text, i, hasCr);
  }
  return out;
}

const isIdentPart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57);

/** The offset of the first `\n` or `\r` at or after `i` (or the text's length); natively when the text has no `\r`. */
function nextBreak(text: string, i: number, hasCr: boolean): number {
  if (!hasCr) {
    const lf = text.indexOf('\n', i);
    return lf < 0 ? text.length : lf;
  }
  while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
  return i;
}

/**
 * Moves a segment's nodes, errors and keyword by `delta` (in place: the segment is this document's
 * alone, and so is its keyword: `parse` always replaces at least the segment the edit begins in,
 * so the keyword it hands on to the new first segment was never another live segment's). The
 * keyword too is moved in place rather than copied: a copy (`{ ...keyword, start, end }`) of every
 * moved segment's keyword cost about 1.2 ms a keystroke on the editor bench's 10,000-line spec,
 * more than moving all their nodes: a copy has a shape of its own, and over keywords of several
 * shapes V8's spread took about 0.4 us apiece even alone in a loop (35 ns over one shape).
 */
function moveSegment(segment: Segment, delta: number): void {
  if (delta === 0) return;
  segment.at += delta;
  const keyword = segment.keyword;
  if (keyword) {
    keyword.start += delta;
    keyword.end += delta;
  }
  for (const s of segment.statements) moveNode(s, delta);
  for (const e of segment.errors) {
    e.start += delta;
    e.end += delta;
  }
}

/**
 * Every node of a statement, moved by `delta`. Spelled out per kind of node (a generic walk over
 * properties is several times slower, and this runs over half the file on every keystroke); the
 * random-edit test compares every node's offsets with a fresh parse, so a field this misses fails it.
 */
export function moveNode(s: ast.Statement, d: number): void {
  s.start += d;
  s.end += d;
  switch (s.kind) {
    case 'network':
      moveName(s.name, d);
      for (const item of s.items) {
        item.start += d;
        item.end += d;
        switch (item.kind) {
          case 'input':
            moveName(item.name, d);
            moveExpr(item.width, d);
            if (item.features) {
              moveName(item.features.keyword, d);
              moveExpr(item.features.list, d);
            }
            break;
          case 'dense':
            moveName(item.name, d);
            moveExpr(item.width, d);
            item.activation.start += d;
            item.activation.end += d;
            moveName(item.activation.name, d);
            for (const a of item.activation.args) moveExpr(a, d);
            if (item.nobias) {
              item.nobias.start += d;
              item.nobias.end += d;
            }
            break;
          case 'loss':
            moveName(item.loss, d);
            break;
          case 'init':
            moveName(item.scheme, d);
            for (const a of item.args) moveExpr(a, d);
            if (item.seed) moveExpr(item.seed, d);
            break;
          case 'weights':
          case 'bias':
            moveName(item.layer, d);
            moveExpr(item.value, d);
            break;
        }
      }
      break;
    case 'data': {
      moveName(s.name, d);
      if (s.standardize) moveName(s.standardize, d);
      const src = s.source;
      src.start += d;
      src.end += d;
      if (src.kind === 'inline') {
        for (const x of src.samples) {
          x.start += d;
          x.end += d;
          moveExpr(x.input, d);
          moveExpr(x.target, d);
        }
      } else {
        if (src.kind === 'generator') moveName(src.generator, d);
        else if (src.kind === 'function') {
          moveName(src.keyword, d);
          moveExpr(src.expr, d);
        } else moveName(src.path, d);
        for (const a of src.args) {
          a.start += d;
          a.end += d;
          moveName(a.name, d);
          moveExpr(a.value, d);
        }
      }
      break;
    }
    case 'train':
      moveName(s.network, d);
      moveName(s.data, d);
      for (const o of s.options) {
        o.start += d;
        o.end += d;
        moveName(o.name, d);
        moveExpr(o.value, d);
      }
      break;
    case 'probe':
      moveName(s.network, d);
      moveExpr(s.input, d);
      moveExpr(s.target, d);
      break;
    case 'let':
      moveName(s.name, d);
      moveExpr(s.value, d);
      break;
    case 'eval':
      moveExpr(s.value, d);
      break;
    case 'fn':
      moveName(s.name, d);
      moveName(s.param, d);
      moveExpr(s.body, d);
      break;
  }
}

function moveName(n: ast.Node, d: number): void {
  n.start += d;
  n.end += d;
}

/** moveExpr's stack, one for all calls: moving half a file's expressions per keystroke allocates nothing. */
const moveStack: ast.Expr[] = [];

/** An expression's nodes, moved; with a stack, since expressions may nest deeply. */
function moveExpr(root: ast.Expr, d: number): void {
  const stack = moveStack;
  stack.push(root);
  while (stack.length) {
    const e = stack.pop()!;
    e.start += d;
    e.end += d;
    switch (e.kind) {
      case 'name': moveName(e.name, d); break;
      case 'call':
        moveName(e.callee, d);
        for (const a of e.args) stack.push(a);
        break;
      case 'unary': stack.push(e.operand); break;
      case 'binary': stack.push(e.left, e.right); break;
      case 'vector': for (const x of e.items) stack.push(x); break;
      default: break;
    }
  }
}
