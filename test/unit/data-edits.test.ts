/** The training panel's clicks as edits of a data block, and generated data rewritten inline. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { addSampleEdit, clickTarget, inlineDataEdit, removeNearestEdit, type DataEditResult } from '../../server/src/analysis/data-edits';
import { generate } from '../../server/src/engine/datasets';

/** The text after the edit (the test fails on a refusal). */
function applied(text: string, r: DataEditResult): string {
  assert.ok('edit' in r, 'error' in r ? r.error : '');
  return text.slice(0, r.edit.start) + r.edit.text + text.slice(r.edit.end);
}

/** The inline samples of `name` in `text`, as the checker reads them (the text must check cleanly). */
function samplesOf(text: string, name = 'd'): { input: number[]; target: number[] }[] {
  const a = analyze(text);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return a.program.data.get(name)!.samples!.map((s) => ({ input: Array.from(s.input), target: Array.from(s.target) }));
}

const net = (outputs: number) => `network n {\n  input x[2]\n  dense y[${outputs}] ${outputs === 1 ? 'sigmoid' : 'softmax'}\n}\n`;

test('a click adds a row after the last one, in its style, its comment left on its line', () => {
  const text = `${net(1)}data d {\n    [0, 0] -> [0]\n    [1, 1] -> [1]   # the last\n}\n`;
  const out = applied(text, addSampleEdit(analyze(text), 'd', [0.123456, -2.5], clickTarget(1, 1)));
  assert.equal(out, `${net(1)}data d {\n    [0, 0] -> [0]\n    [1, 1] -> [1]   # the last\n    [0.1235, -2.5] -> [1]\n}\n`);
  assert.deepEqual(samplesOf(out).at(-1), { input: [0.1235, -2.5], target: [1] });
});

test('a compact block gets a compact row; one-hot targets for two outputs; an empty block gets its first row', () => {
  const compact = `${net(2)}data d {\n\t[0,0]->[1,0]\n}\n`;
  const out = applied(compact, addSampleEdit(analyze(compact), 'd', [3, 4], clickTarget(2, 1)));
  assert.ok(out.includes('\t[0,0]->[1,0]\n\t[3,4]->[0,1]\n}'), out);
  assert.deepEqual(samplesOf(out)[1], { input: [3, 4], target: [0, 1] });
  const empty = `${net(1)}data d {\n}\n`;
  const first = applied(empty, addSampleEdit(analyze(empty), 'd', [1, 2], clickTarget(1, 0)));
  assert.equal(first, `${net(1)}data d {\n  [1, 2] -> [0]\n}\n`);
  // A block closed on its last row's line: the row goes before the brace, on a line of its own.
  const closed = `${net(1)}data d {\n  [0, 0] -> [0] }\n`;
  assert.deepEqual(samplesOf(applied(closed, addSampleEdit(analyze(closed), 'd', [5, 5], [1]))).map((s) => s.input), [[0, 0], [5, 5]]);
  // Windows line breaks stay Windows line breaks.
  const crlf = `${net(1)}data d {\n  [0, 0] -> [0]\n}\n`.replace(/\n/g, '\r\n');
  const crlfOut = applied(crlf, addSampleEdit(analyze(crlf), 'd', [1, 1], [1]));
  assert.ok(!/[^\r]\n/.test(crlfOut), JSON.stringify(crlfOut));
  assert.equal(samplesOf(crlfOut).length, 2);
});

test('clickTarget: the class as one target, or one-hot over the width', () => {
  assert.deepEqual(clickTarget(1, 0), [0]);
  assert.deepEqual(clickTarget(3, 2), [0, 0, 1]);
});

test('alt-click removes the row nearest the point: its whole line, or only the row when others share it', () => {
  const text = `${net(1)}data d {\n  [0, 0] -> [0]\n  [0, 1] -> [1]\n  [1, 0] -> [1]   # near\n  [1, 1] -> [0]\n}\n`;
  const out = applied(text, removeNearestEdit(analyze(text), 'd', [0.9, 0.2]));
  assert.equal(out, `${net(1)}data d {\n  [0, 0] -> [0]\n  [0, 1] -> [1]\n  [1, 1] -> [0]\n}\n`);
  const shared = `${net(1)}data d {\n  [0, 0] -> [0]  [5, 5] -> [1]\n}\n`;
  assert.deepEqual(samplesOf(applied(shared, removeNearestEdit(analyze(shared), 'd', [4, 4]))).map((s) => s.input), [[0, 0]]);
  const empty = `${net(1)}data d {\n}\n`;
  assert.ok('error' in removeNearestEdit(analyze(empty), 'd', [0, 0]));
});

test('a click on generated or file data is refused, saying why (generated data may be turned inline)', () => {
  const gen = `${net(1)}data d = spiral(n: 20, seed: 2)\n`;
  const r = addSampleEdit(analyze(gen), 'd', [0, 0], [1]);
  assert.ok('error' in r && r.generated === true && r.error.includes('spiral(n: 20, seed: 2)'), JSON.stringify(r));
  const file = `${net(1)}data d from "p.csv"\n`;
  const f = removeNearestEdit(analyze(file), 'd', [0, 0]);
  assert.ok('error' in f && !f.generated && f.error.includes('p.csv'), JSON.stringify(f));
  assert.ok('error' in addSampleEdit(analyze(gen), 'missing', [0, 0], [1]));
});

test('generated data turned inline holds the generator\'s samples to the last bit, standardize kept', () => {
  for (const outputs of [1, 2]) {
    const text = `${net(outputs)}data d = moons(n: 50, noise: 0.2, seed: 9) standardize\ntrain n on d\n`;
    const out = applied(text, inlineDataEdit(analyze(text), 'd', outputs));
    assert.ok(/\n\} standardize\ntrain n on d\n$/.test(out), out.slice(-60));
    const expected = generate('moons', { n: 50, noise: 0.2, seed: 9 }, outputs).map((s) => ({ input: Array.from(s.input), target: Array.from(s.target) }));
    assert.deepEqual(samplesOf(out), expected);
  }
  const fn = `network f {\n  input x[1]\n  dense y[1] linear\n}\ndata d = function(sin(3 * x), n: 7, from: -1, to: 2)\n`;
  const out = applied(fn, inlineDataEdit(analyze(fn), 'd', 1));
  const xs = samplesOf(out).map((s) => s.input[0]);
  assert.equal(xs.length, 7);
  assert.deepEqual(samplesOf(out).map((s) => s.target[0]), xs.map((x) => Math.sin(3 * x)));
  const inline = `${net(1)}data d {\n  [0, 0] -> [0]\n}\n`;
  assert.ok('error' in inlineDataEdit(analyze(inline), 'd', 1));
});
