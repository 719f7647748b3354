import { builtinNames } from '../engine/activations';
import type { Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import { exprSlots, forEachNode } from './syntax-walk';
import { isConstantName } from '../engine/constants';

/**
 * Names and what they stand for: the resolver behind go to definition, find references, rename
 * and semantic tokens. It reads the syntax tree with the same rules as the checker
 * (semantics/program.ts): top-level names resolve through `Program.declarations`, a fn's
 * parameter hides a `let` of the same name inside that fn's body, and a layer name means the
 * layer of the same network.
 */

export type SymbolKind = 'network' | 'data' | 'let' | 'fn' | 'layer' | 'param' | 'builtin' | 'constant' | 'unknown';

/** One thing a name can stand for. */
export interface NameSymbol {
  /** Identity: `top:NAME`, `layer:NETWORK_START:NAME`, `param:FN_START`, `builtin:NAME`. */
  key: string;
  kind: SymbolKind;
  name: string;
  /** The name where it is declared (the first declaration), when this file declares it. */
  declaration?: ast.Name;
  /** For a layer: its network. */
  network?: ast.NetworkStmt;
  /** For a parameter: its fn. */
  fn?: ast.FnStmt;
}

/** How a name is used where it stands; semantic tokens colour by it. */
export type UseKind = 'declaration' | 'value' | 'call' | 'activation' | 'network-ref' | 'data-ref' | 'layer-ref';

/** One place a name is written. */
export interface Occurrence {
  /** The name node; its span is the name only (for `f''(x)`, just `f`). */
  name: ast.Name;
  symbol: NameSymbol;
  use: UseKind;
  /** Primes after a callee: the cursor on them still means the function. */
  primes: number;
  /** The fn whose body this occurrence is in, if any. */
  inFn?: ast.FnStmt;
}

export interface SymbolIndex {
  /** Every occurrence of every name, in source order. */
  occurrences: Occurrence[];
  symbols: Map<string, NameSymbol>;
}

const BUILTINS = new Set(builtinNames());
const cache = new WeakMap<Program, SymbolIndex>();

/** Every name of the file with the symbol it stands for; computed once per program. */
export function symbolIndex(program: Program): SymbolIndex {
  let index = cache.get(program);
  if (!index) {
    index = buildIndex(program);
    cache.set(program, index);
  }
  return index;
}

function buildIndex(program: Program): SymbolIndex {
  const symbols = new Map<string, NameSymbol>();
  const occurrences: Occurrence[] = [];
  const symbol = (key: string, make: () => Omit<NameSymbol, 'key'>): NameSymbol => {
    let s = symbols.get(key);
    if (!s) {
      s = { key, ...make() };
      symbols.set(key, s);
    }
    return s;
  };
  const add = (name: ast.Name, s: NameSymbol, use: UseKind, extra: Partial<Occurrence> = {}) => occurrences.push({ name, symbol: s, use, primes: 0, ...extra });

  // Declarations first, so that a use above its declaration finds it.
  for (const stmt of program.file.statements) {
    if (stmt.kind === 'network' || stmt.kind === 'data' || stmt.kind === 'let' || stmt.kind === 'fn') {
      const kind = program.declarations.get(stmt.name.text)?.kind ?? stmt.kind;
      add(stmt.name, symbol(`top:${stmt.name.text}`, () => ({ kind, name: stmt.name.text, declaration: stmt.name })), 'declaration');
    }
    if (stmt.kind === 'network') {
      for (const item of stmt.items) {
        if (item.kind === 'input' || item.kind === 'dense') add(item.name, layer(stmt, item.name, true), 'declaration');
      }
    }
    if (stmt.kind === 'fn') add(stmt.param, param(stmt), 'declaration', { inFn: stmt });
  }

  function layer(network: ast.NetworkStmt, name: ast.Name, declares: boolean): NameSymbol {
    return symbol(`layer:${network.start}:${name.text}`, () => ({ kind: declares ? 'layer' : 'unknown', name: name.text, network, ...(declares ? { declaration: name } : {}) }));
  }
  function param(fn: ast.FnStmt): NameSymbol {
    return symbol(`param:${fn.start}`, () => ({ kind: 'param', name: fn.param.text, declaration: fn.param, fn }));
  }
  /** A top-level name as the checker resolves it: a declaration first, then a built-in or a constant (`pi`, `e`). */
  function top(name: ast.Name): NameSymbol {
    const d = program.declarations.get(name.text);
    if (d) return symbol(`top:${name.text}`, () => ({ kind: d.kind, name: name.text, declaration: d.name }));
    if (BUILTINS.has(name.text)) return symbol(`builtin:${name.text}`, () => ({ kind: 'builtin', name: name.text }));
    if (isConstantName(name.text)) return symbol(`top:${name.text}`, () => ({ kind: 'constant', name: name.text }));
    return symbol(`top:${name.text}`, () => ({ kind: 'unknown', name: name.text }));
  }

  for (const stmt of program.file.statements) {
    switch (stmt.kind) {
      case 'network':
        for (const item of stmt.items) {
          if (item.kind === 'dense') add(item.activation.name, top(item.activation.name), 'activation');
          if (item.kind === 'weights' || item.kind === 'bias') add(item.layer, layer(stmt, item.layer, false), 'layer-ref');
        }
        break;
      case 'train':
        add(stmt.network, top(stmt.network), 'network-ref');
        add(stmt.data, top(stmt.data), 'data-ref');
        break;
      case 'probe':
        add(stmt.network, top(stmt.network), 'network-ref');
        break;
    }
    for (const slot of exprSlots(stmt)) {
      // `optimizer sgd`, `optimizer adam(0.9, 0.999)`, `schedule cosine(50)`: the head word is an optimizer's or a schedule's name.
      const head = slot.optimizer ? slot.expr : undefined;
      const inFn = slot.fn;
      const resolve = (name: ast.Name) => (inFn && name.text === inFn.param.text ? param(inFn) : top(name));
      forEachNode(slot.expr, (e) => {
        if (e === head && (e.kind === 'name' || (e.kind === 'call' && e.primes === 0))) return;
        if (e.kind === 'name' && slot.inputs?.includes(e.name.text)) return; // function(…)'s input, not a let
        if (e.kind === 'name') add(e.name, resolve(e.name), 'value', { inFn });
        else if (e.kind === 'call') add(e.callee, resolve(e.callee), 'call', { inFn, primes: e.primes });
      });
    }
  }
  occurrences.sort((a, b) => a.name.start - b.name.start);
  return { occurrences, symbols };
}

/** The occurrence under the cursor (a cursor just after a name, or on a callee's primes, counts). */
export function occurrenceAt(index: SymbolIndex, offset: number): Occurrence | undefined {
  return index.occurrences.find((o) => offset >= o.name.start && offset <= o.name.end + o.primes);
}

/** Every occurrence of one symbol, in source order. */
export function occurrencesOf(index: SymbolIndex, symbol: NameSymbol): Occurrence[] {
  return index.occurrences.filter((o) => o.symbol === symbol);
}

/** Go to definition: the declared name of what is under the cursor (none for built-ins and unknown names). */
export function definitionAt(program: Program, offset: number): Span | undefined {
  const o = occurrenceAt(symbolIndex(program), offset);
  const d = o?.symbol.declaration;
  return d ? { start: d.start, end: d.end } : undefined;
}

/**
 * Find references: every place the name under the cursor is written, as name-only spans in
 * source order, with or without its declarations. A built-in's references are its uses.
 */
export function referencesAt(program: Program, offset: number, includeDeclaration: boolean): Span[] {
  const index = symbolIndex(program);
  const o = occurrenceAt(index, offset);
  if (!o) return [];
  return occurrencesOf(index, o.symbol)
    .filter((x) => includeDeclaration || x.use !== 'declaration')
    .map((x) => ({ start: x.name.start, end: x.name.end }));
}
