/**
 * Text for the fuzz tests, three ways: character soup (any UTF-16, with the characters that
 * trouble positions: line breaks of every kind, tabs, NUL, astral characters, lone surrogates),
 * near-valid NetSpec from the grammar, and mutations (delete, insert, duplicate, swap tokens and
 * lines; change line breaks) of the examples and the golden cases.
 */
import fc from 'fast-check';
import { activationNames, BUILTIN_NAMES, SCALAR_FUNCTIONS } from '../../server/src/engine/activations';
import { specCorpus } from '../support/sources';

/** Cases per property in the test suite; their sum is the suite's total. */
export const SUITE_RUNS = { soup: 2000, nearValid: 300, nearValidMutated: 300, mutated: 150 } as const;

/**
 * How many cases a property runs: its suite share (a key of SUITE_RUNS, or a number of cases), or,
 * for the long run, NETSPEC_FUZZ_RUNS cases in all, divided among the properties in proportion.
 */
export function runs(property: keyof typeof SUITE_RUNS | number): number {
  const share = typeof property === 'number' ? property : SUITE_RUNS[property];
  const total = Number(process.env.NETSPEC_FUZZ_RUNS);
  if (!(Number.isInteger(total) && total > 0)) return share;
  const suite = Object.values(SUITE_RUNS).reduce((a, b) => a + b, 0);
  return Math.max(1, Math.round((total * share) / suite));
}

/**
 * fast-check parameters. The seed comes from NETSPEC_FUZZ_SEED when set (`npm run fuzz` sets and
 * prints one); on failure fast-check reports the seed and the path that replay the case.
 */
export function params(property: keyof typeof SUITE_RUNS | number): fc.Parameters<unknown> {
  const seed = Number(process.env.NETSPEC_FUZZ_SEED);
  return { numRuns: runs(property), ...(Number.isInteger(seed) ? { seed } : {}), endOnFailure: false, includeErrorInReport: true };
}

/** Characters that matter to a lexer and to positions, plus anything at all. */
const SPECIAL = ['\n', '\r\n', '\r', '\t', ' ', '\0', '\u000b', '\u000c', '\u00a0', '\ufeff', '\u2028', '\u{1F600}', '\u{10FFFF}', '\ud800', '\udc00', '\ud83d', 'é', 'e\u0301', '\u200b', '"', '\\', '#', "'", '->', '.', 'e'];
const PUNCT = ['{', '}', '[', ']', '(', ')', ',', '=', '+', '-', '*', '/', '^', "'", ':', '->'];

export const anyChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL, ...PUNCT) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** Arbitrary text: a soup of characters and NetSpec words. */
export const charSoup: fc.Arbitrary<string> = fc.array(
  fc.oneof({ weight: 4, arbitrary: anyChar }, { weight: 1, arbitrary: fc.constantFrom('network', 'dense', 'input', 'let', 'eval', 'fn', 'probe', 'data', 'train', 'on', 'from', 'sigmoid', 'x', '1e999', '0.5') }),
  { maxLength: 120 },
).map((parts) => parts.join(''));

// ---- near-valid NetSpec, from the grammar ----------------------------------------------------

const NAMES = ['x', 'h', 'y', 'z', 'k', 'net', 'n', 'd', 'f', 'g', 'a', 'xor', 'pts'];
/** Every activation of the engine's list, with an explicit parameter where it takes one; a fn's name; a name that is none. */
const ACTIVATIONS = [
  ...activationNames(),
  ...SCALAR_FUNCTIONS.filter((f) => f.activation && f.params.length > 0).map((f) => `${f.name}(${f.params.map(() => '0.1').join(', ')})`),
  'f',
  'nope',
];
/** Every built-in of the engine's list, user fns' names and a network's. */
const FUNCTIONS = [...BUILTIN_NAMES, 'f', 'g', 'net'];
const NUMBERS = ['0', '1', '2', '3', '4', '0.5', '-1', '.5', '1e-3', '2.5E+4', '1e308', '1e999', '100000', '100001', '1e9', '3000000000', '7', '0.1'];

const name = fc.constantFrom(...NAMES);
const num = fc.constantFrom(...NUMBERS);
/** Widths: mostly small, now and then past the cap or not a whole number (a wide layer makes every analysis slow). */
const width = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('1', '2', '3', '4') }, { weight: 1, arbitrary: fc.constantFrom('0', '.5', '-1', '100001', '1e999', 'n', '2 + 1') });

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    num,
    name,
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '^'), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expr').map((e) => `-${e}`),
    tie('expr').map((e) => `(${e})`),
    fc.array(tie('expr'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), fc.constantFrom('', "'", "''", "'''''''''"), fc.array(tie('expr'), { minLength: 1, maxLength: 3 }))
      .map(([f, primes, args]) => `${f}${primes}(${args.join(', ')})`),
  ),
}));

