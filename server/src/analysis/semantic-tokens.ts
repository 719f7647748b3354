import { LOSS_NAMES } from '../engine/losses';
import { GENERATORS, INIT_SCHEMES, OPTIMIZERS, SCHEDULES, TRAIN_OPTIONS, type Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import { lex } from '../syntax/lexer';
import { LineIndex, type Span } from '../syntax/text';
import { symbolIndex, type Occurrence } from './references';
import { exprSlots } from './syntax-walk';

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

/** Every semantic token of the file, in source order. */
export function semanticTokens(program: Program): SemanticToken[] {
  const out: SemanticToken[] = [];
  const push = (span: Span, type: SemanticTokenType, ...modifiers: SemanticTokenModifier[]) => out.push({ span: { start: span.start, end: span.end }, type, modifiers });
  /**
   * The word `text` between two offsets, if written there (`seed`, `on`, `from` are not in the
   * tree). Both ends are where nodes end and begin, so no token straddles them: the stretch is
   * lexed alone (lexing the whole file for these few words took half of this function's time).
   */
  const word = (text: string, from: number, to: number): Span | undefined => {
    for (const t of lex(program.file.text.slice(from, to)).tokens) {
      if (t.kind === 'ident' && t.text === text) return { start: from + t.start, end: from + t.end };
    }
    return undefined;
  };
  const library = (name: ast.Name) => LIBRARY_WORDS.has(name.text) && push(name, 'enumMember', 'defaultLibrary');

  for (const stmt of program.file.statements) {
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
  }
  for (const o of symbolIndex(program).occurrences) {
    const t = occurrenceToken(o);
    if (t) push(o.name, t.type, ...t.modifiers);
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

function occurrenceToken(o: Occurrence): { type: SemanticTokenType; modifiers: SemanticTokenModifier[] } | undefined {
  const declaration: SemanticTokenModifier[] = o.use === 'declaration' ? ['declaration'] : [];
  switch (o.symbol.kind) {
    case 'builtin': return { type: 'function', modifiers: ['defaultLibrary'] };
    case 'constant': return { type: 'variable', modifiers: ['readonly', 'defaultLibrary'] };
    case 'fn': return { type: 'function', modifiers: declaration };
    case 'network': return { type: 'class', modifiers: declaration };
    case 'data': return { type: 'struct', modifiers: declaration };
    case 'let': return { type: 'variable', modifiers: [...declaration, 'readonly'] };
    case 'param': return { type: 'parameter', modifiers: declaration };
    case 'layer': return { type: 'property', modifiers: declaration };
    case 'unknown': return undefined;
  }
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
