/** The language server over the real protocol on stdio. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { hoverText, EXTENSION_OPTIONS, LspClient, positionOf } from '../support/lsp';
import { repoRoot } from '../support/paths';
import { analyze } from '../../server/src/analysis/analyze';
// Plain JS shared with the benchmark.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateSpec } = require('../../bench/spec-generator.js') as { generateSpec: (lines: number) => string };

let client: LspClient;
before(async () => {
  client = await LspClient.start({ initializationOptions: EXTENSION_OPTIONS });
});
after(async () => {
  await client.stop();
});

const xorText = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');

test('a clean example publishes empty diagnostics for its version', async () => {
  await client.open('file:///xor.netspec', xorText, 1);
  const d = await client.diagnostics('file:///xor.netspec', 1);
  assert.deepEqual(d.diagnostics, []);
});

test('a misspelt activation: an error at its exact range, with a suggestion and a quick fix', async () => {
  const uri = 'file:///typo.netspec';
  const text = 'network n {\n  input x[2]\n  dense y[1] sigmod\n}\n';
  await client.open(uri, text, 1);
  const [d] = (await client.diagnostics(uri, 1)).diagnostics;
  assert.equal(d.severity, 1);
  assert.equal(d.code, 'unknown-activation');
  assert.equal(d.source, 'netspec');
  assert.deepEqual(d.range, { start: { line: 2, character: 13 }, end: { line: 2, character: 19 } });
  assert.match(String(d.message), /Did you mean `sigmoid`/);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: d.range, context: { diagnostics: [d] },
  })) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, "Change to 'sigmoid'");
  assert.equal(actions[0].edit.changes[uri][0].newText, 'sigmoid');
});

test('incremental edits: each version gets its diagnostics, never an older one after a newer one', async () => {
  const uri = 'file:///edits.netspec';
  await client.open(uri, 'eval 1\n', 1);
  await client.diagnostics(uri, 1);
  // Type "eval tanhh(2)" one keystroke at a time, then fix it, as fast as the pipe allows.
  const typed = 'eval tanhh(2)\n';
  let version = 1;
  let col = 0;
  for (const ch of typed) {
    version++;
    await client.change(uri, version, [{ range: { start: { line: 1, character: col }, end: { line: 1, character: col } }, text: ch }]);
    col++;
  }
  const broken = await client.diagnostics(uri, version);
  assert.equal(broken.diagnostics.length, 1);
  assert.equal(broken.diagnostics[0].code, 'unknown-function');
  version++;
  await client.change(uri, version, [{ range: { start: { line: 1, character: 9 }, end: { line: 1, character: 10 } }, text: '' }]);
  const fixed = await client.diagnostics(uri, version);
  assert.deepEqual(fixed.diagnostics, []);
  const versions = client.published.filter((p) => p.uri === uri).map((p) => p.version!);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `published out of order: ${versions}`);
  // How many intermediate versions are skipped depends on timing (the server analyses at once when
  // analysis is cheap, and coalesces changes that arrive together), so only this is asserted:
  assert.equal(new Set(versions).size, versions.length, `a version published twice: ${versions}`);
});

test('changes in bursts and several to a message, anywhere in a file: every version waited for gets what a fresh analysis of its text gives', async () => {
  const uri = 'file:///bursts.netspec';
  let text = generateSpec(160);
  let version = 1;
  await client.open(uri, text, version);
  await client.diagnostics(uri, version);
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pieces = ['1', 'x', ' ', '\n', ')', '[', ']', ',', 'sigmoid(', '\neval ', '\nlet k = ', '\nprobe ', 'network ', '\n}\n', 'eval tanhh(2)\n', 'let a_0 = 3\n'];
  const positionAt = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  let compared = 0;
  for (let step = 0; step < 40; step++) {
    // A burst of one to three versions sent without waiting, each of one to three changes, every
    // change's range in the text the ones before it in the message left (as LSP has them).
    const burst = 1 + random(3);
    for (let b = 0; b < burst; b++) {
      const changes = [];
      for (let c = 1 + random(3); c > 0; c--) {
        const start = random(text.length + 1);
        const end = Math.min(text.length, start + (random(3) === 0 ? random(25) : 0));
        const inserted = random(4) === 0 ? '' : pieces[random(pieces.length)];
        changes.push({ range: { start: positionAt(start), end: positionAt(end) }, text: inserted });
        text = text.slice(0, start) + inserted + text.slice(end);
      }
      await client.change(uri, ++version, changes);
    }
    const published = await client.diagnostics(uri, version);
    const fresh = analyze(text).diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message }));
    assert.deepEqual(published.diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message })), fresh, `version ${version}: ${JSON.stringify(text)}`);
    compared += fresh.length;
  }
  assert.ok(compared > 0, 'some of the versions had diagnostics to compare');
});

test('typing into a fn: what calls it, directly, through another fn and as a layer\'s activation, follows at every keystroke', async () => {
  const uri = 'file:///fn-typing.netspec';
  const lines = [
    'fn act(z) = z * 2',
    'fn twice(z) = act(z) * 2',
    'network n {', '  input x[1]', '  dense y[1] act', '  weights y = [[1]]', '  bias y = [0]', '}',
    'eval act(1)',
    'eval twice(1)',
    'eval n([1])',
    'eval act(',
  ];
  let text = lines.join('\n') + '\n';
  let version = 1;
  await client.open(uri, text, version);
  await client.diagnostics(uri, version);
  // After "z * 2": "z * 2" → "z * 23" → "z * 234", each keystroke a version; then deleted again.
  const col = lines[0].length;
  const typed = '34';
  const steps: { text: string; at: number; remove: number }[] = [];
  for (let k = 0; k < typed.length; k++) steps.push({ text: typed[k], at: col + k, remove: 0 });
  for (let k = typed.length - 1; k >= 0; k--) steps.push({ text: '', at: col + k, remove: 1 });
  for (const step of steps) {
    const start = { line: 0, character: step.at };
    await client.change(uri, ++version, [{ range: { start, end: { line: 0, character: step.at + step.remove } }, text: step.text }]);
    text = text.slice(0, step.at) + step.text + text.slice(step.at + step.remove);
    const published = await client.diagnostics(uri, version);
    const fresh = analyze(text);
    assert.deepEqual(published.diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message })), fresh.diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message })), `version ${version}`);
    const factor = Number(text.slice(lines[0].length - 1, text.indexOf('\n')));
    for (const [line, expected] of [[8, `${factor}`], [9, `${2 * factor}`], [10, `[${factor}]`]] as const) {
      const hover = hoverText(await client.hover(uri, { line, character: 1 }));
      assert.ok(hover.includes(`= \`${expected}\``), `line ${line + 1} with act's factor ${factor}: ${hover}`);
    }
  }
});

test('Enter and Backspace above a probe: the warning and the hover that name its line follow it', async () => {
  const uri = 'file:///moved.netspec';
  // Enter at the start of the let's line: the eval and the let are parsed again, the probe only moves.
  const text = ['network deep {', '  input x[1]', '  dense h[1] sigmoid', '  dense y[1] linear', '  weights h = [[40]]', '  weights y = [[1]]', '}', 'eval 1', 'let q = 2', 'probe deep [1] -> [0]', ''].join('\n');
  await client.open(uri, text, 1);
  const saturation = async (version: number) => (await client.diagnostics(uri, version)).diagnostics.find((d) => d.code === 'saturated');
  const layer = positionOf(text, 'h[1]');
  const first = await saturation(1);
  assert.match(String(first?.message), /at the probe on line 10:/);
  await client.change(uri, 2, [{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, text: '\n' }]);
  const moved = await saturation(2);
  assert.match(String(moved?.message), /at the probe on line 11:/, 'the warning names the probe where it now is');
  assert.deepEqual(moved?.range, first?.range, 'the warning itself, in the network above the edit, stays');
  assert.match(hoverText(await client.hover(uri, layer)), /at the probe on line 11\b/i);
  await client.change(uri, 3, [{ range: { start: { line: 8, character: 0 }, end: { line: 9, character: 0 } }, text: '' }]);
  assert.match(String((await saturation(3))?.message), /at the probe on line 10:/);
  assert.match(hoverText(await client.hover(uri, layer)), /at the probe on line 10\b/i);
});

test('hover on activations: the formula and the derivative from the forward value', async () => {
  const uri = 'file:///xor.netspec';
  const sigmoid = hoverText(await client.hover(uri, positionOf(xorText, 'sigmoid', 2)));
  assert.match(sigmoid, /1 \/ \(1 \+ e\^\(-z\)\)/);
  assert.match(sigmoid, /p \(1 - p\)/);
  const tanh = hoverText(await client.hover(uri, positionOf(xorText, 'tanh', 1)));
  assert.match(tanh, /1 - tanh²\(z\)/);
  const softmax = hoverText(await client.hover(uri, positionOf(xorText, 'softmax', 1)));
  assert.match(softmax, /p_i \(δ_ij − p_j\)/);
});

test('hover on an eval shows its value, with the derivative at that point for a scalar call', async () => {
  const uri = 'file:///xor.netspec';
  const h = hoverText(await client.hover(uri, positionOf(xorText, 'eval sigmoid(z)', 1)));
  assert.match(h, /= `0\.622459`/);
  assert.match(h, /sigmoid' = 0\.235004/);
  const v = hoverText(await client.hover(uri, positionOf(xorText, "eval tanh'(1.0)", 12)));
  assert.match(v, /= `0\.419974`/);
});

test('hover on let and fn: the value, and the derived derivative', async () => {
  const uri = 'file:///xor.netspec';
  assert.match(hoverText(await client.hover(uri, positionOf(xorText, 'let z', 4))), /let z\*\* = `0\.5`/);
  const fn = hoverText(await client.hover(uri, positionOf(xorText, 'fn mish', 4)));
  assert.match(fn, /mish\(z\) = z \* tanh\(softplus\(z\)\)/);
  // Simplified with the identities: tanh' = 1 − tanh², softplus' = sigmoid.
  assert.ok(fn.includes("mish'(z) = tanh(softplus(z)) + z·(1 − tanh(softplus(z))^2)·sigmoid(z)"), fn);
  assert.match(fn, /!\[mish and mish' over [^\n]*\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
});

test('hover on a layer with a probe: dE/dW, dE/db, delta, and the gradient factors at the output', async () => {
  const uri = 'file:///seed.netspec';
  // One sigmoid unit, two inputs: z = 0.5·1 + (-0.25)·2 + 0.1 = 0.1.
  const text = 'network n {\n  input x[2]\n  dense y[1] sigmoid\n  weights y = [[0.5], [-0.25]]\n  bias y = [0.1]\n}\nprobe n [1, 2] -> [1]\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const h = hoverText(await client.hover(uri, positionOf(text, 'dense y', 6)));
  const y = 1 / (1 + Math.exp(-0.1));
  const gp = y * (1 - y);
  const fmt = (x: number) => String(Number(x.toPrecision(6)));
  // The layer reads the network's input, so its input column is xⱼ.
  assert.match(h, /\(g\(zₖ\) − tₖ\) · g'\(zₖ\) · xⱼ/);
  // w₁,₀: (y - t) · g'(z) · x_1 with x_1 = 2.
  assert.ok(h.includes(`| w₁,₀ | ${fmt(y - 1)} | ${fmt(gp)} | 2 | ${fmt((y - 1) * gp * 2)} |`), h);
  assert.ok(h.includes(`dE/db = δ = \`[${fmt((y - 1) * gp)}]\``), h);
});

test('document symbols: the outline with each network\'s layers', async () => {
  const symbols = (await client.symbols('file:///xor.netspec'))!;
  assert.deepEqual(symbols.map((s) => s.name).slice(0, 4), ['xor', 'xor_data', 'train xor', 'probe xor']);
  assert.deepEqual(symbols[0].children!.map((c) => `${c.name} ${c.detail}`), ['x input[2]', 'h dense[4] tanh', 'y dense[1] sigmoid']);
  assert.deepEqual(symbols[0].selectionRange, { start: { line: 1, character: 8 }, end: { line: 1, character: 11 } });
});

test('completion: statement keywords, layer settings, activations after a width, losses, values', async () => {
  const uri = 'file:///complete.netspec';
  const text = 'let rate = 1\nnetwork n {\n  input x[2]\n  dense h[3] \n  loss \n  \n}\neval \n';
  await client.open(uri, text, 1);
  const labels = async (line: number, character: number) => ((await client.completion(uri, { line, character })) ?? []).map((c) => c.label);
  assert.ok((await labels(3, 13)).includes('sigmoid'));
  assert.ok((await labels(3, 13)).includes('softmax'));
  assert.deepEqual(await labels(4, 7), ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy']);
  assert.deepEqual(await labels(5, 2), ['input', 'dense', 'loss', 'init', 'weights', 'bias']);
  const atTop = await labels(8, 0);
  assert.ok(atTop.includes('network') && atTop.includes('eval'));
  const inExpr = await labels(7, 5);
  assert.ok(inExpr.includes('rate') && inExpr.includes('tanh') && inExpr.includes('n'));
});

test('garbage text and hovers everywhere in it never crash the server', async () => {
  const uri = 'file:///garbage.netspec';
  let text = '';
  for (let i = 0; i < 2000; i++) text += String.fromCharCode((i * 7919 + 13) % 200) + (i % 50 === 0 ? '\n' : '');
  text += '\nnetwork { dense [ -> eval fn ( ) = \n probe x [1 -> \u{1F600} \r\n lone \uD800 surrogate';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const lines = text.split(/\r\n|\r|\n/);
  for (let line = 0; line < lines.length; line += 3) {
    for (let character = 0; character <= lines[line].length; character += 7) await client.hover(uri, { line, character });
  }
  // Still alive and answering.
  await client.open('file:///alive.netspec', 'eval 2 ^ 10\n', 1);
  const h = hoverText(await client.hover('file:///alive.netspec', { line: 0, character: 1 }));
  assert.match(h, /1024/);
  assert.doesNotMatch(client.stderr, /failed/);
});
