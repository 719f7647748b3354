/**
 * What must hold for ANY text, checked with every analysis entry the language server uses:
 * nothing throws; every range, edit and token lies inside the document (UTF-16 columns, `\n`,
 * `\r\n` and lone `\r` line breaks, never between the halves of a `\r\n` or of a surrogate pair);
 * formatting is idempotent and keeps the file's meaning; a rename never breaks the parse.
 * `checkText` throws an Error naming the violated property; the fuzz tests feed it text.
 */
import { analyze, type FileAnalysis } from '../../server/src/analysis/analyze';
import { completionsAt } from '../../server/src/analysis/completion';
import { foldingRegions } from '../../server/src/analysis/folding';
import { formatEdits, formatText } from '../../server/src/analysis/formatting';
import { gradientCheck } from '../../server/src/analysis/gradcheck';
import { hoverAt, plotsAt } from '../../server/src/analysis/hover';
import { DEFAULT_INLAY, inlayHints } from '../../server/src/analysis/inlay';
import { definitionAt, referencesAt, symbolIndex } from '../../server/src/analysis/references';
import { prepareRename, rename } from '../../server/src/analysis/rename';
import { encodedSemanticTokens, encodeSemanticTokens, semanticTokens } from '../../server/src/analysis/semantic-tokens';
import { signatureHelpAt } from '../../server/src/analysis/signature';
import { outline, type OutlineSymbol } from '../../server/src/analysis/symbols';
import { constantValue } from '../../server/src/semantics/lowering';
import type * as ast from '../../server/src/syntax/ast';
import { parse } from '../../server/src/syntax/parser';
import { LineIndex, type Position, type Range, type Span } from '../../server/src/syntax/text';

export class Violation extends Error {}

function fail(what: string): never {
  throw new Violation(what);
}

/** Lines of `text` as LSP sees them: the text of each line without its break. */
export function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** A span is inside the text and does not split a `\r\n` or a surrogate pair. */
export function checkSpan(text: string, s: Span, what: string): void {
  if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end > text.length || s.start > s.end) {
    fail(`${what}: span ${s.start}..${s.end} is outside 0..${text.length}`);
  }
  for (const o of [s.start, s.end]) {
    if (splits(text, o)) fail(`${what}: span ${s.start}..${s.end} splits ${JSON.stringify(text.slice(o - 1, o + 1))} at ${o}`);
  }
}

/** Whether offset `o` falls between the two halves of a `\r\n` or of a surrogate pair. */
export function splits(text: string, o: number): boolean {
  if (o <= 0 || o >= text.length) return false;
  const a = text.charCodeAt(o - 1);
  const b = text.charCodeAt(o);
  return (a === 13 && b === 10) || (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff);
}

/** A position names a line of the document and a column within that line's text. */
export function checkPosition(lines: string[], p: Position, what: string): void {
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.line >= lines.length) {
    fail(`${what}: line ${p.line} is outside 0..${lines.length - 1}`);
  }
  if (p.character < 0 || p.character > lines[p.line].length) {
    fail(`${what}: column ${p.character} is outside line ${p.line} (${lines[p.line].length} characters)`);
  }
}

export function checkRange(lines: string[], r: Range, what: string): void {
  checkPosition(lines, r.start, `${what} start`);
  checkPosition(lines, r.end, `${what} end`);
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) {
    fail(`${what}: range ends before it starts (${JSON.stringify(r)})`);
  }
}

/** How much of each position-taking request to ask. `every`: every offset; otherwise a sample of about this many. */
export interface CheckOptions {
  positions?: 'every' | number;
  /** Rename at most this many names (each rename re-analyses the file). */
  renames?: number;
}

/** The offsets to ask position requests at: every one, or a spread of them plus every token boundary. */
function offsetsOf(text: string, positions: 'every' | number): number[] {
  if (positions === 'every' || text.length + 1 <= positions) return Array.from({ length: text.length + 1 }, (_, i) => i);
  const out = new Set<number>([0, text.length]);
  const step = Math.max(1, Math.floor(text.length / positions));
  for (let o = 0; o <= text.length; o += step) out.add(o);
  return [...out].sort((a, b) => a - b);
}

