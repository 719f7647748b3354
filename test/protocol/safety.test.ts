/**
 * Safety and recovery over the protocol. The code action that writes trained weights into the
 * file edits only the network, whatever the file's line breaks. Workspace trust: a client that says
 * `initializationOptions.trusted: false` (VS Code's Restricted Mode) gets checking and
 * highlighting, but no data file is read and nothing trains, until it sends
 * `netspec/workspaceTrusted`. Recovery: a training run that fails (its data file vanished) or
 * whose worker crashes is reported as failed, and the server goes on answering.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { CodeAction, CodeLens, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { hoverText, LspClient } from '../support/lsp';
import { until } from '../support/until';
import { applyEdits } from '../support/lsp-extra';


const SPEC = `network n {
  input x[2]
  dense y[1] sigmoid
  loss binary_cross_entropy
}
data pts from "points.csv"
train n on pts { epochs 5 batch 2 }
`;
const CSV = '0,0,0\n0,1,1\n1,0,1\n1,1,0\n';

let dir: string;
let specUri: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-trust-'));
  fs.writeFileSync(path.join(dir, 'spec.netspec'), SPEC);
  fs.writeFileSync(path.join(dir, 'points.csv'), CSV);
  specUri = pathToFileURL(path.join(dir, 'spec.netspec')).href;
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A server, with every showMessage it sends (the client keeps its trainProgress events). */
async function server(options: Parameters<typeof LspClient.start>[0] = {}) {
  const client = await LspClient.start(options);
  const messages: { type: number; message: string }[] = [];
  client.connection.onNotification('window/showMessage', (m: { type: number; message: string }) => {
    messages.push(m);
  });
  return { client, messages };
}


/** The next diagnostics published for uri after the first `seen` of them. */
function nthPublished(client: LspClient, uri: string, n: number): Promise<PublishDiagnosticsParams> {
  return until(`diagnostics #${n + 1} for ${uri}`, () => client.published.filter((p) => p.uri === uri)[n]);
}

const lenses = (client: LspClient, uri: string) => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<CodeLens[]>;
const train = (client: LspClient, uri: string, line: number) =>
  client.connection.sendRequest('netspec/train', { uri, line }) as Promise<{ runId?: string; error?: string }>;

test('Restricted Mode: checked and highlighted, but no data file is read, no Train lens, no training — until trust is granted', async () => {
  const { client } = await server({ initializationOptions: { trusted: false } });
  try {
    await client.open(specUri, SPEC);
    const first = await nthPublished(client, specUri, 0);
    const restricted = first.diagnostics.filter((d) => d.code === 'restricted');
    assert.equal(restricted.length, 1, JSON.stringify(first.diagnostics));
    assert.equal(restricted[0].severity, 3, 'an information, not an error');
    // On the path, "points.csv", of line 5.
    assert.deepEqual(restricted[0].range, { start: { line: 5, character: 14 }, end: { line: 5, character: 26 } });
    assert.match(String(restricted[0].message), /^"points\.csv" is not read: this workspace is in Restricted Mode: NetSpec checks files but reads no data files and runs no training\. Trust the workspace/);
    assert.equal(first.diagnostics.filter((d) => d.severity === 1).length, 0, 'checking still works: no error');
    // Checking, hovers and semantic tokens still work.
    assert.match(hoverText(await client.hover(specUri, { line: 2, character: 15 })), /sigmoid|σ/);
    const tokens = (await client.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: specUri } })) as { data: number[] };
    assert.ok(tokens.data.length > 0);
    // No Train lens, and a train request is refused with the reason.
    assert.ok(!(await lenses(client, specUri)).some((l) => l.command?.title === 'Train'));
    const refused = await train(client, specUri, 6);
    assert.match(refused.error ?? '', /Restricted Mode/);
    assert.equal(refused.runId, undefined);
    // Exporting a network whose data is a file is refused too: the file would be read.
    const exported = (await client.connection.sendRequest('netspec/exportPyTorch', { uri: specUri })) as { error?: string };
    assert.match(exported.error ?? '', /not trusted \(Restricted Mode\)/);

    // The user trusts the workspace: diagnostics are published again without the notice, the
    // Train lens comes back, and the run reads the CSV and finishes.
    await client.connection.sendNotification('netspec/workspaceTrusted', {});
    const second = await nthPublished(client, specUri, 1);
    assert.deepEqual(second.diagnostics.filter((d) => d.code === 'restricted'), []);
    assert.ok((await lenses(client, specUri)).some((l) => l.command?.title === 'Train'));
    const started = await train(client, specUri, 6);
    assert.ok(started.runId, JSON.stringify(started));
    const done = await client.runEnd(started.runId);
    assert.equal(done.error, undefined, done.error);
    assert.ok(Number.isFinite(done.finalLoss), JSON.stringify(done));
  } finally {
    await client.stop();
  }
});

test('a client that says nothing of trust (any other editor) is trusted', async () => {
  const { client } = await server();
  try {
    await client.open(specUri, SPEC);
    const first = await nthPublished(client, specUri, 0);
    assert.deepEqual(first.diagnostics.filter((d) => d.code === 'restricted'), []);
    assert.ok((await lenses(client, specUri)).some((l) => l.command?.title === 'Train'));
  } finally {
    await client.stop();
  }
});