const vector = fc.array(num, { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`);

const networkItem = fc.oneof(
  fc.tuple(name, width).map(([n, w]) => `input ${n}[${w}]`),
  fc.tuple(name, width, fc.constantFrom(...ACTIVATIONS), fc.constantFrom('', ' nobias')).map(([n, w, act, nb]) => `dense ${n}[${w}] ${act}${nb}`),
  fc.constantFrom('loss squared_error', 'loss cross_entropy', 'loss binary_cross_entropy', 'loss mse', 'loss hinge'),
  fc.tuple(fc.constantFrom('xavier', 'he', 'zeros', 'uniform(-1, 1)', 'uniform(1, -1)'), num).map(([s, seed]) => `init ${s} seed ${seed}`),
  fc.tuple(fc.constantFrom('weights', 'bias'), name, expr).map(([k, n, e]) => `${k} ${n} = ${e}`),
);

const trainOption = fc.oneof(
  fc.constantFrom('optimizer sgd', 'optimizer adam', 'optimizer momentum(0.9)', 'optimizer adam(0.9, 0.999)', 'optimizer rmsprop'),
  fc.tuple(fc.constantFrom('learning_rate', 'epochs', 'batch', 'seed', 'split', 'l2', 'momentum'), num).map(([k, v]) => `${k} ${v}`),
);

const statement = fc.oneof(
  fc.tuple(name, fc.array(networkItem, { maxLength: 6 })).map(([n, items]) => `network ${n} {\n${items.map((i) => `  ${i}`).join('\n')}\n}`),
  fc.tuple(name, fc.array(fc.tuple(vector, vector), { maxLength: 4 })).map(([n, ss]) => `data ${n} {\n${ss.map(([i, t]) => `  ${i} -> ${t}`).join('\n')}\n}`),
  fc.tuple(name, fc.constantFrom('xor', 'circle', 'spiral', 'gauss', 'moons', 'blobs'), num, num).map(([n, g, a, b]) => `data ${n} = ${g}(n: ${a}, noise: ${b}, seed: 1)`),
  fc.tuple(name, fc.constantFrom('"points.csv"', '"../secret.csv"', '"/etc/passwd"', '"a\\"b.csv"')).map(([n, p]) => `data ${n} from ${p} (targets: 1)`),
  fc.tuple(name, expr, fc.constantFrom('x', 'x1', 'x2', 'x * x1'), num, num, num, fc.constantFrom('', ' standardize', '\n  standardize', ' standardise'))
    .map(([n, e, v, a, b, c, st]) => `data ${n} = function(${e} + ${v}, n: ${a}, from: ${b}, to: ${c}, noise: 0.1, seed: 1)${st}`),
  fc.tuple(name, fc.array(fc.tuple(vector, vector), { maxLength: 3 })).map(([n, ss]) => `data ${n} {\n${ss.map(([i, t]) => `  ${i} -> ${t}`).join('\n')}\n} standardize`),
  fc.tuple(name, name, fc.array(trainOption, { maxLength: 5 })).map(([n, d, os]) => `train ${n} on ${d} {\n${os.map((o) => `  ${o}`).join('\n')}\n}`),
  fc.tuple(name, vector, vector).map(([n, i, t]) => `probe ${n} ${i} -> ${t}`),
  fc.tuple(name, expr).map(([n, e]) => `let ${n} = ${e}`),
  expr.map((e) => `eval ${e}`),
  fc.tuple(name, name, expr).map(([n, p, e]) => `fn ${n}(${p}) = ${e}`),
);

/** Statements joined with one kind of line break (and a comment now and then): mostly valid files. */
export const nearValid: fc.Arbitrary<string> = fc.tuple(
  fc.array(fc.tuple(statement, fc.constantFrom('', '', '', '   # note', ' # ☃ \u{1F600}')), { minLength: 1, maxLength: 6 }),
  fc.constantFrom('\n', '\r\n', '\r'),
).map(([stmts, eol]) => stmts.map(([s, c]) => s + c).join('\n').replace(/\n/g, eol));

// ---- mutations of real files -----------------------------------------------------------------

/** The examples and the golden cases: files that say something. */
export function corpus(): string[] {
  return specCorpus().map((f) => f.text);
}

/** Words, runs of spaces, and single other characters: the pieces a mutation moves about. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|->|\s+|[\s\S]/gu) ?? [];
}

type Mutation =
  | { op: 'delete-token' | 'duplicate-token' | 'delete-line' | 'duplicate-line'; at: number }
  | { op: 'swap-tokens' | 'swap-lines'; at: number; with: number }
  | { op: 'insert-token'; at: number; piece: string }
  | { op: 'line-breaks'; eol: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete-token' as const, 'duplicate-token' as const, 'delete-line' as const, 'duplicate-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constantFrom('swap-tokens' as const, 'swap-lines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('insert-token' as const), at: fc.nat(), piece: fc.oneof(anyChar, fc.constantFrom(...PUNCT, ...NAMES, ...NUMBERS, 'network', 'let', 'eval', '{', '}')) }),
  fc.record({ op: fc.constant('line-breaks' as const), eol: fc.constantFrom('\n', '\r\n', '\r') }),
);

function mutate(text: string, m: Mutation): string {
  if (m.op === 'line-breaks') return text.replace(/\r\n|\r|\n/g, m.eol);
  const line = m.op.endsWith('line');
  const parts = line ? text.split(/(?<=\n)/) : tokens(text);
  if (parts.length === 0) return m.op === 'insert-token' ? m.piece : text;
  const i = m.at % parts.length;
  switch (m.op) {
    case 'delete-token': case 'delete-line': parts.splice(i, 1); break;
    case 'duplicate-token': case 'duplicate-line': parts.splice(i, 0, parts[i]); break;
    case 'insert-token': parts.splice(m.at % (parts.length + 1), 0, m.piece); break;
    case 'swap-tokens': case 'swap-lines': {
      const j = m.with % parts.length;
      [parts[i], parts[j]] = [parts[j], parts[i]];
      break;
    }
  }
  return parts.join('');
}

/** A file of the corpus with a few mutations applied. */
export function mutated(files: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([f, ms]) => ms.reduce(mutate, files[f]));
}

/** Near-valid text with a few mutations: the half-typed states an editor sees. */
export const nearValidMutated: fc.Arbitrary<string> = fc.tuple(nearValid, fc.array(mutation, { maxLength: 3 }))
  .map(([t, ms]) => ms.reduce(mutate, t));
