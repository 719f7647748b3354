/**
 * "Did you mean": a suggestion corrects a spelling, never the function. Typos of built-ins find
 * them; a word that differs from a built-in by a letter that carries meaning (the `h` of sinh,
 * the `a` of atan, a digit) gets no suggestion; well-known functions NetSpec does not have get a
 * message that says so and what to write instead, and a rename only where NetSpec has the same
 * function under another name. Checked on suggest() itself and on whole files.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/analysis/analyze';
import { BUILTIN_NAMES, TRIGONOMETRIC } from '../../server/src/engine/activations';
import { crossesFamily, editDistanceWithin, notBuiltIn, suggest } from '../../server/src/semantics/suggest';

const names = [...BUILTIN_NAMES];

test('typos of built-ins are corrected: transpositions, a dropped, doubled or wrong letter, case', () => {
  const typos: [string, string][] = [
    ['sigmod', 'sigmoid'], ['sigmiod', 'sigmoid'], ['tnah', 'tanh'], ['tahn', 'tanh'], ['tanhh', 'tanh'],
    ['sinn', 'sin'], ['sni', 'sin'], ['coss', 'cos'], ['csoh', 'cosh'], ['atn', 'atan'], ['aatn', 'atan'],
    ['softplsu', 'softplus'], ['rleu', 'relu'], ['Sin', 'sin'], ['TANH', 'tanh'], 
    ['leaky_rleu', 'leaky_relu'], ['gleu', 'gelu'], ['swihs', 'swish'],
  ];
  for (const [word, expected] of typos) assert.equal(suggest(word, names), expected, word);
});

test('a suggestion never crosses into another function: sin/sinh, cos/cosh, tan/tanh, tan/atan, relu/relu6, log/log2', () => {
  // Each of these is one edit from a built-in of another family: no suggestion, not a wrong one.
  for (const word of ['asin', 'acos', 'asinh', 'acosh', 'atanh', 'relu6', 'log2', 'exp2', 'tan2', 'sinh2', 'atn2']) {
    const s = suggest(word, names);
    assert.ok(s === undefined, `${word} → ${s}`);
  }
  // The pairs themselves: neither is ever offered for the other's spelling plus or minus its marker.
  for (const [circular, kind] of Object.entries(TRIGONOMETRIC)) {
    if (kind !== 'circular') continue;
    assert.ok(crossesFamily(circular + 'h', circular), `${circular}h → ${circular}`);
    assert.ok(crossesFamily(circular, circular + 'h'), `${circular} → ${circular}h`);
    assert.ok(crossesFamily('a' + circular, circular), `a${circular} → ${circular}`);
  }
  assert.ok(crossesFamily('tan', 'atan') && crossesFamily('atan', 'tan'));
  assert.ok(crossesFamily('relu6', 'relu'));
  assert.ok(!crossesFamily('sinn', 'sin'));
  assert.ok(!crossesFamily('x1', 'x2'), 'the rule is about built-in functions, not the names a file declares');
  // Before sin existed, `sin` was "corrected" to sinh; without it in the list, still no suggestion.
  assert.equal(suggest('sin', names.filter((n) => n !== 'sin')), undefined);
  assert.equal(suggest('cos', names.filter((n) => n !== 'cos')), undefined);
  assert.equal(suggest('tan', names.filter((n) => n !== 'tan' && n !== 'atan')), undefined);
});

test('well-known functions NetSpec does not have: what to write, and a rename only to the same function', () => {
  assert.deepEqual(notBuiltIn('arctan'), { message: 'NetSpec has no `arctan`: the same function is `atan`.', instead: 'atan' });
  assert.equal(notBuiltIn('ln')?.instead, 'log');
  for (const word of ['asin', 'acos', 'arcsin', 'asinh', 'atanh']) {
    const r = notBuiltIn(word);
    assert.ok(r && !r.instead, word);
    assert.match(r.message, /Its trigonometric functions are sin, cos, tan/);
  }
  assert.match(notBuiltIn('log10')!.message, /log\(x\) \/ log\(10\)/);
  assert.match(notBuiltIn('relu6')!.message, /min\(relu\(x\), 6\)/);
  assert.match(notBuiltIn('floor')!.message, /Its functions are sigmoid, tanh/);
  // Every name it offers as the same function is a built-in, and no built-in is in the list.
  for (const word of ['arctan', 'ln']) assert.ok(names.includes(notBuiltIn(word)!.instead!));
  for (const n of names) assert.equal(notBuiltIn(n), undefined, n);
  assert.equal(notBuiltIn('sigmod'), undefined, 'a typo is not a function of another library');
});

const diagnosticsOf = (text: string) => analyze(text).diagnostics.map((d) => ({ code: d.code, message: d.message, fix: d.suggestion?.newText }));

test('in a file: unknown functions and activations get the family-safe message and quick fix', () => {
  const d = diagnosticsOf([
    'eval sinn(1)',
    'eval asin(1)',
    'eval arctan(1)',
    'eval tahn(0.5)',
    'network n {',
    '  input x[1]',
    '  dense h[2] relu6',
    '  dense y[1] arctan',
    '}',
  ].join('\n'));
  assert.deepEqual(d, [
    { code: 'unknown-function', message: 'Unknown function `sinn`. Did you mean `sin`?', fix: 'sin' },
    { code: 'unknown-function', message: 'NetSpec has no `asin`. Its trigonometric functions are sin, cos, tan, sinh, cosh, tanh, atan.', fix: undefined },
    { code: 'unknown-function', message: 'NetSpec has no `arctan`: the same function is `atan`.', fix: 'atan' },
    { code: 'unknown-function', message: 'Unknown function `tahn`. Did you mean `tanh`?', fix: 'tanh' },
    { code: 'unknown-activation', message: 'NetSpec has no `relu6`; write min(relu(x), 6). A layer takes a built-in activation or a fn; define it with a fn to use it here.', fix: undefined },
    { code: 'unknown-activation', message: 'NetSpec has no `arctan`: the same function is `atan`.', fix: 'atan' },
  ]);
});

test('a fn the file defines under a well-known name is the file\'s own, not "NetSpec has no"', () => {
  const a = analyze('fn asin(z) = atan(z / sqrt(1 - z ^ 2))\neval asin(0.5)\n');
  assert.deepEqual(a.diagnostics, []);
  assert.ok(Math.abs((a.evals[0].value as number) - Math.PI / 6) < 1e-15);
});

/** The optimal string alignment distance, the plain way: the whole table (texts whose lengths differ by more than 8 count that difference). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * What `suggest` is defined to answer, the plain way: every candidate's whole edit distance (0.5
 * for the same word in another case), the first of the nearest, if within a third of the word.
 */
function suggestPlainly(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word || crossesFamily(word, c)) continue;
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

test('the suggestion, which reads only as much of each candidate as could change it, is the first of the nearest candidates, as when every distance is taken whole', () => {
  // Words near each other and near built-ins: one alphabet of few letters makes many close pairs.
  const word = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'b', 'n', 'h', 's', 'i', '_', '1', 'A', 'N'), minLength: 1, maxLength: 12 }),
    fc.constantFrom(...names),
    fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'y'), minLength: 20, maxLength: 40 }),
  );
  fc.assert(fc.property(word, fc.array(word, { maxLength: 40 }), (w, candidates) => {
    const all = [...candidates, ...names];
    assert.equal(suggest(w, all), suggestPlainly(w, all), `${w} among ${JSON.stringify(candidates)}`);
    for (const c of candidates) {
      const d = editDistance(w, c);
      for (const max of [0, 0.5, 1, 2, 3]) {
        const within = editDistanceWithin(w, c, max);
        assert.ok(d <= max ? within === d : within > max, `${w} ${c} within ${max}: ${within}, whole ${d}`);
      }
    }
  }), { numRuns: 3000 });
});
