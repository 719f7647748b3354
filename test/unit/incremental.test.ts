/**
 * The incremental analysis (server/src/analysis/incremental.ts) must give exactly what a fresh
 * `analyze()` of the same text gives: random edit sequences over the examples, the golden cases
 * and a generated spec, compared after every edit — the tree, the diagnostics, every eval and
 * probe, the hovers and the inlay hints.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { analyze, type FileAnalysis } from '../../server/src/analysis/analyze';
import { hoverAt } from '../../server/src/analysis/hover';
import { fingerprint } from '../../server/src/analysis/fingerprint';
import { IncrementalAnalyzer, IncrementalParser, segmentStarts, type Unchanged } from '../../server/src/analysis/incremental';
import { inlayHints } from '../../server/src/analysis/inlay';
import { clearPlotCache } from '../../server/src/analysis/plot-cache';
import { lex } from '../../server/src/syntax/lexer';
import { encodedSemanticTokens } from '../../server/src/analysis/semantic-tokens';
import { parse } from '../../server/src/syntax/parser';
import { LineIndex } from '../../server/src/syntax/text';
import { specCorpus } from '../support/sources';
import { charSoup, nearValid, nearValidMutated, params } from '../fuzz/generators';
// Plain JS shared with the benchmark.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateSpec } = require('../../bench/spec-generator.js') as { generateSpec: (lines: number) => string };

const corpus: { name: string; text: string }[] = [
  ...specCorpus(),
  { name: 'generated-160', text: generateSpec(160) },
  // Evals and a probe that fail at one node of a fn's body (one diagnostic there for all of them).
  {
    name: 'failing-inside-fns',
    text: 'fn bad(z) = softmax(z)\nfn twice(z) = bad(z) * 2\neval bad(1)\neval twice(2)\neval bad([1, 2])\nlet k = 3\neval bad(k) + k\nnetwork w {\n  input x[2]\n  dense h[2] bad\n  dense y[1] sigmoid\n}\nprobe w [1, 2] -> [1]\n',
  },
];

/** What the editor sees of an analysis, as plain data. */
function observable(a: FileAnalysis, hoverOffsets: number[]): unknown {
  return {
    statements: a.program.file.statements,
    lines: lineStarts(a.lines),
    diagnostics: a.diagnostics,
    evals: a.evals.map((e) => ({ line: e.line, expr: e.expr, value: e.value, error: e.error, at: e.stmt.start })),
    probes: a.probes.map((p) => ({ line: p.line, network: p.network, input: p.input, target: p.target, result: p.result, error: p.error, at: p.stmt.start })),
    data: [...a.program.data].map(([name, d]) => ({ name, at: d.stmt.start, samples: d.samples, widths: [d.inputWidth, d.targetWidth], generator: d.generator })),
    hovers: hoverOffsets.map((o) => hoverAt(a, o)),
    inlay: inlayHints(a, 0, a.text.length, { values: true, probeLoss: true, derivatives: true, significantDigits: 6 }),
    // Kept with each statement and made again when a name it writes changes meaning (semantic-tokens.ts).
    tokens: Array.from(encodedSemanticTokens(a.program, a.lines)),
  };
}

/** Where each line of an index starts. */
function lineStarts(lines: LineIndex): number[] {
  return Array.from({ length: lines.lineCount }, (_, line) => lines.offset({ line, character: 0 }));
}

/** A few places to hover: a sample of token starts and middles. */
function hoverOffsets(text: string, count: number): number[] {
  const tokens = lex(text).tokens;
  const step = Math.max(1, Math.floor(tokens.length / count));
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i += step) out.push(tokens[i].start, (tokens[i].start + tokens[i].end) >> 1);
  return out;
}

function assertSame(incremental: IncrementalAnalyzer, text: string, context: string, unchanged?: Unchanged): void {
  const offsets = hoverOffsets(text, 12);
  const fresh = observable(analyze(text), offsets);
  const inc = observable(incremental.analyze(text, {}, unchanged), offsets);
  assert.deepStrictEqual(inc, fresh, context);
}

/**
 * `typed` typed into `base` at `cut` a character at a time, then deleted back to nothing, each
 * version checked against a fresh analysis (`where`, for the messages).
 */
function typeAndDeleteBack(incremental: IncrementalAnalyzer, base: string, cut: number, typed: string, where: string): void {
  for (let k = 1; k <= typed.length; k++) assertSame(incremental, base.slice(0, cut) + typed.slice(0, k) + base.slice(cut), `typed ${JSON.stringify(typed.slice(0, k))} ${where}`);
  for (let k = typed.length - 1; k >= 0; k--) assertSame(incremental, base.slice(0, cut) + typed.slice(0, k) + base.slice(cut), `deleted back to ${JSON.stringify(typed.slice(0, k))} ${where}`);
}

