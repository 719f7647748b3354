/** Navigation and editing as pure functions: the corners the protocol tests do not reach. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { foldingRegions } from '../../server/src/analysis/folding';
import { definitionAt, referencesAt, symbolIndex } from '../../server/src/analysis/references';
import { prepareRename, rename } from '../../server/src/analysis/rename';
import { semanticTokens } from '../../server/src/analysis/semantic-tokens';
import { signatureHelpAt } from '../../server/src/analysis/signature';
import { analyzeText } from '../../server/src/semantics/checker';
import { tokensEdit } from '../../server/src/server/semantic-deltas';
import { corpus, mutated, nearValid, nearValidMutated, params } from '../fuzz/generators';

const program = (text: string) => analyzeText(text).program;
/** The offset of the `nth` occurrence of `needle` (plus `delta`). */
const offsetOf = (text: string, needle: string, nth = 0, delta = 0) => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `'${needle}' not found`);
  return at + delta;
};
/** The text of each span, with its offset: `name@offset`. */
const spans = (text: string, list: { start: number; end: number }[]) => list.map((s) => `${text.slice(s.start, s.end)}@${s.start}`);

test('names that are not references: optimizers, generators, argument names, losses, inits, options', () => {
  const text = 'network xor {\n  input x[2]\n  dense y[1] sigmoid\n}\ndata n = xor(n: 10, seed: 1)\nlet sgd = 0.5\ntrain xor on n {\n  optimizer sgd\n  learning_rate sgd\n}\n';
  const p = program(text);
  const refs = (needle: string) => spans(text, referencesAt(p, offsetOf(text, needle), true));
  assert.deepEqual(refs('xor'), [`xor@${offsetOf(text, 'xor')}`, `xor@${offsetOf(text, 'xor on')}`], 'the generator xor is not the network');
  assert.deepEqual(refs('n = '), [`n@${offsetOf(text, 'n = ')}`, `n@${offsetOf(text, 'on n', 0, 3)}`], 'the argument n: is not the data set');
  assert.deepEqual(refs('sgd'), [`sgd@${offsetOf(text, 'sgd')}`, `sgd@${offsetOf(text, 'sgd\n}')}`], 'the optimizer sgd is not the let');
});

test('optimizer arguments and every other expression slot are references', () => {
  const text = 'let m = 0.5\nnetwork k {\n  input x[m * 4]\n  dense y[1] leaky_relu(m)\n  init uniform(-m, m) seed m * 2\n  bias y = [m]\n}\ndata d = xor(n: m * 100, noise: m)\ntrain k on d {\n  optimizer momentum(m)\n  epochs m\n}\nprobe k [m, m] -> [m]\n';
  const refs = referencesAt(program(text), 4, false);
  assert.equal(refs.length, 13);
  assert.ok(refs.every((r) => text.slice(r.start, r.end) === 'm'));
});

test('duplicates, unknown names and a fn with a built-in name', () => {
  const text = 'let a = 1\nlet a = 2\neval a + q\neval q\nfn sigmoid(z) = z\neval sigmoid(1)\n';
  const p = program(text);
  assert.deepEqual(spans(text, referencesAt(p, offsetOf(text, 'a +'), true)), ['a@4', 'a@14', `a@${offsetOf(text, 'a +')}`], 'both declarations of a duplicate');
  assert.deepEqual(definitionAt(p, offsetOf(text, 'a + q')), { start: 4, end: 5 }, 'the first declaration');
  assert.deepEqual(spans(text, referencesAt(p, offsetOf(text, 'q'), true)), [`q@${offsetOf(text, 'q')}`, `q@${offsetOf(text, 'q', 1)}`], 'an unknown name: its uses');
  assert.equal(definitionAt(p, offsetOf(text, 'q')), undefined);
  assert.deepEqual(rename(p, offsetOf(text, 'q'), 'r'), { error: '`q` is not a declared name in this file, so there is nothing to rename.' });
  // The checker refuses the fn, so `sigmoid(1)` is the built-in.
  assert.deepEqual(spans(text, referencesAt(p, offsetOf(text, 'sigmoid(1)'), true)), [`sigmoid@${offsetOf(text, 'sigmoid(1)')}`]);
  assert.deepEqual(rename(p, offsetOf(text, 'sigmoid(1)'), 's'), { error: '`sigmoid` is a built-in function; it cannot be renamed.' });
});