/** Runs every analysis entry on `text` and checks what it returns. Returns the analysis. */
export function checkText(text: string, options: CheckOptions = {}): FileAnalysis {
  const positions = options.positions ?? 'every';
  const lines = lspLines(text);
  const index = new LineIndex(text);
  if (index.lineCount !== lines.length) fail(`LineIndex has ${index.lineCount} lines, LSP ${lines.length}`);

  const parsed = parse(text);
  for (const e of parsed.errors) checkSpan(text, e, `syntax error ${e.code}`);
  const a = analyze(text);
  for (const d of a.diagnostics) {
    checkSpan(text, d.span, `diagnostic ${d.code} "${d.message}"`);
    checkRange(lines, d.range, `diagnostic ${d.code}`);
    if (d.suggestion) {
      checkRange(lines, d.suggestion.range, `quick fix of ${d.code}`);
      // A quick fix applied: the result analyses too.
      const start = a.lines.offset(d.suggestion.range.start);
      const end = a.lines.offset(d.suggestion.range.end);
      analyze(text.slice(0, start) + d.suggestion.newText + text.slice(end));
    }
  }

  checkProgram(a);

  // Whole-document requests.
  const symbols = outline(a.program.file);
  const walk = (s: OutlineSymbol) => {
    checkSpan(text, s.span, `outline ${s.name}`);
    checkSpan(text, s.selection, `outline selection ${s.name}`);
    s.children.forEach(walk);
  };
  symbols.forEach(walk);
  let previous = { line: 0, character: 0 };
  for (const t of semanticTokens(a.program)) {
    checkSpan(text, t.span, `semantic token ${t.type}`);
    const r = a.lines.range(t.span);
    checkRange(lines, r, `semantic token ${t.type}`);
    if (r.start.line !== r.end.line || t.span.end <= t.span.start) fail(`semantic token ${t.type} at ${t.span.start} is empty or spans lines`);
    if (r.start.line < previous.line || (r.start.line === previous.line && r.start.character < previous.character)) fail('semantic tokens out of order');
    previous = r.end;
  }
  // The server's encoding, straight from each statement's kept integers, is the plain one's.
  const encoded = encodedSemanticTokens(a.program, a.lines);
  const plain = encodeSemanticTokens(semanticTokens(a.program), a.lines);
  if (encoded.length !== plain.length || plain.some((v, i) => encoded[i] !== v)) fail('the encoded semantic tokens are not the encoding of the tokens');
  for (const f of foldingRegions(text)) {
    if (!(f.startLine >= 0 && f.startLine < f.endLine && f.endLine < lines.length)) fail(`folding region ${f.startLine}..${f.endLine} of ${lines.length} lines`);
  }
  for (const h of inlayHints(a, 0, text.length, { ...DEFAULT_INLAY, derivatives: true })) {
    checkSpan(text, { start: h.offset, end: h.offset }, `inlay hint "${h.label}"`);
  }
  for (let line = 0; line < lines.length; line++) plotsAt(a, line);
  for (const p of a.probes) {
    const net = p.result && a.program.networks.get(p.network)?.network;
    if (net && p.input && p.target) gradientCheck(net, p.input, p.target);
  }
  checkFormatting(text, a);

  // Requests at a position.
  for (const o of offsetsOf(text, positions)) {
    const h = hoverAt(a, o);
    if (h) checkSpan(text, h.span, `hover at ${o}`);
    completionsAt(a.program, o);
    signatureHelpAt(a.program, o);
    const d = definitionAt(a.program, o);
    if (d) checkSpan(text, d, `definition at ${o}`);
    for (const r of referencesAt(a.program, o, true)) checkSpan(text, r, `reference at ${o}`);
    const p = prepareRename(a.program, o);
    if (!('error' in p)) checkSpan(text, p.span, `prepareRename at ${o}`);
  }
  checkRenames(text, a, options.renames ?? 3);
  return a;
}

