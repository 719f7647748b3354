/**
 * Completion over the protocol when a word is finished: no list, so an editor's Enter is a line
 * break (VS Code accepted `tanh` over itself and the next line's `dense` became `tanhdense`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspClient } from '../support/lsp';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

test('completion: nothing once the word typed is complete, so Enter after `tanh` is a line break', async () => {
  const uri = 'file:///complete-word.netspec';
  const text = 'network n {\n  input x[1]\n  dense h[3] tanh\n  dense y[1] tan\n  loss squared_error\n}\n';
  await client.open(uri, text, 1);
  const labels = async (line: number, character: number) => ((await client.completion(uri, { line, character })) ?? []).map((c) => c.label);
  // After `tanh` (a whole activation): no list, not even `tanh` itself or a longer name.
  assert.deepEqual(await labels(2, 17), []);
  // After `tan`: the activations, tanh among them.
  assert.ok((await labels(3, 16)).includes('tanh'));
  // A finished keyword or loss is the same: `loss` + Enter, `squared_error` + Enter.
  assert.deepEqual(await labels(4, 6), []);
  assert.deepEqual(await labels(4, 20), []);
  // In the middle of a word nothing changes: `squ` still offers squared_error.
  assert.ok((await labels(4, 10)).includes('squared_error'));
});

test('completion: nothing for a name being declared, nor right after a block\'s `{`', async () => {
  const uri = 'file:///complete-declare.netspec';
  const text = 'let a = 1\nnetwork n {\n}\ndata d {\n}\nlet b\nfn f\n';
  await client.open(uri, text, 1);
  const labels = async (line: number, character: number) => ((await client.completion(uri, { line, character })) ?? []).map((c) => c.label);
  assert.deepEqual(await labels(1, 8), [], 'network |');
  assert.deepEqual(await labels(1, 9), [], 'network n|');
  assert.deepEqual(await labels(1, 11), [], 'network n {|');
  assert.deepEqual(await labels(3, 8), [], 'data d {|');
  assert.deepEqual(await labels(5, 5), [], 'let b|');
  assert.deepEqual(await labels(6, 4), [], 'fn f|');
  // After `let a = ` values are offered as before.
  assert.ok((await labels(0, 8)).includes('tanh'));
});