/** Text typed into a spec: characters, words and line starts that change how it parses. */
const insertion = fc.oneof(
  fc.constantFrom('1', '0', '.', '5', 'e', 'x', 'a_1', ' ', '\n', '\r\n', '\t', '#', '+', '-', '*', '^', "'", '(', ')', '[', ']', ',', '{', '}', '=', '->', '"'),
  fc.constantFrom('\neval ', '\nlet ', '\nnetwork ', '\nfn ', '\nprobe ', '\ndata ', '\ntrain ', 'eval ', 'let z = ', 'sigmoid(', 'relu', 'tanh', ' nobias', '  dense h[3] relu\n', '  input x[2]\n', 'let z = 2\n', 'let z = [1] + [1, 2]\n', 'fn g(z) = z * z\n', 'eval g\'(2)\n', '\n}\n', 'network n {\n  input x[2]\n  dense y[1] sigmoid\n}\n', 'probe n [1, 2] -> [1]\n'),
);

/** Where an edit falls, as a fraction of the text: anywhere, and often at either end. */
const place = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
const edit = fc.record({ at: place, remove: fc.nat({ max: 12 }), insert: fc.oneof(insertion, fc.constant('')) });

/** The text after an edit: `remove` characters at the fraction `at` of it replaced by `insert`. */
function applyEdit(text: string, e: { at: number; remove: number; insert: string }): string {
  return edited(text, e).text;
}

/** An edit's text, and what it left of the text before (incremental.ts `Unchanged`: what an editor's change says). */
function edited(text: string, e: { at: number; remove: number; insert: string }): { text: string; unchanged: Unchanged } {
  const at = Math.floor(e.at * text.length);
  const end = Math.min(text.length, at + e.remove);
  return { text: text.slice(0, at) + e.insert + text.slice(end), unchanged: { prefix: at, suffix: text.length - end } };
}

/**
 * Edits between two parses (one to three, as changes that arrive together are analysed once), and
 * how much of what they left the parser is told: nothing, all (the least each edit left at either
 * end, as the server tells it), or less than that (a lower bound is all it promises).
 */
const editBatch = fc.record({ edits: fc.array(edit, { minLength: 1, maxLength: 3 }), told: fc.constantFrom('nothing', 'all', 'less') });

function applyBatch(text: string, batch: { edits: { at: number; remove: number; insert: string }[]; told: string }): { text: string; unchanged?: Unchanged } {
  let prefix = Infinity;
  let suffix = Infinity;
  for (const e of batch.edits) {
    const next = edited(text, e);
    text = next.text;
    prefix = Math.min(prefix, next.unchanged.prefix);
    suffix = Math.min(suffix, next.unchanged.suffix);
  }
  if (batch.told === 'nothing') return { text };
  return { text, unchanged: batch.told === 'all' ? { prefix, suffix } : { prefix: prefix >> 1, suffix: Math.floor(suffix / 3) } };
}

test('incremental analysis equals a fresh analysis after every edit of random edit sequences', () => {
  fc.assert(
    fc.property(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 10 }), (doc, edits) => {
      const incremental = new IncrementalAnalyzer();
      let text = doc.text;
      incremental.analyze(text);
      edits.forEach((e, i) => {
        const next = edited(text, e);
        text = next.text;
        assertSame(incremental, text, `${doc.name}, after edit ${i + 1} of ${JSON.stringify(edits)}`, i % 2 ? next.unchanged : undefined);
      });
    }),
    params(60),
  );
});

test('typing a statement character by character, then deleting it, matches a fresh analysis at every keystroke', () => {
  for (const doc of corpus) {
    const incremental = new IncrementalAnalyzer();
    const text = doc.text;
    incremental.analyze(text);
    // At the start, in the middle and at the end of the text (where nothing follows to compare).
    for (const at of [0, text.indexOf('\n', text.length >> 1) + 1, text.length]) {
      typeAndDeleteBack(incremental, text, at, 'let q = a_1 * 2 + sigmoid(0.5)\neval q\n', `at ${at} of ${doc.name}`);
    }
  }
});

/**
 * Typing into evals and probes (which nothing reads: what the editor does most), and into lets
 * and networks (whose readers are checked again). Each keystroke must give exactly a fresh
 * analysis, whichever way the analysis was made; and the text typed is ordinary, so most
 * keystrokes must have been analysed without a pass over the whole file (if the short way were
 * never taken, this would pass for the wrong reason).
 */
