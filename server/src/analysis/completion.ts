import { activationNames, ALIAS_NAMES, isVectorName, scalarFunction, SCALAR_FUNCTIONS, VECTOR_FUNCTIONS, type ScalarFunction } from '../engine/activations';
import { CONSTANT_NAMES, CONSTANTS } from '../engine/constants';
import { LOSS_FORMULAS, LOSS_NAMES } from '../engine/losses';
import { GENERATORS, INIT_SCHEMES, OPTIMIZERS, PRECISIONS, SCHEDULES, TRAIN_OPTIONS, type Program } from '../semantics/program';
import { NETWORK_ITEM_KEYWORDS, STATEMENT_KEYWORDS } from '../syntax/ast';
import { lex, type Token } from '../syntax/lexer';
import { PRECISION_DOCS, SCHEDULE_DOCS, TRAIN_OPTION_DOCS } from './train-docs';
import { VECTOR_DOCS, type VectorDoc } from './vector-docs';

export type CompletionKind = 'keyword' | 'activation' | 'function' | 'loss' | 'init' | 'value' | 'network' | 'data' | 'option' | 'layer';

export interface Completion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
}

const STATEMENT_DOCS: Record<string, string> = {
  network: 'network NAME { input … dense … loss … init … }',
  data: 'data NAME { [inputs] -> [targets] … }',
  train: 'train NETWORK on DATA { optimizer … learning_rate … epochs … }',
  probe: 'probe NETWORK [inputs] -> [targets]: dE/dw for every weight',
  let: 'let NAME = EXPR',
  eval: 'eval EXPR: show its value',
  fn: 'fn NAME(z) = EXPR: a user-defined activation',
};

/** What completion says of a scalar built-in: its formula, and its derivative from the forward value. */
function scalarDocs(f: ScalarFunction): { detail: string; documentation: string } {
  return { detail: f.formula, documentation: `\`${f.formula}\`\n\n\`${f.derivativeFormula}\`` };
}

function activationItems(program: Program): Completion[] {
  const builtin = activationNames().map((name): Completion => {
    const f = scalarFunction(name);
    if (f) return { label: name, kind: 'activation', ...scalarDocs(f) };
    const doc: VectorDoc | undefined = isVectorName(name) ? VECTOR_DOCS[name] : undefined;
    return { label: name, kind: 'activation', ...doc?.completion };
  });
  return [...builtin, ...userFns(program)];
}

function userFns(program: Program): Completion[] {
  return [...program.fns.values()].map((f) => ({
    label: f.stmt.name.text,
    kind: 'function' as const,
    detail: `fn ${f.stmt.name.text}(${f.stmt.param.text}) = ${program.file.text.slice(f.stmt.body.start, f.stmt.body.end)}`,
  }));
}

function declared(program: Program, kind: 'network' | 'data' | 'let'): Completion[] {
  return [...program.declarations.values()].filter((d) => d.kind === kind).map((d) => ({
    label: d.name.text,
    kind: kind === 'let' ? 'value' : kind,
    detail: kind,
  }));
}

/**
 * What may be typed at `offset`, from the tokens just before it: statement keywords at the start
 * of a statement, layer settings inside a network, activations after `dense NAME[N]`, losses
 * after `loss`, and values and functions inside expressions. Nothing once the word before the
 * cursor is already one of them: an editor's Enter would otherwise "accept" the finished word and
 * swallow the line break (`tanh` + Enter + `dense` became `tanhdense`), and a longer name that
 * starts with it (`tanh` → `tanhshrink`) is no better a guess than the word the user wrote.
 */
export function completionsAt(program: Program, offset: number): Completion[] {
  const before = lex(program.file.text.slice(0, offset)).tokens.filter((t) => t.kind !== 'eof');
  // A word being typed is replaced by the completion: look at what comes before it.
  const last = before[before.length - 1];
  const typing = !!last && last.end === offset && last.kind === 'ident';
  const items = candidatesAt(program, offset, before, typing);
  return typing && items.some((c) => c.label === last.text) ? [] : items;
}

