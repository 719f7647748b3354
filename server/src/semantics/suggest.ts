import { BUILTIN_NAMES, TRIGONOMETRIC, type BuiltinName, type ScalarName } from '../engine/activations';

/**
 * "Did you mean …?": the closest candidate by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours), if it is close enough to be a likely typo —
 * at most a third of the word's length, and at least one edit — and if the edit does not change
 * which function is meant (`crossesFamily`): no suggestion is better than a wrong one.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // Only a candidate within the limit and nearer than the best so far changes the answer (the
    // first of the nearest): a distance is at least the difference of the lengths, which rules
    // most out unread, and the others' distances are taken only as far as that bound (every
    // unknown name of a file is compared with every declared name).
    const bound = Math.min(limit, bestDistance - 0.5);
    const other = c.toLowerCase();
    if (Math.abs(other.length - lower.length) > bound || c === word || crossesFamily(word, c)) continue;
    const d = other === lower ? 0.5 : editDistanceWithin(lower, other, bound);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

const isBuiltin = (name: string): name is BuiltinName => (BUILTIN_NAMES as readonly string[]).includes(name);

/**
 * Whether reading `word` as a misspelt built-in `candidate` would change the function, not the
 * spelling. Some letters of a function's name carry its meaning: a digit (relu6 and log2 are not
 * relu and log), and among the trigonometric functions a trailing `h` (sinh is hyperbolic, sin is
 * not) and a leading `a` (atan is the inverse of tan). A word that has such a letter where the
 * candidate has none, or lacks one the candidate has, is another function: `sinn` may be `sin`
 * but not `sinh`, `tahn` may be `tanh` but not `tan`, `asin` is neither `sin` nor `sinh`. And in a
 * name as short as `sin`, a different first letter is a different word (`min`), not a typo.
 */
export function crossesFamily(word: string, candidate: string): boolean {
  if (!isBuiltin(candidate)) return false;
  const w = word.toLowerCase();
  if (/\d/.test(w) !== /\d/.test(candidate)) return true;
  // In a name of three letters or fewer, another first letter makes another word: sin is not min.
  if (w.length <= 3 && w[0] !== candidate[0]) return true;
  const kind = TRIGONOMETRIC[candidate as ScalarName];
  if (!kind) return false;
  return w.includes('h') !== (kind === 'hyperbolic') || w.startsWith('a') !== (kind === 'inverse');
}

// ---- functions NetSpec does not have --------------------------------------------------------------

const TRIG_NAMES = Object.keys(TRIGONOMETRIC).join(', ');

/**
 * Functions a learner may reach for that NetSpec does not have, by their usual names: `instead`
 * when NetSpec has the same function under another name (the quick fix renames), and what to
 * write otherwise. Without this, edit distance would offer a neighbour (asin → sin, prelu → relu,
 * softmin → softmax): a different function.
 */