test('typing into evals, probes, lets, networks, fns, data sets and trains matches a fresh analysis at every keystroke, mostly without checking the whole file', () => {
  const base = generateSpec(160) + [
    'fn bad(z) = softmax(z)',
    'fn twice(z) = act_2(z) * 2',
    'eval twice(1)                # reads act_2 through twice',
    'eval bad([1, 2, 3])          # fails inside bad, outside the eval, when z is a number',
    'network r {', '  input x[2]', '  dense h[3] relu', '  dense y[1] sigmoid', '}',
    'probe r [1, 2] -> [1]',
    'probe r [-1, -2] -> [0]',
    'let k = 2',
    'data dk {', '  [k, 0] -> [1]', '}',
    // A standardizing data set and a network whose first train reads lets: the network's
    // standardization depends on the train's split and seed (the statistics of its training part).
    'let lr = 0.5',
    'let sd = 3',
    'data ds {', '  [1, 2] -> [1]', '  [3, 5] -> [0]', '  [2, 9] -> [1]', '} standardize',
    'network s {', '  input x[2]', '  dense h[2] relu', '  dense y[1] sigmoid', '  loss squared_error', '  weights h = [[1, -1], [-1, 1]]', '  weights y = [[1], [-1]]', '}',
    'train s on ds {', '  learning_rate lr', '  split 0.5', '  seed sd', '}',
    'probe s [1, 2] -> [1]',
    '',
  ].join('\n');
  // [where: the text after which to type, what is typed, whether most keystrokes are analysed
  // without checking the whole file]: values, errors, unknown names, NaN, a width that does not
  // fit, a saturating input, a dead relu coming and going.
  const sites: [string, string, boolean][] = [
    ['eval sigmoid(a_1)', ' + 0.25 * log(-1) + nope + sigmoid(a_', true],
    ['eval softmax(v_2', ') + [1, 2', true],
    ['probe net_1 [0.5, -1, 0.25', ', 7', true],
    ['probe net_2 [0.5', '00000 ', true],
    ['probe tiny_1 [1', '2e3, -', true],
    ['probe r [-1', '0 ', true],
    ["eval act_1''(b_1", ' * 2', true],
    // Failing inside bad, outside the eval: its diagnostic kept while some statement fails there.
    ['eval bad([1, 2, 3]', ') + bad(1', true],
    // Lets and networks: what reads them is checked again (a hub let read by nine blocks, a let a
    // fn's body reads, a network's weights, a network and its train, a let a train reads), or the
    // whole file when a data set does.
    ['let a_0 = 0.', '5 * -', true],
    ['let a_2 = 0.', '25', true],
    ['let v_1 = [a_1, b_1', ', 1', true],
    ['weights h = [[0.5', '1, 2', true],
    ['  dense  h[8', '0', true],
    ['let k = ', '1 + k', false],
    // Fns: what calls them is checked again — evals of them and their derivatives, a network that
    // takes one as its activation (and its probe), an eval through another fn.
    ['fn act_1(z) = z * tanh(softplus(z)) + a_1 * z ^ 2', '1 * z', true],
    ['fn act_2(z) = z * tanh(softplus(z)) + a_2 * z ^ 2', '5 - z', true],
    // ... and while it reports something (the unknown names typed on the way), which lies in it:
    // the fns' phase again, its reports the fn's own.
    ['fn twice(z) = act_2(z) * 2', ' + zz * nope', true],
    // Train statements: a network's first (whose split and seed decide its standardization, so
    // its probe's output), a train of a generated block, and one whose data set's name changes
    // (the whole file: which data set a network trains on decides more than the statement).
    ['  learning_rate 0.0', '5 * lr', true],
    ['  split 0.', '75', true],
    ['  seed sd', ' + 4', true],
    ['  epochs        20', '0', true],
    ['train s on d', 'x', false],
    ['let lr = 0.', '5', true],
    ['let sd = ', '1', true],
    // Data sets: the standardizing one a network's first train reads (its statistics, so the
    // probe's output), a block's, one a let is read by, and one whose standardization goes.
    ['data ds {\n  [1, 2] -> [1]\n  [3, 5', '0', true],
    ['  [0, 0, 1] -> [0, 1', '0, -', true],
    ['data dk {\n  [k', ', 1', true],
    ['} standardize', 'd', false],
  ];
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(base);
  for (const [after, typed, reused] of sites) {
    const at = base.indexOf(after);
    assert.ok(at >= 0, after);
    const cut = at + after.length;
    const before = incremental.counts.reused;
    typeAndDeleteBack(incremental, base, cut, typed, `after ${after}`);
    const share = (incremental.counts.reused - before) / (2 * typed.length);
    if (reused) assert.ok(share >= 0.6, `after ${after}: ${Math.round(100 * share)} % of the keystrokes analysed from the previous analysis`);
    else assert.equal(share, 0, `after ${after}: a data set or a train statement's network or data set changed, or a data set reads what did, so the whole file is checked`);
  }
});

/**
 * Enter and Backspace over a line break: every eval and probe after the edit moves to another
 * line, and so does the probe a saturation warning before the edit names ("at the probe on line
 * N"). Each version must give exactly a fresh analysis, and, the text being ordinary, nearly all
 * of them without checking the whole file (which they all did before lines could move).
 */