test('recovery: a run whose data file vanished fails with the reason, and the server goes on', async () => {
  const { client, messages } = await server();
  const gone = path.join(dir, 'gone.netspec');
  const text = SPEC.replace('points.csv', 'vanished.csv');
  fs.writeFileSync(gone, text);
  const uri = pathToFileURL(gone).href;
  try {
    await client.open(uri, text);
    await nthPublished(client, uri, 0);
    const started = await train(client, uri, 6);
    assert.ok(started.runId, JSON.stringify(started));
    const done = await client.runEnd(started.runId);
    assert.match(done.error ?? '', /error \[data-file\] cannot read "vanished\.csv" for `pts`: no such file/);
    await until('the error message naming vanished.csv', () => messages.find((m) => m.type === 1 && /Training n failed: .*vanished\.csv/.test(m.message)), 10_000);
    assert.match(hoverText(await client.hover(uri, { line: 2, character: 15 })), /sigmoid|σ/);
  } finally {
    await client.stop();
  }
});

test('recovery: a training worker that crashes (test hook NETSPEC_TEST_WORKER_CRASH) is reported, and the server goes on', async () => {
  const { client, messages } = await server({ env: { ...process.env, NETSPEC_TEST_WORKER_CRASH: '1' } });
  try {
    await client.open(specUri, SPEC);
    await nthPublished(client, specUri, 0);
    const started = await train(client, specUri, 6);
    assert.ok(started.runId, JSON.stringify(started));
    const done = await client.runEnd(started.runId);
    assert.match(done.error ?? '', /the training worker failed: NETSPEC_TEST_WORKER_CRASH is set/);
    // The message and the failed-run event are two notifications: either may arrive first.
    await until('the error message "Training n failed"', () => messages.find((m) => m.type === 1 && /Training n failed/.test(m.message)), 10_000);
    // Still up: it answers, and it can start another run (which crashes the same way).
    assert.equal(client.process.exitCode, null);
    assert.match(hoverText(await client.hover(specUri, { line: 2, character: 15 })), /sigmoid|σ/);
    const again = await train(client, specUri, 6);
    assert.ok(again.runId && again.runId !== started.runId);
    await client.runEnd(again.runId);
  } finally {
    await client.stop();
  }
});

test('safety: Insert trained weights edits only the network, with lone-CR and CRLF line breaks and one-line networks', async () => {
  const { client } = await server();
  const layouts = {
    'lone CR': 'let before = 1\rnetwork n {\r  input x[1]\r  dense y[1] linear\r  weights y = [[0.5]]\r}\rdata d {\r  [1] -> [2]\r  [2] -> [4]\r}\rtrain n on d { epochs 20 learning_rate 0.05 }\rlet after = 2\r',
    'CRLF': 'let before = 1\r\nnetwork n {\r\n  input x[1]\r\n  dense y[1] linear\r\n  bias y = [0]\r\n}\r\ndata d {\r\n  [1] -> [2]\r\n  [2] -> [4]\r\n}\r\ntrain n on d { epochs 20 learning_rate 0.05 }\r\nlet after = 2\r\n',
    'one line': 'let before = 1\nnetwork n { input x[1] dense y[1] linear weights y = [[0.5]] }\ndata d {\n  [1] -> [2]\n  [2] -> [4]\n}\ntrain n on d { epochs 20 learning_rate 0.05 }\nlet after = 2\n',
  };
  try {
    for (const [name, text] of Object.entries(layouts)) {
      const uri = `file:///safety/${name.replace(' ', '-')}.netspec`;
      await client.open(uri, text);
      await nthPublished(client, uri, 0);
      const trainLine = text.split(/\r\n|\r|\n/).findIndex((l) => l.startsWith('train'));
      const started = await train(client, uri, trainLine);
      assert.ok(started.runId, `${name}: ${started.error}`);
      const done = await client.runEnd(started.runId);
      assert.equal(done.error, undefined, `${name}: ${done.error}`);
      await nthPublished(client, uri, 1); // published again with the trained parameters
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, context: { diagnostics: [] },
      })) as CodeAction[];
      const insert = actions.find((x) => x.title.startsWith('Insert trained weights of n ('));
      assert.ok(insert?.edit?.changes?.[uri], `${name}: no Insert trained weights action among ${actions.map((x) => x.title)}`);
      const out = applyEdits(text, insert.edit.changes[uri]);
      const a = analyze(out);
      assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], `${name}: ${JSON.stringify(out)}`);
      // Everything outside the network is as it was; the network has the trained values.
      assert.deepEqual(a.program.file.statements.map((st) => st.kind), ['let', 'network', 'data', 'train', 'let'], `${name}: ${JSON.stringify(out)}`);
      assert.ok(out.startsWith('let before = 1') && out.includes('let after = 2'), `${name}: ${JSON.stringify(out)}`);
      const eol = name === 'lone CR' ? '\r' : name === 'CRLF' ? '\r\n' : '\n';
      assert.equal(out.split(/\r\n|\r|\n/).length, out.split(eol).length, `${name}: mixed line breaks in ${JSON.stringify(out)}`);
      const w = a.program.networks.get('n')!.network!.layers[0].W[0];
      const w0 = analyze(text).program.networks.get('n')!.network!.layers[0].W[0];
      assert.ok(Math.abs(w - 2) < Math.abs(w0 - 2), `${name}: the trained weight ${w} is no nearer the data's y = 2x than the initial ${w0}`);
    }
  } finally {
    await client.stop();
  }
});