const ELSEWHERE: Record<string, { instead?: BuiltinName; write?: string }> = {
  arctan: { instead: 'atan' },
  ln: { instead: 'log' },
  asin: {}, acos: {}, arcsin: {}, arccos: {},
  asinh: {}, acosh: {}, atanh: {}, arcsinh: {}, arccosh: {}, arctanh: {},
  atan2: { write: 'atan(y / x) (for x > 0)' },
  sec: { write: '1 / cos(x)' }, csc: { write: '1 / sin(x)' }, cot: { write: '1 / tan(x)' },
  sech: { write: '1 / cosh(x)' }, csch: { write: '1 / sinh(x)' }, coth: { write: '1 / tanh(x)' },
  log2: { write: 'log(x) / log(2)' }, log10: { write: 'log(x) / log(10)' }, log1p: { write: 'log(1 + x)' },
  exp2: { write: '2 ^ x' }, expm1: { write: 'exp(x) - 1' },
  pow: { write: 'x ^ y' }, sqr: { write: 'x ^ 2 (sqrt is the square root)' }, square: { write: 'x ^ 2' },
  cbrt: { write: 'x ^ (1 / 3) (for x ≥ 0)' },
  sign: { write: 'x / abs(x) (for x ≠ 0)' },
  floor: {}, ceil: {}, round: {}, trunc: {}, mod: {}, fmod: {}, erf: {}, erfc: {}, sinc: {}, mean: { write: 'sum(v) / n' },
  relu6: { write: 'min(relu(x), 6)' },
  prelu: { write: 'leaky_relu(a) with the slope a as a number' },
  selu: { write: 'a fn, e.g. `fn selu(z) = 1.0507 * elu(z, 1.67326)`' },
  celu: { write: 'a fn, e.g. `fn celu(z) = max(0, z) + min(0, exp(z) - 1)`' },
  mish: { write: 'a fn: `fn mish(z) = z * tanh(softplus(z))`' },
  softsign: { write: 'a fn: `fn softsign(z) = z / (1 + abs(z))`' },
  hardtanh: { write: 'max(-1, min(x, 1))' },
  hardsigmoid: { write: 'max(0, min(x / 6 + 0.5, 1))' },
  hardswish: { write: 'a fn: `fn hardswish(z) = z * max(0, min(z / 6 + 0.5, 1))`' },
  logsigmoid: { write: '-softplus(-x)' },
  softmin: { write: 'softmax(-v)' },
  logsoftmax: { write: 'log(softmax(v))' }, log_softmax: { write: 'log(softmax(v))' },
};

/**
 * The message for a call of a well-known function NetSpec does not have (`asin`, `log10`,
 * `prelu`), with the built-in's name when NetSpec has it under another (`arctan` → `atan`);
 * undefined for any other name, which gets the usual "did you mean".
 */
export function notBuiltIn(word: string): { message: string; instead?: BuiltinName } | undefined {
  const key = word.toLowerCase();
  if (!Object.hasOwn(ELSEWHERE, key)) return undefined;
  const { instead, write } = ELSEWHERE[key];
  if (instead) return { message: `NetSpec has no \`${word}\`: the same function is \`${instead}\`.`, instead };
  if (write) return { message: `NetSpec has no \`${word}\`; write ${write}.` };
  const trig = /^(a|arc)(sin|cos|tan)h?$/.test(key) || /^(sin|cos|tan)h$/.test(key);
  return { message: `NetSpec has no \`${word}\`.${trig ? ` Its trigonometric functions are ${TRIG_NAMES}.` : ` Its functions are ${BUILTIN_NAMES.join(', ')}, and a fn can define others.`}` };
}

/** Rows of `editDistanceWithin`, reused: suggestions run in the checker's hot loop. */
let rows = [new Int32Array(16), new Int32Array(16), new Int32Array(16)];

/**
 * The optimal string alignment distance of a and b (Damerau–Levenshtein without repeated edits of
 * a substring: insertions, deletions, substitutions, swaps of neighbours) where it is at most
 * `max`; else some number above `max` (a candidate too far to suggest). Texts whose lengths differ
 * by more than 8 count that difference. Row by row, it stops once two rows in a row exceed `max`:
 * a row's least value is at least the least of the row above or one more than the row above that
 * (the swap of neighbours reaches two rows back), so every row after them does too.
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  if (rows[0].length <= b.length) rows = rows.map(() => new Int32Array(2 * b.length + 1));
  let [back, above, row] = rows;
  for (let j = 0; j <= b.length; j++) above[j] = j;
  let aboveLeast = 0;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(above[j] + 1, row[j - 1] + 1, above[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, back[j - 2] + 1);
      row[j] = d;
      if (d < least) least = d;
    }
    if (least > max && aboveLeast + 1 > max) return Math.floor(max) + 1;
    aboveLeast = least;
    [back, above, row] = [above, row, back];
  }
  return above[b.length];
}
