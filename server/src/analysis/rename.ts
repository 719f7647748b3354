import { builtinNames } from '../engine/activations';
import { analyzeText } from '../semantics/checker';
import { TRAIN_OPTIONS, type Program } from '../semantics/program';
import * as ast from '../syntax/ast';
import { lex } from '../syntax/lexer';
import { parse } from '../syntax/parser';
import { LineIndex, type Span } from '../syntax/text';
import { occurrenceAt, occurrencesOf, symbolIndex, type NameSymbol, type Occurrence } from './references';
import { syntaxShape } from './syntax-walk';

/** A replacement of one stretch of the file. */
export interface TextEdit {
  span: Span;
  newText: string;
}

/** Either what to do, or why not, in words the editor shows as they are. */
export type Refusal = { error: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set<string>(ast.STATEMENT_KEYWORDS);
const BUILTINS = new Set(builtinNames());
/** Words that are keywords where the grammar expects them (docs/LANGUAGE.md, *Statements*). */
const CONTEXT_WORDS = new Set<string>([...ast.NETWORK_ITEM_KEYWORDS, 'nobias', 'seed', 'on', 'from', ...TRAIN_OPTIONS]);

const KIND_WORDS: Record<NameSymbol['kind'], string> = {
  network: 'network', data: 'data set', let: 'let', fn: 'fn', layer: 'layer', param: 'parameter', builtin: 'built-in function', constant: 'constant', unknown: 'name',
};

/**
 * Prepare rename: the span of the name under the cursor and its text, or why it cannot be
 * renamed (a built-in, a keyword, a number, a word of the language, a name not declared here).
 */
export function prepareRename(program: Program, offset: number): { span: Span; placeholder: string } | Refusal {
  const o = occurrenceAt(symbolIndex(program), offset);
  if (!o) return { error: notAName(program.file.text, offset) };
  const refusal = cannotRename(o.symbol);
  if (refusal) return refusal;
  return { span: { start: o.name.start, end: o.name.end }, placeholder: o.name.text };
}

/**
 * Rename: the edits that rename every occurrence of the name under the cursor to `newName`, or
 * why not. It refuses a name that is not an identifier, a reserved word, a built-in, a name
 * another declaration (or, for a layer, another layer of its network) already has, and any
 * rename after which some name would mean something else; the renamed file must parse to the
 * same tree and resolve every name as before.
 */
export function rename(program: Program, offset: number, newName: string): TextEdit[] | Refusal {
  const index = symbolIndex(program);
  const o = occurrenceAt(index, offset);
  if (!o) return { error: notAName(program.file.text, offset) };
  const symbol = o.symbol;
  const refusal = cannotRename(symbol) ?? invalidName(newName) ?? (newName === symbol.name ? undefined : clash(program, symbol, newName));
  if (refusal) return refusal;
  if (newName === symbol.name) return [];
  const occurrences = occurrencesOf(index, symbol);
  const edits = occurrences.map((x) => ({ span: { start: x.name.start, end: x.name.end }, newText: newName }));
  return unchangedMeaning(program, occurrences, symbol, newName) ?? edits;
}

function cannotRename(symbol: NameSymbol): Refusal | undefined {
  if (symbol.kind === 'builtin') return { error: `\`${symbol.name}\` is a built-in function; it cannot be renamed.` };
  if (symbol.kind === 'constant') return { error: `\`${symbol.name}\` is a constant of the language; it cannot be renamed.` };
  if (!symbol.declaration) {
    const what = symbol.kind === 'unknown' && symbol.key.startsWith('layer:') ? 'layer of this network' : 'name in this file';
    return { error: `\`${symbol.name}\` is not a declared ${what}, so there is nothing to rename.` };
  }
  return undefined;
}

function invalidName(newName: string): Refusal | undefined {
  if (!IDENTIFIER.test(newName)) {
    return { error: `\`${newName}\` is not a valid name: a name starts with a letter or '_' and goes on with letters, digits and '_'.` };
  }
  if (RESERVED.has(newName)) return { error: `\`${newName}\` is a reserved word; choose another name.` };
  if (BUILTINS.has(newName)) return { error: `\`${newName}\` is a built-in function; choose another name.` };
  return undefined;
}

/** The name is taken: by a declaration, a layer of the same network, or a parameter that would hide it. */
function clash(program: Program, symbol: NameSymbol, newName: string): Refusal | undefined {
  const lines = new LineIndex(program.file.text);
  const lineOf = (n: Span) => lines.position(n.start).line + 1;
  const index = symbolIndex(program);
  if (symbol.kind === 'layer') {
    const other = symbol.network!.items.find((i): i is ast.InputItem | ast.DenseItem => (i.kind === 'input' || i.kind === 'dense') && i.name.text === newName);
    if (other) return { error: `The network \`${symbol.network!.name.text}\` already has a layer \`${newName}\` (line ${lineOf(other.name)}).` };
    return undefined;
  }
  if (symbol.kind === 'param') {
    const fn = symbol.fn!;
    const d = program.declarations.get(newName);
    if (d && d.kind !== 'let') return { error: `\`${newName}\` is already declared (a ${KIND_WORDS[d.kind]}, line ${lineOf(d.name)}); a parameter may not take its name.` };
    const hidden = index.occurrences.find((x) => x.inFn === fn && x.name.text === newName && x.symbol.kind !== 'param');
    if (hidden) return { error: `The body of \`${fn.name.text}\` uses \`${newName}\` (line ${lineOf(hidden.name)}); a parameter of that name would hide it.` };
    return undefined;
  }
  for (const stmt of program.file.statements) {
    if ((stmt.kind === 'network' || stmt.kind === 'data' || stmt.kind === 'let' || stmt.kind === 'fn') && stmt.name.text === newName) {
      return { error: `\`${newName}\` is already declared (a ${KIND_WORDS[stmt.kind]}, line ${lineOf(stmt.name)}).` };
    }
  }
  for (const stmt of program.file.statements) {
    if (stmt.kind !== 'fn' || stmt.param.text !== newName) continue;
    // A parameter may share a let's name, but not where the body uses that let.
    if (symbol.kind !== 'let') return { error: `\`${newName}\` is the parameter of \`${stmt.name.text}\` (line ${lineOf(stmt.param)}); a ${KIND_WORDS[symbol.kind]} may not take its name.` };
    const used = occurrencesOf(index, symbol).find((x) => x.inFn === stmt);
    if (used) return { error: `\`${stmt.name.text}\` uses \`${symbol.name}\` (line ${lineOf(used.name)}), and its parameter \`${newName}\` would hide it.` };
  }
  return undefined;
}

/**
 * The safety net behind the specific checks: the renamed file must parse to the same tree (the
 * renamed names aside), give the same kinds of diagnostics, and its renamed symbol must be
 * written exactly where the old one was, no more and no fewer.
 */
function unchangedMeaning(program: Program, occurrences: Occurrence[], symbol: NameSymbol, newName: string): Refusal | undefined {
  const text = program.file.text;
  const renamed = new Set(occurrences.map((o) => o.name));
  let out = '';
  let at = 0;
  const starts: number[] = [];
  for (const o of occurrences) {
    out += text.slice(at, o.name.start);
    starts.push(out.length);
    out += newName;
    at = o.name.end;
  }
  out += text.slice(at);
  const changed: Refusal = { error: `Renaming \`${symbol.name}\` to \`${newName}\` would change what the file means.` };

  const after = parse(out);
  if (after.errors.length !== parse(text).errors.length || syntaxShape(after.file) !== syntaxShape(program.file, renamed, newName)) {
    return { error: `Renaming \`${symbol.name}\` to \`${newName}\` would change how the file parses.` };
  }
  const { program: next } = analyzeText(out);
  const nextIndex = symbolIndex(next);
  const first = occurrenceAt(nextIndex, starts[0]);
  if (!first) return changed;
  const group = occurrencesOf(nextIndex, first.symbol).map((x) => x.name.start);
  if (group.join() !== starts.join()) {
    const written = new Set(starts);
    const extra = group.find((s) => !written.has(s));
    if (extra !== undefined) {
      const line = new LineIndex(out).position(extra).line + 1;
      return { error: `\`${newName}\` is already used on line ${line}; renaming \`${symbol.name}\` to it would join the two.` };
    }
    return changed;
  }
  const codes = (p: Program) => p.diagnostics.map((d) => `${d.severity}:${d.code}`).sort().join(',');
  if (codes(next) !== codes(program)) {
    const old = new Set(program.diagnostics.map((d) => `${d.severity}:${d.code}`));
    const fresh = next.diagnostics.find((d) => !old.has(`${d.severity}:${d.code}`));
    return fresh ? { error: `Renaming \`${symbol.name}\` to \`${newName}\` would cause a problem: ${fresh.message}` } : changed;
  }
  return undefined;
}

/** Why the cursor is not on something renameable, from the token under it. */
function notAName(text: string, offset: number): string {
  const tok = lex(text).tokens.find((t) => t.kind !== 'eof' && offset >= t.start && offset <= t.end);
  if (!tok) return 'There is no name here to rename.';
  if (tok.kind === 'number') return 'A number cannot be renamed.';
  if (tok.kind === 'string') return 'A string cannot be renamed.';
  if (tok.kind !== 'ident') return 'There is no name here to rename.';
  if (RESERVED.has(tok.text) || CONTEXT_WORDS.has(tok.text)) return `\`${tok.text}\` is a keyword; it cannot be renamed.`;
  return `\`${tok.text}\` is a word of the language (a loss, an initialisation, an optimizer or a generator); only names declared in this file can be renamed.`;
}