function candidatesAt(program: Program, offset: number, before: Token[], typing: boolean): Completion[] {
  const last = before[before.length - 1];
  const prior = typing ? before.slice(0, -1) : before;
  const p = (i: number): Token | undefined => prior[prior.length - i];
  const is = (t: Token | undefined, text: string) => t?.text === text;

  const block = enclosingBlock(prior);
  const lineStart = !p(1) || (typing ? last.lineStart : offset > 0 && /[\r\n]\s*$/.test(program.file.text.slice(p(1)!.end, offset)));

  // What follows a word on its own line.
  if (!lineStart) {
    // A name being declared is new: nothing to offer (an offered `n` and Enter made `{n`). Nor
    // after a block's `{`, where a line break comes next.
    if (['network', 'data', 'let', 'fn'].some((k) => is(p(1), k)) || is(p(1), '{')) return [];
    if (is(p(1), ']') && block === 'network' && prior.length >= 5 && is(p(5), 'dense')) return activationItems(program);
    if (is(p(1), 'loss') && block === 'network') return LOSS_NAMES.map((l) => ({ label: l, kind: 'loss', detail: LOSS_FORMULAS[l] }));
    if (is(p(1), 'init') && block === 'network') return INIT_SCHEMES.map((s) => ({ label: s, kind: 'init' }));
    if (is(p(1), 'optimizer') && block === 'train') return OPTIMIZERS.map((o) => ({ label: o, kind: 'function' }));
    if (is(p(1), 'schedule') && block === 'train') return SCHEDULES.map((s) => ({ label: s, kind: 'function', ...SCHEDULE_DOCS[s] }));
    if (is(p(1), 'precision') && block === 'train') return PRECISIONS.map((s) => ({ label: s, kind: 'value', ...PRECISION_DOCS[s] }));
    if (is(p(1), 'on') && is(p(3), 'train')) return declared(program, 'data');
    if (is(p(1), 'train') || is(p(1), 'probe')) return declared(program, 'network');
    if (is(p(1), '=') && is(p(3), 'data')) {
      const generators: Completion[] = GENERATORS.map((g) => ({ label: g, kind: 'function', detail: `${g}(n: 200, noise: 0.1, seed: 1)` }));
      return [...generators, { label: 'function', kind: 'function', detail: 'function(EXPR of x, n: 100, from: -1, to: 1, noise: 0, seed: 0)' }];
    }
    if ((is(p(1), 'weights') || is(p(1), 'bias')) && block === 'network') {
      return layerNamesBefore(prior).map((l) => ({ label: l, kind: 'layer' }));
    }
  }
  if (lineStart) {
    if (block === 'network') return NETWORK_ITEM_KEYWORDS.map((k) => ({ label: k, kind: 'keyword' }));
    if (block === 'train') return TRAIN_OPTIONS.map((o) => ({ label: o, kind: 'option', ...TRAIN_OPTION_DOCS[o] }));
    if (block === undefined) {
      const statements = STATEMENT_KEYWORDS.map((k): Completion => ({ label: k, kind: 'keyword', detail: STATEMENT_DOCS[k] }));
      // A statement may continue on the next line: after an operator, offer values instead.
      if (!p(1) || !['+', '-', '*', '/', '^', '(', '[', ',', '='].includes(p(1)!.text)) return statements;
    }
  }
  // Inside an expression.
  return [
    ...declared(program, 'let'),
    // A constant a declaration of the same name hides is not offered: the name means the declaration.
    ...CONSTANT_NAMES.filter((c) => !program.declarations.has(c)).map((c): Completion => ({ label: c, kind: 'value', detail: CONSTANTS[c].doc })),
    ...SCALAR_FUNCTIONS.map((f): Completion => ({ label: f.name, kind: f.activation ? 'activation' : 'function', ...scalarDocs(f) })),
    ...ALIAS_NAMES.map((a): Completion => ({ label: a, kind: 'activation' })),
    ...VECTOR_FUNCTIONS.map((f): Completion => ({ label: f, kind: 'function' })),
    ...userFns(program),
    ...declared(program, 'network'),
  ];
}

/** Which block the cursor is in, by matching braces over the tokens before it. */
function enclosingBlock(tokens: Token[]): 'network' | 'data' | 'train' | undefined {
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i];
    if (t.text === '}') depth++;
    else if (t.text === '{') {
      if (depth === 0) {
        for (let j = i - 1; j >= 0; j--) {
          const w = tokens[j].text;
          if (w === 'network' || w === 'data' || w === 'train') return w;
          if ((STATEMENT_KEYWORDS as readonly string[]).includes(w)) return undefined;
        }
        return undefined;
      }
      depth--;
    } else if (depth === 0 && t.kind === 'ident' && (STATEMENT_KEYWORDS as readonly string[]).includes(t.text) && t.lineStart) {
      return undefined;
    }
  }
  return undefined;
}

function layerNamesBefore(tokens: Token[]): string[] {
  const names: string[] = [];
  for (let i = tokens.length - 1; i >= 1; i--) {
    if (tokens[i].text === '{') break;
    if (tokens[i - 1].text === 'dense' && tokens[i].kind === 'ident') names.unshift(tokens[i].text);
  }
  return names;
}