test('adding and removing lines (Enter, then Backspace) matches a fresh analysis, without checking the whole file', () => {
  const base = generateSpec(160) + [
    'network deep {', '  input x[1]', '  dense h[1] sigmoid', '  dense y[1] linear', '  weights h = [[40]]', '  weights y = [[1]]', '}',
    '# the probe the saturation warning names, a few lines on',
    'eval sigmoid(2)',
    'probe deep [1] -> [0]',
    'eval tanh(1)',
    '',
  ].join('\n');
  assert.ok(analyze(base).diagnostics.some((d) => d.code === 'saturated' && d.message.includes('probe on line')), 'the spec has a warning that names a line');
  // [the text after which Enter is pressed (then the line break deleted), what is typed on the new line]
  const sites: [string, string][] = [
    ['eval sigmoid(a_1)', ''],
    ['eval sigmoid(a_1)', 'eval 2'],
    ["eval tanh'(b_1)               # its derivative", ''],
    ['let b_1 = a_1 * 2', ''],
    ['probe tiny_0 [1, 2] -> [1]', ''],
    ['# ---- block 1: a 3-8-4-2 classifier', ''],
    ['weights y = [[1]]', ''],
    ['# the probe the saturation warning names, a few lines on', ''],
    ['eval sigmoid(2)', 'eval 1'],
    ['probe deep [1]', ''],
    ['let a_2 = 0.', ''],
    ['probe net_1 [0.5, -1,', ''],
  ];
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(base);
  const before = { ...incremental.counts };
  let versions = 0;
  for (const [after, typed] of sites) {
    const at = base.indexOf(after);
    assert.ok(at >= 0, after);
    const cut = at + after.length;
    const inserted = '\n' + typed;
    for (let k = 1; k <= inserted.length; k++, versions++) {
      assertSame(incremental, base.slice(0, cut) + inserted.slice(0, k) + base.slice(cut), `typed ${JSON.stringify(inserted.slice(0, k))} after ${after}`);
    }
    for (let k = inserted.length - 1; k >= 0; k--, versions++) {
      assertSame(incremental, base.slice(0, cut) + inserted.slice(0, k) + base.slice(cut), `deleted back to ${JSON.stringify(inserted.slice(0, k))} after ${after}`);
    }
  }
  const reused = incremental.counts.reused - before.reused;
  assert.equal(reused, versions, `${reused} of ${versions} versions analysed from the previous analysis`);
});

test('a statement the edit did not touch has its semantic tokens made again when a name it writes comes to stand for something else', () => {
  const before = 'eval f + g(1)\nlet f = 2\n';
  const incremental = new IncrementalAnalyzer();
  const colours = (text: string) => {
    const a = incremental.analyze(text);
    const tokens = encodedSemanticTokens(a.program, a.lines);
    const names = [];
    for (let i = 0; i < tokens.length; i += 5) names.push(tokens[i + 3]);
    return { names, statement: a.program.file.statements[0] };
  };
  const first = colours(before);
  // f from a let (variable, 5) to a fn (function, 1); g, unknown before, a network (class, 3).
  const second = colours(before.replace('let f = 2', 'fn f(x) = x\nnetwork g {\n  input x[1]\n}'));
  assert.equal(second.statement, first.statement, 'the eval is kept, not parsed again');
  assert.deepEqual(first.names, [0, 5, 0, 5]);
  assert.deepEqual(second.names.slice(0, 3), [0, 1, 3]);
});

test('regression: a let edited while some fn reports an error is checked again with what reads it through another fn', () => {
  const before = 'let a = 1\nfn f(x) = x + a\nfn g(x) = nosuch\neval f(1)\n';
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(before);
  assertSame(incremental, before.replace('let a = 1', 'let a = 2'), 'the eval reads a through f');
  assert.equal(incremental.counts.reused, 1, 'analysed from the previous version');
});

test('regression: a statement typed over part of a leading comment, before the first statement, is listed first', () => {
  const before = corpus.find((doc) => doc.name.endsWith('golden/cases/evals.netspec'))!.text;
  assert.ok(before.startsWith('# Expressions'));
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(before);
  const text = '\neval ' + before.slice('# Expre'.length);
  assertSame(incremental, text, 'the new eval comes before `eval -2 ^ 2`, a line further down', { prefix: 0, suffix: before.length - 7 });
  assert.equal(incremental.counts.reused, 1, 'analysed from the previous version');
});

test('evals failing inside a fn (one diagnostic there for all of them): typing elsewhere, into them, and removing them is analysed from the previous analysis', () => {
  const tail = ['fn bad(z) = softmax(z)', 'eval bad(1)', 'eval bad(2) + 1', 'probe net_1 [0.5, -1, 0.25] -> [1, 0]', 'let q = 1', 'eval q', ''];
  const base = generateSpec(160) + tail.join('\n');
  const inBad = (a: FileAnalysis) => a.diagnostics.filter((d) => d.code === 'eval' && d.span.start >= base.indexOf('softmax(z)') && d.span.end <= base.indexOf('\neval bad(1)'));
  assert.equal(inBad(analyze(base)).length, 1, 'both evals fail at softmax(z), which gets one diagnostic');
  const without = (...lines: string[]) => lines.reduce((t, line) => t.replace(line + '\n', ''), base);
  const versions = [
    base.replace('let q = 1', 'let q = 12'), // elsewhere
    base.replace('eval bad(2) + 1', 'eval bad(2) + 1 + bad([1, 2])'), // into one that fails there
    without('eval bad(1)'), // one of the two goes: the diagnostic stays, for the other
    without('eval bad(1)', 'eval bad(2) + 1'), // both go: so does the diagnostic
    base.replace('eval bad(1)', 'eval bad([1])'), // one stops failing
    base,
  ];
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(base);
  for (const [i, text] of versions.entries()) {
    // Each version from the last (the parser compares the texts), then back from it to the base.
    assertSame(incremental, text, `version ${i}`);
    assert.equal(inBad(incremental.analyze(text)).length, i === 3 ? 0 : 1, `version ${i}: the diagnostic in bad`);
    assertSame(incremental, base, `back from version ${i}`);
  }
  assert.equal(incremental.counts.whole, 1, 'only the first analysis checks the whole file');
});

