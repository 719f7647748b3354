import { builtinNames } from '../engine/activations';
import { isConstantName } from '../engine/constants';
import { LOSS_NAMES } from '../engine/losses';
import { GENERATORS, INIT_SCHEMES, OPTIMIZERS, SCHEDULES, TRAIN_OPTIONS, type Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import { lex } from '../syntax/lexer';
import type { LineIndex, Span } from '../syntax/text';
import type { SymbolKind, UseKind } from './references';
import { exprSlots, forEachNode } from './syntax-walk';

/**
 * Semantic tokens: what the TextMate grammar cannot know, because it takes resolving names.
 *
 * Legend (indices are the protocol's; the editor maps the names to colours):
 * | type | for |
 * | --- | --- |
 * | `keyword` | statement words (`network` … `fn`) and the words of layers and settings (`input`, `features`, `dense`, `loss`, `init`, `weights`, `bias`, `nobias`, `seed`, `on`, `from`, the training options) |
 * | `function` | built-in functions and activations (with `defaultLibrary`) and user `fn`s (with `declaration` where defined) |
 * | `property` | layers |
 * | `class` | networks (also when called, `xor([1, 0])`) |
 * | `struct` | data sets |
 * | `variable` | `let`s, always `readonly`; the constants `pi` and `e` (with `defaultLibrary`) |
 * | `parameter` | a `fn`'s parameter |
 * | `enumMember` | losses, initialisations, optimizers, schedules and generators (with `defaultLibrary`) |
 *
 * Modifiers: `declaration` (where a name is declared), `readonly`, `defaultLibrary`.
 * Numbers, strings, operators and comments are left to the grammar; unknown names get no token.
 *
 * Names resolve as the symbol index resolves them (references.ts), but statement by statement:
 * a statement's tokens depend only on its own text and on what the top-level names it writes
 * stand for, so they are kept with the statement (`byStatement`, relative to its start) and made
 * again only when one of those names has come to stand for something else. After a keystroke in
 * a large file only the edited statement's are made, where the whole index took 25–40 ms.
 */
export const SEMANTIC_TOKEN_TYPES = ['keyword', 'function', 'property', 'class', 'struct', 'variable', 'parameter', 'enumMember'] as const;
export const SEMANTIC_TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
export type SemanticTokenModifier = (typeof SEMANTIC_TOKEN_MODIFIERS)[number];

/** One classified stretch of a line. */
export interface SemanticToken {
  span: Span;
  type: SemanticTokenType;
  modifiers: SemanticTokenModifier[];
}

const OPTION_WORDS = new Set<string>(TRAIN_OPTIONS);
const LIBRARY_WORDS = new Set<string>([...LOSS_NAMES, ...INIT_SCHEMES, ...OPTIMIZERS, ...SCHEDULES, ...GENERATORS]);
const BUILTINS = new Set(builtinNames());

const TYPE = Object.fromEntries(SEMANTIC_TOKEN_TYPES.map((t, i) => [t, i])) as Record<SemanticTokenType, number>;
const DECLARATION = 1;
const READONLY = 2;
const DEFAULT_LIBRARY = 4;

/**
 * What a top-level name written as a use stands for, as the symbol index resolves it
 * (references.ts `top`): a declaration's kind, else a built-in, else a constant, else nothing known.
 */
function useKind(program: Program, name: string): SymbolKind {
  const d = program.declarations.get(name);
  if (d) return d.kind;
  if (BUILTINS.has(name)) return 'builtin';
  return isConstantName(name) ? 'constant' : 'unknown';
}

/**
 * What the name a statement declares stands for: the first declaration's kind (a duplicate is
 * named as the first); where the checker refused every declaration of the name (only a fn named
 * like a built-in is refused), the statement's own kind, as the index has it.
 */
function declaredKind(program: Program, stmt: ast.Statement, name: string): SymbolKind {
  return program.declarations.get(name)?.kind ?? (stmt.kind as SymbolKind);
}

/**
 * One statement's tokens, four integers each (offset from the statement's start, length, type
 * index, modifier bits), in source order; and the top-level names they resolved, each with
 * whether it was resolved as a declaration and what it stood for then.
 */
interface StatementTokens {
  data: Int32Array;
  names: string[];
  declared: boolean[];
  kinds: SymbolKind[];
}

const byStatement = new WeakMap<ast.Statement, StatementTokens>();

/** A statement's tokens: those kept with it while every name they resolved stands for what it did, else made again. */
function statementTokens(program: Program, stmt: ast.Statement): StatementTokens {
  const kept = byStatement.get(stmt);
  if (kept && kept.names.every((n, i) => (kept.declared[i] ? declaredKind(program, stmt, n) : useKind(program, n)) === kept.kinds[i])) return kept;
  const made = makeStatementTokens(program, stmt);
  byStatement.set(stmt, made);
  return made;
}

function makeStatementTokens(program: Program, stmt: ast.Statement): StatementTokens {
  const text = program.file.text;
  const deps: Pick<StatementTokens, 'names' | 'declared' | 'kinds'> = { names: [], declared: [], kinds: [] };
  const resolved = (name: string, declaration: boolean): SymbolKind => {
    const kind = declaration ? declaredKind(program, stmt, name) : useKind(program, name);
    deps.names.push(name);
    deps.declared.push(declaration);
    deps.kinds.push(kind);
    return kind;
  };
  type Token = { start: number; end: number; type: number; bits: number };
  const tokens: Token[] = [];
  const push = (span: Span, type: SemanticTokenType, bits = 0) => tokens.push({ start: span.start, end: span.end, type: TYPE[type], bits });
  /**
   * The word `word` between two offsets, if written there (`seed`, `on`, `from` are not in the
   * tree). Both ends are where nodes end and begin, so no token straddles them: the stretch is
   * lexed alone (lexing the whole file for these few words took half of the tokens' time).
   */
  const word = (word: string, from: number, to: number): Span | undefined => {
    for (const t of lex(text.slice(from, to)).tokens) {
      if (t.kind === 'ident' && t.text === word) return { start: from + t.start, end: from + t.end };
    }
    return undefined;
  };
  const library = (name: ast.Name) => LIBRARY_WORDS.has(name.text) && push(name, 'enumMember', DEFAULT_LIBRARY);

  push({ start: stmt.start, end: stmt.start + stmt.kind.length }, 'keyword');
  switch (stmt.kind) {
    case 'network':
      for (const item of stmt.items) {
        push({ start: item.start, end: item.start + item.kind.length }, 'keyword');
        if (item.kind === 'dense' && item.nobias) push(item.nobias, 'keyword');
        if (item.kind === 'input' && item.features) push(item.features.keyword, 'keyword');
        if (item.kind === 'loss') library(item.loss);
        if (item.kind === 'init') {
          library(item.scheme);
          const seed = item.seed && word('seed', item.scheme.end, item.seed.start);
          if (seed) push(seed, 'keyword');
        }
      }
      break;
    case 'data': {
      const src = stmt.source;
      if (src.kind === 'generator') library(src.generator);
      if (src.kind === 'function') push(src.keyword, 'keyword');
      if (stmt.standardize) push(stmt.standardize, 'keyword');
      if (src.kind === 'file') {
        const from = word('from', stmt.name.end, src.path.start);
        if (from) push(from, 'keyword');
      }
      break;
    }
    case 'train': {
      const on = word('on', stmt.network.end, stmt.data.start);
      if (on) push(on, 'keyword');
      for (const o of stmt.options) if (OPTION_WORDS.has(o.name.text)) push(o.name, 'keyword');
      break;
    }
  }
  for (const slot of exprSlots(stmt)) {
    const e = slot.expr;
    if (!slot.optimizer) continue;
    const head = e.kind === 'name' ? e.name : e.kind === 'call' && e.primes === 0 ? e.callee : undefined;
    if (head) library(head);
  }

  // The names, as the symbol index lists them: the statement's declarations first, then its uses.
  const occurrences: { name: ast.Name; kind: SymbolKind; use: UseKind }[] = [];
  const add = (name: ast.Name, kind: SymbolKind, use: UseKind) => occurrences.push({ name, kind, use });
  const layers = new Set<string>();
  if (stmt.kind === 'network' || stmt.kind === 'data' || stmt.kind === 'let' || stmt.kind === 'fn') add(stmt.name, resolved(stmt.name.text, true), 'declaration');
  if (stmt.kind === 'network') {
    for (const item of stmt.items) {
      if (item.kind === 'input' || item.kind === 'dense') {
        layers.add(item.name.text);
        add(item.name, 'layer', 'declaration');
      }
    }
  }
  if (stmt.kind === 'fn') add(stmt.param, 'param', 'declaration');
  switch (stmt.kind) {
    case 'network':
      for (const item of stmt.items) {
        if (item.kind === 'dense') add(item.activation.name, resolved(item.activation.name.text, false), 'activation');
        // A layer of this network; a name no layer of it declares stands for nothing known.
        if (item.kind === 'weights' || item.kind === 'bias') add(item.layer, layers.has(item.layer.text) ? 'layer' : 'unknown', 'layer-ref');
      }
      break;
    case 'train':
      add(stmt.network, resolved(stmt.network.text, false), 'network-ref');
      add(stmt.data, resolved(stmt.data.text, false), 'data-ref');
      break;
    case 'probe':
      add(stmt.network, resolved(stmt.network.text, false), 'network-ref');
      break;
  }
  for (const slot of exprSlots(stmt)) {
    // `optimizer sgd`, `optimizer adam(0.9, 0.999)`, `schedule cosine(50)`: the head word is an optimizer's or a schedule's name.
    const head = slot.optimizer ? slot.expr : undefined;
    const inFn = slot.fn;
    const resolve = (name: ast.Name): SymbolKind => (inFn && name.text === inFn.param.text ? 'param' : resolved(name.text, false));
    forEachNode(slot.expr, (e) => {
      if (e === head && (e.kind === 'name' || (e.kind === 'call' && e.primes === 0))) return;
      if (e.kind === 'name' && slot.inputs?.includes(e.name.text)) return; // function(…)'s input, not a let
      if (e.kind === 'name') add(e.name, resolve(e.name), 'value');
      else if (e.kind === 'call') add(e.callee, resolve(e.callee), 'call');
    });
  }
  occurrences.sort((a, b) => a.name.start - b.name.start);
  for (const o of occurrences) {
    const t = occurrenceToken(o.kind, o.use);
    if (t) tokens.push({ start: o.name.start, end: o.name.end, type: t.type, bits: t.bits });
  }
  // Stable: where a word and a name begin together, the word first, as before.
  tokens.sort((a, b) => a.start - b.start);
  const data = new Int32Array(4 * tokens.length);
  tokens.forEach((t, i) => data.set([t.start - stmt.start, t.end - t.start, t.type, t.bits], 4 * i));
  return { data, ...deps };
}

/** A name's token by what it stands for and how it is used there (none for a name that stands for nothing known). */
function occurrenceToken(kind: SymbolKind, use: UseKind): { type: number; bits: number } | undefined {
  const declaration = use === 'declaration' ? DECLARATION : 0;
  switch (kind) {
    case 'builtin': return { type: TYPE.function, bits: DEFAULT_LIBRARY };
    case 'constant': return { type: TYPE.variable, bits: READONLY | DEFAULT_LIBRARY };
    case 'fn': return { type: TYPE.function, bits: declaration };
    case 'network': return { type: TYPE.class, bits: declaration };
    case 'data': return { type: TYPE.struct, bits: declaration };
    case 'let': return { type: TYPE.variable, bits: declaration | READONLY };
    case 'param': return { type: TYPE.parameter, bits: declaration };
    case 'layer': return { type: TYPE.property, bits: declaration };
    case 'unknown': return undefined;
  }
}

/** Each statement's tokens, kept or made (`statementTokens`). */
function tokensByStatement(program: Program): StatementTokens[] {
  return program.file.statements.map((stmt) => statementTokens(program, stmt));
}

/** Every semantic token of the file, in source order. */
export function semanticTokens(program: Program): SemanticToken[] {
  const out: SemanticToken[] = [];
  const statements = program.file.statements;
  tokensByStatement(program).forEach(({ data }, s) => {
    const at = statements[s].start;
    for (let i = 0; i < data.length; i += 4) {
      const modifiers = SEMANTIC_TOKEN_MODIFIERS.filter((_, m) => data[i + 3] & (1 << m));
      out.push({ span: { start: at + data[i], end: at + data[i] + data[i + 1] }, type: SEMANTIC_TOKEN_TYPES[data[i + 2]], modifiers });
    }
  });
  return out;
}

/**
 * The protocol's encoding of the file's tokens (`encodeSemanticTokens` of `semanticTokens`),
 * straight from each statement's kept integers: five per token, the lines found by walking
 * forward through them, as the tokens come in order.
 */
export function encodedSemanticTokens(program: Program, lines: LineIndex): Int32Array {
  const byStmt = tokensByStatement(program);
  const statements = program.file.statements;
  const out = new Int32Array((5 / 4) * byStmt.reduce((n, t) => n + t.data.length, 0));
  let o = 0;
  let line = 0;
  let char = 0;
  let cursor = 0;
  for (let s = 0; s < byStmt.length; s++) {
    const data = byStmt[s].data;
    const at = statements[s].start;
    for (let i = 0; i < data.length; i += 4) {
      const start = at + data[i];
      cursor = lines.lineFrom(start, cursor);
      const character = start - lines.lineStart(cursor);
      out[o++] = cursor - line;
      out[o++] = cursor === line ? character - char : character;
      out[o++] = data[i + 1];
      out[o++] = data[i + 2];
      out[o++] = data[i + 3];
      line = cursor;
      char = character;
    }
  }
  return out;
}

/**
 * The protocol's encoding: five integers per token (line delta, start delta, length, type index,
 * modifier bits), relative to the token before. Tokens never span lines here (they are words).
 */
export function encodeSemanticTokens(tokens: readonly SemanticToken[], lines: LineIndex): number[] {
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const t of tokens) {
    const p = lines.position(t.span.start);
    const bits = t.modifiers.reduce((b, m) => b | (1 << SEMANTIC_TOKEN_MODIFIERS.indexOf(m)), 0);
    data.push(p.line - line, p.line === line ? p.character - char : p.character, t.span.end - t.span.start, SEMANTIC_TOKEN_TYPES.indexOf(t.type), bits);
    line = p.line;
    char = p.character;
  }
  return data;
}