test('rename refuses a name already used (undeclared) where the renamed name would capture it', () => {
  const text = 'let a = 1\neval a + r\n';
  assert.deepEqual(rename(program(text), 4, 'r'), { error: '`r` is already used on line 2; renaming `a` to it would join the two.' });
  assert.deepEqual(rename(program(text), 4, 'a'), [], 'the same name: nothing to do');
});

test('rename a layer: only within its network; an unknown layer is not renamed', () => {
  const text = 'network p {\n  input x[1]\n  dense h[1] relu\n  bias h = [0]\n}\nnetwork q {\n  input x[1]\n  dense h[1] relu\n  weights k = [[1]]\n}\n';
  const p = program(text);
  const edits = rename(p, offsetOf(text, 'h'), 'hidden');
  assert.ok(Array.isArray(edits));
  assert.deepEqual(edits.map((e) => e.span.start), [offsetOf(text, 'h'), offsetOf(text, 'h = ')]);
  assert.deepEqual(prepareRename(p, offsetOf(text, 'k =')), { error: '`k` is not a declared layer of this network, so there is nothing to rename.' });
  assert.deepEqual(rename(p, offsetOf(text, 'x'), 'h'), { error: 'The network `p` already has a layer `h` (line 3).' });
  // `weights k` in q names no layer; a layer of q called k would change that, one of p would not.
  assert.deepEqual(rename(p, offsetOf(text, 'x', 1), 'k'), { error: '`k` is already used on line 9; renaming `x` to it would join the two.' });
  const ok = rename(p, offsetOf(text, 'x'), 'k');
  assert.ok(Array.isArray(ok) && ok.length === 1);
});

test('prepare rename: strings, punctuation and words of the language', () => {
  const text = 'data d from "x.csv"\nnetwork n {\n  input x[1]\n  dense y[1] relu\n  loss mse\n}\n';
  const p = program(text);
  assert.deepEqual(prepareRename(p, offsetOf(text, 'x.csv')), { error: 'A string cannot be renamed.' });
  assert.deepEqual(prepareRename(p, offsetOf(text, 'from')), { error: '`from` is a keyword; it cannot be renamed.' });
  assert.deepEqual(prepareRename(p, offsetOf(text, 'mse')), { error: '`mse` is a word of the language (a loss, an initialisation, an optimizer or a generator); only names declared in this file can be renamed.' });
  assert.deepEqual(prepareRename(p, offsetOf(text, '{', 0, 1)), { error: 'There is no name here to rename.' });
  assert.deepEqual(prepareRename(p, offsetOf(text, 'd ')), { span: { start: 5, end: 6 }, placeholder: 'd' });
});

test('signature help in settings: init, optimizers, generators (by argument name)', () => {
  const text = 'network n {\n  input x[2]\n  dense y[1] relu\n  init uniform(-1, 1)\n}\ndata d = spiral(seed: 1, n: 20)\ntrain n on d {\n  optimizer adam(0.9, 0.99)\n}\n';
  const p = program(text);
  const init = signatureHelpAt(p, offsetOf(text, '1)'))!;
  assert.equal(init.signatures[0].label, 'uniform(lo, hi)');
  assert.equal(init.activeParameter, 1);
  const gen = signatureHelpAt(p, offsetOf(text, '20'))!;
  assert.equal(gen.signatures[0].label, 'spiral(n, noise, seed)');
  assert.equal(gen.activeParameter, 0, 'the argument typed is n, whatever its place');
  assert.equal(signatureHelpAt(p, offsetOf(text, '1, n'))!.activeParameter, 2);
  const adam = signatureHelpAt(p, offsetOf(text, '0.99'))!;
  assert.equal(adam.signatures[0].label, 'adam(b1 = 0.9, b2 = 0.999)');
  assert.equal(adam.activeParameter, 1);
  assert.equal(signatureHelpAt(p, offsetOf(text, '{', 0, 1)), undefined);
});

test('signature help while typing: an unfinished call still gets help', () => {
  const text = 'eval elu(1, ';
  const help = signatureHelpAt(program(text), text.length)!;
  assert.equal(help.signatures[0].label, 'elu(z, a = 1)');
  assert.equal(help.activeParameter, 1);
  const bare = 'eval softmax(';
  assert.equal(signatureHelpAt(program(bare), bare.length)!.signatures[0].label, 'softmax(v)');
  assert.equal(signatureHelpAt(program('eval nosuch('), 12), undefined, 'an unknown function has no signature');
});