test('regression: a statement checked again keeps no memo entry from a check before the last (its diagnostics were counted as those where it stands)', () => {
  // The train's check, stored by the first analysis, was not stored by the second; its old entry's
  // diagnostic made up for the network's syntax error in the count, which then went missing.
  const start = 'network a {\n\n}\ntrain xor on a {\n\n}\nnetwork xor {\n  weights x = sigmoid([0 + 1e999] + 0, 0)\n}\ndata a = xor(n: 0, noise: 0, seed: 1)';
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(start);
  const broken = '1' + start.slice(1);
  assertSame(incremental, broken, 'the first network broken');
  assertSame(incremental, broken + '\neval ', 'an eval begun at the end: the data set is parsed again, the train and its network checked again');
});

test('a let renamed by typing into its name, or added, is analysed from the previous analysis: what names either name, and what reported an unknown name, is checked again', () => {
  const base = generateSpec(160) + [
    'let rate = 2',
    'eval rate * 3',
    'eval rates + 1               # unknown until the let is renamed',
    'eval ratez                   # its "did you mean" follows the declared names',
    'network rn {', '  input x[1]', '  dense y[1] sigmoid', '  weights y = [[rate]]', '}',
    'probe rn [1] -> [1]',
    '',
    'let z = 1',
    '',
  ].join('\n');
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(base);
  const whole = incremental.counts.whole;
  const type = (after: string, typed: string) => typeAndDeleteBack(incremental, base, base.indexOf(after) + after.length, typed, `after ${after}`);
  type('let rate', 'sx'); // rate → rates → ratesx, and back
  type('let z', 'ate'); // z → za → zat → zate (ratez's suggestion may change), and back
  assert.equal(incremental.counts.whole, whole, 'no keystroke checked the whole file');
  // A let on a new line becomes a declaration at its `=`: that keystroke too.
  type('probe rn [1] -> [1]\n', 'let ratez = 5');
  assert.ok(incremental.counts.whole - whole <= 4, `${incremental.counts.whole - whole} of 26 keystrokes checked the whole file`);
});

test('a statement typed on a new line is analysed from the previous analysis while its syntax errors point at the next statement\'s keyword', () => {
  // `let` alone on a line reports "expected a name, but `eval` is a reserved word" at the next
  // line's keyword, past the segment parsed again: those keystrokes used to check the whole file.
  const base = generateSpec(160) + ['let rate = 2', '', 'eval rate * 3', 'probe net_0 [1, 2, 3] -> [1, 0]', ''].join('\n');
  const cut = base.indexOf('\n\neval rate') + 1;
  const whole = (typed: string) => {
    const incremental = new IncrementalAnalyzer();
    incremental.analyze(base);
    const before = incremental.counts.whole;
    typeAndDeleteBack(incremental, base, cut, typed, 'on the blank line before `eval rate * 3`');
    return incremental.counts.whole - before;
  };
  assert.equal(whole('let q = rate * 2\n'), 0, 'a let: no keystroke checked the whole file');
  assert.equal(whole('eval tanh(rate)\n'), 0, 'an eval');
  assert.equal(whole('probe net_1 [0, 1, 2] -> [0, 1]\n'), 0, 'a probe');
  assert.equal(whole('network nn {\n  input x[2]\n  dense y[1] sigmoid\n  loss squared_error\n}\n'), 0, 'a network');
  assert.equal(whole('fn g2(z) = z * rate\n'), 0, 'a fn');
  // A data set still checks the whole file once each way, where it comes to declare its name
  // (`{`) and where it stops.
  assert.ok(whole('data dd {\n  [0, 1] -> [1]\n}\n') <= 2, 'a data set');
});

test('a network that comes, goes or takes a let\'s name is checked from the previous analysis with what names it, and a fn whose parameter has its name', () => {
  const base = ['let n = 1', 'eval n + 1', 'fn g(m) = m * 2', 'eval g(3)', 'probe m [1] -> [1]', ''].join('\n');
  const net = (name: string) => `network ${name} {\n  input x[1]\n  dense y[1] sigmoid\n}\n`;
  const versions = [
    base,
    net('m') + base, // the probe's network comes, and g's parameter now has a network's name
    net('k') + base, // renamed: the probe's goes, and g's parameter is free again
    base.replace('let n = 1', net('n')), // a let's name now a network's: `eval n + 1` reads a network
    base,
    base.replace('g(m)', 'g(n)').replace('m * 2', 'n * 2'), // g's parameter has the let's name: allowed
    base.replace('g(m)', 'g(n)').replace('m * 2', 'n * 2').replace('let n = 1', net('n')), // and now a network's
  ];
  const incremental = new IncrementalAnalyzer();
  versions.forEach((text, i) => assertSame(incremental, text, `version ${i}`));
  incremental.analyze(base);
  const before = incremental.counts.whole;
  for (const name of ['k', 'kk', 'kkk']) assertSame(incremental, net(name) + base, `network ${name}`);
  assert.equal(incremental.counts.whole, before, 'renaming a network no fn parameter names checked no whole file');
});