/**
 * The checked Program is inert data: no method to call back into the checker, every let's value
 * and every network's forward pass read without a throw, every expression's constant value asked
 * without a throw; and no evaluation failed with an internal error (a bug of ours).
 */
function checkProgram(a: FileAnalysis): void {
  const p = a.program;
  for (const [key, v] of Object.entries(p)) if (typeof v === 'function') fail(`Program.${key} is a function, not data`);
  for (const [name, d] of p.declarations) {
    p.env.vars.get(name);
    if (d.kind === 'network') p.env.network?.(name);
  }
  const visit = (e: ast.Expr): void => {
    constantValue(p, e);
    if (e.kind === 'call') e.args.forEach(visit);
    else if (e.kind === 'unary') visit(e.operand);
    else if (e.kind === 'binary') [e.left, e.right].forEach(visit);
    else if (e.kind === 'vector') e.items.forEach(visit);
  };
  for (const s of p.file.statements) if (s.kind === 'let' || s.kind === 'eval') visit(s.value);
  for (const d of a.diagnostics) if (d.code === 'internal') fail(`internal error: ${d.message}`);
}

/** The file's meaning without positions: diagnostics, eval values and probe results. */
export function meaning(a: FileAnalysis): string {
  const diagnostics = a.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`).sort();
  const evals = a.evals.map((e) => JSON.stringify({ v: e.value, e: e.error }, numbers));
  const probes = a.probes.map((p) => JSON.stringify({ r: p.result, e: p.error }, numbers));
  return JSON.stringify({ diagnostics, evals, probes });
}

/** JSON with typed arrays as arrays and non-finite numbers kept apart from null. */
function numbers(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : String(x)));
  return v;
}

/** Formatting is idempotent, its edit is inside the text, and the formatted file means the same. */
function checkFormatting(text: string, a: FileAnalysis): void {
  const formatted = formatText(text);
  const edits = formatEdits(text);
  if (formatted === undefined) {
    if (edits.length) fail('a file that does not parse was given formatting edits');
    return;
  }
  let applied = text;
  for (const e of [...edits].sort((x, y) => y.span.start - x.span.start)) {
    checkSpan(text, e.span, 'formatting edit');
    applied = applied.slice(0, e.span.start) + e.newText + applied.slice(e.span.end);
  }
  if (applied !== formatted) fail('the formatting edits do not produce the formatted text');
  const again = formatText(formatted);
  if (again !== formatted) fail(`formatting is not idempotent:\n${JSON.stringify(formatted)}\n→\n${JSON.stringify(again)}`);
  const before = meaning(a);
  const after = meaning(analyze(formatted));
  if (before !== after) fail(`formatting changed the meaning:\n${before}\n→\n${after}\nformatted: ${JSON.stringify(formatted)}`);
}

/** Renames a few names, to a fresh name and to a taken one: a rename that is made never breaks the parse. */
function checkRenames(text: string, a: FileAnalysis, count: number): void {
  const syntaxBefore = parse(text).errors.map((e) => e.code).sort().join(', ');
  const seen = new Set<string>();
  const occurrences = symbolIndex(a.program).occurrences.filter((o) => {
    if (seen.has(o.symbol.key)) return false;
    seen.add(o.symbol.key);
    return true;
  }).slice(0, count);
  const taken = [...a.program.declarations.keys()][0];
  for (const o of occurrences) {
    for (const newName of ['renamed_1', taken].filter((n): n is string => !!n)) {
      const r = rename(a.program, o.name.start, newName);
      if ('error' in r) continue;
      let out = text;
      for (const e of [...r].sort((x, y) => y.span.start - x.span.start)) {
        checkSpan(text, e.span, `rename edit of ${o.name.text} to ${newName}`);
        out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
      }
      const syntaxAfter = parse(out).errors.map((e) => e.code).sort().join(', ');
      if (syntaxAfter !== syntaxBefore) {
        fail(`renaming ${o.name.text} to ${newName} changed the parse:\n${syntaxBefore}\n→\n${syntaxAfter}\nresult: ${JSON.stringify(out)}`);
      }
    }
  }
}