test('folding: an unclosed block folds nothing, nested blocks fold, \\r\\n counts once', () => {
  assert.deepEqual(foldingRegions('network n {\n  input x[2]\n'), []);
  assert.deepEqual(foldingRegions('# a\r\n# b\r\ntrain n on d {\r\n  epochs 1\r\n  batch 1\r\n}\r\n'), [
    { startLine: 0, endLine: 1, kind: 'comment' },
    { startLine: 2, endLine: 4 },
  ]);
  assert.deepEqual(foldingRegions('network n {\n}\n'), [], 'nothing to hide');
});

test('semantic tokens: unknown names get none; a network call is a class', () => {
  const text = 'eval q + tanh(1)\nnetwork n {\n  input x[1]\n  dense y[1] nosuch\n}\n';
  const tokens = semanticTokens(program(text)).map((t) => `${text.slice(t.span.start, t.span.end)}:${t.type}${t.modifiers.map((m) => '.' + m).join('')}`);
  assert.deepEqual(tokens, ['eval:keyword', 'tanh:function.defaultLibrary', 'network:keyword', 'n:class.declaration', 'input:keyword', 'x:property.declaration', 'dense:keyword', 'y:property.declaration']);
});

test('the semantic tokens delta: the one edit between two answers turns the first into the second, and is empty when they are equal', () => {
  const ints = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 });
  fc.assert(
    fc.property(ints, ints, (before, after) => {
      const edit = tokensEdit(before, after);
      if (!edit) return assert.deepEqual(before, after);
      const applied = [...before];
      applied.splice(edit.start, edit.deleteCount, ...(edit.data ?? []));
      assert.deepEqual(applied, after);
      assert.ok(edit.deleteCount > 0 || (edit.data?.length ?? 0) > 0, 'an edit changes something');
    }),
    { numRuns: 2000 },
  );
  const a = [0, 4, 3, 0, 0, 1, 2, 1, 1, 0];
  assert.deepEqual(tokensEdit(a, [...a.slice(0, 5), 2, 2, 1, 1, 0]), { start: 5, deleteCount: 1, data: [2] }, 'only what differs');
});

/**
 * Semantic tokens resolve names statement by statement (semantic-tokens.ts); the symbol index
 * (references.ts) resolves them for the whole file at once, for go to definition and rename. Every
 * name the index knows has the token its symbol gives, and every other token is a word's.
 */
function assertTokensFollowTheIndex(text: string): void {
  const p = program(text);
  const expected = new Map<number, string>();
  for (const o of symbolIndex(p).occurrences) {
    const declaration = o.use === 'declaration' ? ['declaration'] : [];
    const token: Record<string, string[] | undefined> = {
      builtin: ['function', 'defaultLibrary'], constant: ['variable', 'readonly', 'defaultLibrary'], fn: ['function', ...declaration],
      network: ['class', ...declaration], data: ['struct', ...declaration], let: ['variable', ...declaration, 'readonly'],
      param: ['parameter', ...declaration], layer: ['property', ...declaration], unknown: undefined,
    };
    const t = token[o.symbol.kind];
    if (t) expected.set(o.name.start, `${o.name.end}:${t.join('.')}`);
  }
  const words = new Set(['keyword', 'enumMember']);
  for (const t of semanticTokens(p)) {
    const got = `${t.span.end}:${[t.type, ...t.modifiers].join('.')}`;
    const want = expected.get(t.span.start);
    if (want !== undefined) assert.equal(got, want, `the token at ${t.span.start} in ${JSON.stringify(text)}`);
    else assert.ok(words.has(t.type), `a ${t.type} token at ${t.span.start} where the index has no name, in ${JSON.stringify(text)}`);
    expected.delete(t.span.start);
  }
  assert.deepEqual([...expected.keys()], [], `names the index knows with no token, in ${JSON.stringify(text)}`);
}

test('semantic tokens give each name what the symbol index says it stands for: the corpus, refused and duplicate declarations, random specs', () => {
  for (const text of corpus()) assertTokensFollowTheIndex(text);
  // A fn named like a built-in or a constant is refused: a later use of `pi` is the first declaration's.
  assertTokensFollowTheIndex('fn sin(x) = x\nfn pi(y) = pi + sin(2)\neval pi + sin(1)\nlet sin = 2\neval sin\nfn e(x) = e\nfn e(x) = 1\neval e\nlet q = 1\nfn q(x) = q\n');
  assertTokensFollowTheIndex('network n {\n  input x[2]\n  dense y[1] sigmoid\n  weights y = [[1], [2]]\n  bias z = [0]\n}\nfn f(x) = x + y\nprobe n [1, 2] -> [1]\n');
  fc.assert(fc.property(fc.oneof(nearValid, nearValidMutated, mutated(corpus())), assertTokensFollowTheIndex), params(300));
});