test('a fn that comes, goes or changes its name is checked from the previous analysis with what calls either name, and equals a fresh analysis', () => {
  const base = ['let a = 2', 'fn g(z) = z * a', 'eval g(3)', 'eval h(1)', 'fn k(y) = g(y) + 1', 'eval k(2)', ''].join('\n');
  const versions = [
    base,
    'fn h(z) = z + 1\n' + base, // `eval h(1)` finds it
    'fn hh(z) = z + 1\n' + base, // renamed: unknown again, its "did you mean" changes
    base.replace('fn g(z)', 'fn gg(z)'), // k calls a fn that goes
    base.replace('fn g(z)', 'fn g(z)'),
    'fn y(q) = q\n' + base, // k's parameter now has a fn's name
    base,
    base.replace('fn k(y) = g(y) + 1\n', ''), // a fn removed
    base,
  ];
  const incremental = new IncrementalAnalyzer();
  versions.forEach((text, i) => assertSame(incremental, text, `version ${i}`));
  incremental.analyze(base);
  const before = incremental.counts.whole;
  for (const name of ['h', 'hh', 'hhh']) assertSame(incremental, `fn ${name}(z) = z + 1\n` + base, `fn ${name}`);
  assert.equal(incremental.counts.whole, before, 'a fn nothing calls came and was renamed without a whole check');
});

test('a let edited after an eval began to read it is checked again with that eval', () => {
  const versions = [
    'let a = 1\nlet b = 2\nfn f(z) = b * z\neval b\nprobe n [1] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
    'let a = 3\nlet b = 2\nfn f(z) = b * z\neval b\nprobe n [1] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
    'let a = 3\nlet b = 2\nfn f(z) = b * z\neval a + f(b)\nprobe n [a] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
    'let a = 4\nlet b = 2\nfn f(z) = b * z\neval a + f(b)\nprobe n [a] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
    'let a = 4\nlet b = 5\nfn f(z) = b * z\neval a + f(b)\nprobe n [a] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
    'let a = [4]\nlet b = 5\nfn f(z) = b * z\neval a + f(b)\nprobe n [a] -> [1]\nnetwork n {\n  input x[1]\n  dense y[1] sigmoid\n}\n',
  ];
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(versions[0]);
  for (const [i, text] of versions.entries()) assertSame(incremental, text, `version ${i}`);
  assert.ok(incremental.counts.reused >= 4, `${incremental.counts.reused} of ${versions.length} versions analysed from the previous one`);
});

test('what an edit keeps does not keep the versions of the text it was read from', () => {
  // V8 makes a slice of 13 or more characters a view of the whole string: a name kept from one
  // version would keep that version (here 1 MB of trailing blanks) for as long as the statement
  // lives. Twenty edits, each of a different statement that then stays, and a full collection.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const padding = '\n' + ' '.repeat(1_000_000) + '\n';
  // Version k differs from the one before in the value of the k-th let only.
  const lets = (k: number) => Array.from({ length: 20 }, (_, i) => `let a_long_name_${i} = ${i < k ? 1 : 0}\neval a_long_name_${i} * 1000\n`).join('');
  const version = (k: number) => `${lets(k)}let b = 2\neval b * 2\n` + padding;
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(version(0));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let k = 1; k <= 20; k++) incremental.analyze(version(k));
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(incremental.counts.reused >= 15, `${incremental.counts.reused} of 20 edits analysed from the previous analysis`);
  assert.ok(grown < 6e6, `the heap grew by ${(grown / 1e6).toFixed(1)} MB over twenty edits of a 1 MB text: old versions are kept`);
});

test('an edit reuses the statements it did not touch (the same tree nodes)', () => {
  const text = generateSpec(160);
  const incremental = new IncrementalAnalyzer();
  const before = incremental.analyze(text).program.file.statements;
  const at = text.indexOf('let a_1 = ') + 'let a_1 = 0.'.length;
  const after = incremental.analyze(text.slice(0, at) + '7' + text.slice(at)).program.file.statements;
  const edited = after.findIndex((s) => s.kind === 'let' && s.name.text === 'a_1');
  assert.equal(after.length, before.length);
  after.forEach((s, i) => {
    if (i === edited) assert.notEqual(s, before[i], 'the edited statement is parsed again');
    else assert.equal(s, before[i], `statement ${i} (${s.kind}) is reused`);
  });
});

test('Enter at the start of a statement\'s line parses that statement again, not the one before it (which gains the blank line)', () => {
  const text = generateSpec(160);
  const parser = new IncrementalParser();
  const before = parser.parse(text).file.statements;
  const at = text.indexOf('\nprobe net_1 ') + 1;
  const after = parser.parse(text.slice(0, at) + '\n' + text.slice(at)).file.statements;
  const probe = after.findIndex((s) => s.kind === 'probe' && s.network.text === 'net_1');
  assert.equal(after[probe - 1].kind, 'network');
  assert.equal(after[probe - 1], before[probe - 1], 'the network above keeps its node: nothing that reads it is checked again');
  assert.deepEqual(parser.lastChange?.removed.map((s) => s.kind), ['probe']);
  assert.deepEqual(after, parse(text.slice(0, at) + '\n' + text.slice(at)).file.statements);
});

