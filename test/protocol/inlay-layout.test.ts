/**
 * Inlay hints that stay readable, over the protocol: a label short enough that VS Code never cuts
 * it (its default editor.inlayHints.maximumLength is 43), shortened between entries with "…" and
 * never inside a number, a tooltip with the whole value, and no hint between a statement and its
 * trailing comment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { MAX_LABEL } from '../../server/src/analysis/inlay';
import { LspClient } from '../support/lsp';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

async function hints(uri: string, text: string): Promise<InlayHint[]> {
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  return (await client.connection.sendRequest('textDocument/inlayHint', {
    textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } },
  })) as InlayHint[];
}

const label = (h: InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
const tooltip = (h: InlayHint) => (typeof h.tooltip === 'string' ? h.tooltip : h.tooltip?.value ?? '');

/** The numbers of a label or tooltip, in order ("…" and brackets dropped). */
const numbersIn = (s: string) => (s.match(/-?\d+(\.\d+)?(e[-+]?\d+)?/g) ?? []).map(Number);

test('a long vector or matrix: a short label cut between entries, the whole value in the tooltip', async () => {
  const v = Array.from({ length: 30 }, (_, i) => Math.sin(i + 1) * 1000 / (i + 3));
  const m = Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i - j) / 7));
  const text = `let v = ${JSON.stringify(v)} * 1\nlet m = ${JSON.stringify(m)} * 1\neval v * 2\n`;
  const hs = await hints('file:///inlay-long.netspec', text);
  assert.equal(hs.length, 3, JSON.stringify(hs));
  const expected = [v, m.flat(), v.map((x) => x * 2)];
  hs.forEach((h, i) => {
    const l = label(h);
    assert.ok(l.length <= MAX_LABEL && l.length <= 43, `label ${JSON.stringify(l)} is ${l.length} characters`);
    assert.match(l, /^= \[.*…\]+$/, l);
    // Each number shown is a whole entry, in order, rounded to the hint's 4 digits: none is cut.
    const shown = numbersIn(l.slice(2));
    assert.ok(shown.length >= 2, l);
    const full = expected[i];
    if (i === 1) {
      // A matrix keeps whole rows' prefixes: the first row's first entries.
      shown.slice(0, 2).forEach((x, k) => assert.equal(x, Number(full[k].toPrecision(4)), `${l}: entry ${k}`));
    } else {
      shown.forEach((x, k) => assert.equal(x, Number(full[k].toPrecision(4)), `${l}: entry ${k}`));
    }
    // The tooltip: every entry, at full precision.
    assert.deepEqual(numbersIn(tooltip(h).replace(/^[^=]*= /, '')), full, tooltip(h));
  });
  assert.match(tooltip(hs[1]), /^m = \[\[0, -0\.14285714285714285, /, tooltip(hs[1]));
  assert.equal(tooltip(hs[1]).split('\n').length, 6, 'a matrix tooltip has one row a line');
});

test('a hint never stands between a statement and its trailing comment', async () => {
  const text = 'let a = 2 * 3   # six, the number of sides\neval a / 4 # a quarter\nnetwork n {\n  input x[1]\n  dense y[1] linear\n  weights y = [[2]]\n}\nprobe n [3] -> [5]  # the loss\neval 1 + 1\n';
  const hs = await hints('file:///inlay-comment.netspec', text);
  const lines = text.split('\n');
  const at = hs.map((h) => [h.position.line, h.position.character, label(h)]);
  assert.deepEqual(at, [
    [0, lines[0].length, '= 6'],
    [1, lines[1].length, '= 1.5'],
    [7, lines[7].length, 'E = 0.5'],
    [8, 'eval 1 + 1'.length, '= 2'],
  ]);
  assert.equal(tooltip(hs[0]), 'a = 6');
  assert.match(tooltip(hs[2]), /^loss E = 0\.5\noutput = \[6\]$/);
});

test('every hint has a tooltip, the scalar ones too', async () => {
  const text = 'let z = 0.5\nlet w = z * 2\neval sigmoid(z)\n';
  const hs = await hints('file:///inlay-tooltip.netspec', text);
  assert.ok(hs.length >= 2);
  for (const h of hs) assert.ok(tooltip(h).length > 0, JSON.stringify(h));
  assert.equal(tooltip(hs[1]), `sigmoid(z) = ${1 / (1 + Math.exp(-0.5))}`);
});