test('segments start at every line that begins with a statement keyword, after any line break', () => {
  const text = 'let a = 1\r\n  eval a\rfn f(z) = z\n# eval not\nevaluate\n\tprobe';
  assert.deepEqual(segmentStarts(text).map((s) => [s.start, s.keyword.text]), [[0, ''], [11, 'eval'], [20, 'fn'], [52, 'probe']]);
});

test('trained parameters: the incremental analysis uses them as a fresh one does, and drops them with the definition', () => {
  const text = 'network n {\n  input x[2]\n  dense y[1] sigmoid\n}\nprobe n [1, 2] -> [1]\neval n([1, 2])\n';
  const definition = fingerprint(analyze(text).program.networks.get('n')!.network!);
  const trained = new Map([['n', { definition, layers: [{ W: [0.5, -0.25], b: [0.125] }] }]]);
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(text);
  const offsets = hoverOffsets(text, 20);
  assert.deepStrictEqual(observable(incremental.analyze(text, { trained }), offsets), observable(analyze(text, { trained }), offsets));
  // Without them again: the cached, untrained network must not have been overwritten.
  assert.deepStrictEqual(observable(incremental.analyze(text), offsets), observable(analyze(text), offsets));
  const wider = text.replace('x[2]', 'x[3]').replace('[1, 2]', '[1, 2, 3]').replace('[1, 2]', '[1, 2, 3]');
  assert.deepStrictEqual(observable(incremental.analyze(wider, { trained }), offsets), observable(analyze(wider, { trained }), offsets));
});

test('an expression that names a let in error is spoiled by it wherever the let stands', () => {
  for (const text of ['eval a + 1\nlet a = [1] + [1, 2]\n', 'let a = [1] + [1, 2]\neval a + 1\n']) {
    const a = analyze(text);
    assert.deepEqual(a.diagnostics.map((d) => d.code), ['eval'], text);
    assert.equal(a.evals[0].error, 'the expression has errors');
  }
});

test('a kept hover plot of a fn is drawn again when a let its body reads changes, and equals a fresh drawing', () => {
  const text = (k: string) => `let k = ${k}\nfn f(z) = k * tanh(z)\neval f(1)\n`;
  const incremental = new IncrementalAnalyzer();
  const at = text('1').indexOf('f(z)');
  const first = hoverAt(incremental.analyze(text('1')), at)!.markdown;
  const kept = hoverAt(incremental.analyze(text('2')), at)!.markdown;
  assert.notEqual(kept, first);
  clearPlotCache();
  assert.equal(hoverAt(analyze(text('2')), at)!.markdown, kept);
  assert.equal(hoverAt(incremental.analyze(text('1')), at)!.markdown, first);
});

test('incremental parsing equals parse() after every edit, on any text (soup, near-valid, the corpus), told what the edits left or not', () => {
  const texts = fc.oneof(fc.constantFrom(...corpus.map((d) => d.text)), charSoup, nearValid, nearValidMutated);
  fc.assert(
    fc.property(texts, fc.array(editBatch, { minLength: 1, maxLength: 12 }), (start, batches) => {
      const parser = new IncrementalParser();
      let text = start;
      parser.parse(text);
      batches.forEach((batch, i) => {
        const next = applyBatch(text, batch);
        text = next.text;
        const fresh = parse(text);
        assert.deepStrictEqual(parser.parse(text, next.unchanged), { file: fresh.file, errors: fresh.errors }, `after edit ${i + 1} (told ${JSON.stringify(next.unchanged)}): ${JSON.stringify(text)}`);
      });
    }),
    params(400),
  );
});

test('incremental analysis equals a fresh analysis on near-valid generated specs under random edits', () => {
  fc.assert(
    fc.property(fc.oneof(nearValid, nearValidMutated), fc.array(edit, { minLength: 1, maxLength: 8 }), (start, edits) => {
      const incremental = new IncrementalAnalyzer();
      let text = start;
      incremental.analyze(text);
      edits.forEach((e, i) => {
        text = applyEdit(text, e);
        assertSame(incremental, text, `after edit ${i + 1}: ${JSON.stringify(text)}`);
      });
    }),
    params(150),
  );
});

test('an edited fn is checked again as a whole check checks fns: before any let, so one whose body names a let in error stays defined (its hover, and a call to it, tell of the let)', () => {
  const incremental = new IncrementalAnalyzer();
  const text = (k: string) => `let bad = nope\nfn f(z) = z + bad\nfn g(z) = z * ${k}\neval g(1)\n`;
  incremental.analyze(text('2'));
  for (const k of ['3', '34', '3']) assertSame(incremental, text(k), `g's body with ${k}`);
  assert.equal(incremental.counts.whole, 1, 'the edits of g were checked without checking the whole file');
});

test('regression: a character the lexer drops right after an error token counts in no segment', () => {
  // `let` wants a name and finds `train`; the U+0000 after it lies in the next segment. The full
  // parse used to drop the `let` error for it, the parse by segments could not, and they differed.
  const texts = ['let\ntrain\u0000 x on x {\n}\n', 'let\ntrain x on x {\n}\n', 'let \u0000\ntrain x on x {\n}\n'];
  for (const text of texts) {
    const incremental = new IncrementalAnalyzer();
    incremental.analyze('let\ntrain x on x {\n}\n');
    assertSame(incremental, text, JSON.stringify(text));
  }
});

test('regression: a data set\'s function(…) and a network\'s features that name a let in error are spoiled by it wherever the let stands', () => {
  // Found by the property above: with the let after the data set, a full analysis lowered the
  // function's expression before the let was computed and reported the arity error in it, while
  // the analysis by segments computed the let first and did not. Now the let is computed when it
  // is named, as in an eval, and the expression is spoiled by it either way.
  const codes = (text: string) => analyze(text).diagnostics.map((d) => d.code).sort();
  const data = 'data x = function(d + 0 + sigmoid(0, 0) + x, n: 0, from: 0, to: 0, noise: 0.1, seed: 1)';
  const features = 'network n {\n  input x[2] features [x1 * d + sigmoid(1, 2), x2]\n  dense y[1] sigmoid\n}';
  for (const statement of [data, features]) {
    const after = `${statement}\nlet d = f(0)`;
    const before = `let d = f(0)\n${statement}`;
    assert.deepEqual(codes(after), codes(before), `the let's place changes nothing: ${JSON.stringify(statement)}`);
    assert.ok(!codes(after).includes('arity'), 'the expression is spoiled by the let in error');
    const incremental = new IncrementalAnalyzer();
    incremental.analyze(after);
    assertSame(incremental, after, JSON.stringify(after));
    assertSame(incremental, before, JSON.stringify(before));
  }
  // A let that is fine leaves the expression's own errors to be reported.
  assert.ok(codes(`${data}\nlet d = 1`).includes('arity'));
});

test('regression: a network whose features name a let is checked again when the let goes', () => {
  // Found by the property above: the names a network's features read were not among the
  // network's (memo.ts `statementRefs`), so its check was replayed after the let it reads had
  // been commented out, without the unknown name.
  const text = 'let k = 3\nnetwork lets {\n  input p[1] features [p1, k * p1]\n  dense y[1] linear\n}\nprobe lets [2] -> [0.5]\n';
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(text);
  const edited = `# ${text}`;
  assertSame(incremental, edited, 'the let commented out');
  assert.ok(incremental.analyze(edited).diagnostics.some((d) => d.code === 'unknown-name'), 'k is unknown now');
  assertSame(incremental, text, 'and back');
});

test('regression: the missing-loss fix reads its indent from its own line when lines end in a lone \\r', () => {
  const body = 'network x {\r  input x[1]\r  dense n[1] sigmoid\r}\r';
  const incremental = new IncrementalAnalyzer();
  incremental.analyze(`eval 0\r${body}`);
  // Before: the indent came from the file's first line (no \n before it), which this edit changes.
  assertSame(incremental, `  eval 0\r${body}`, 'indent the first line');
  const fix = incremental.analyze(`  eval 0\r${body}`).diagnostics.find((d) => d.code === 'missing-loss')?.suggestion;
  assert.equal(fix?.newText, '\n  loss binary_cross_entropy');
});

test('the line index of an edited text, built from the last one, equals a fresh one (\\n, \\r\\n and a lone \\r on either side)', () => {
  const piece = fc.constantFrom('a', 'bc', ' ', '\n', '\r', '\r\n', '\n\n');
  const text = fc.array(piece, { maxLength: 30 }).map((xs) => xs.join(''));
  fc.assert(
    fc.property(text, fc.nat(), fc.nat({ max: 6 }), text, fc.nat(), fc.nat(), (before, at0, remove, insert, cutP, cutQ) => {
      const at = before.length ? at0 % (before.length + 1) : 0;
      const after = before.slice(0, at) + insert + before.slice(Math.min(before.length, at + remove));
      // The longest common prefix and suffix, then any shorter ones: every pair the parser may give.
      let p = 0;
      while (p < Math.min(before.length, after.length) && before[p] === after[p]) p++;
      let q = 0;
      while (q < Math.min(before.length, after.length) - p && before[before.length - 1 - q] === after[after.length - 1 - q]) q++;
      p -= cutP % (p + 1);
      q -= cutQ % (q + 1);
      const edited = LineIndex.edited(new LineIndex(before), after, p, q);
      const fresh = new LineIndex(after);
      assert.deepStrictEqual(lineStarts(edited), lineStarts(fresh), `${JSON.stringify(before)} → ${JSON.stringify(after)} (prefix ${p}, suffix ${q})`);
      for (let o = 0; o <= after.length; o++) assert.deepStrictEqual(edited.position(o), fresh.position(o));
    }),
    params(300),
  );
});
