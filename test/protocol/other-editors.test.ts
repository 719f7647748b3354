/**
 * The server as an editor other than VS Code meets it (Neovim, Helix, Emacs): started by its
 * command's name with no arguments; hovers with text plots instead of pictures; lenses it can run
 * itself through workspace/executeCommand (Train with messages, Stop while a run goes, Export to
 * PyTorch through workspace/applyEdit) and none that need a webview; refresh requests only to
 * clients that declared them; settings from the initialization options and
 * workspace/didChangeConfiguration when the client is not asked through workspace/configuration.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ApplyWorkspaceEditParams, CodeLens, InlayHint, ShowMessageParams } from 'vscode-languageserver-protocol';
import { SERVER_NODE_FLAGS } from '../../server/src/protocol/launch';
import { hoverText, LspClient, positionOf } from '../support/lsp';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';

const XOR = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
const trainLine = XOR.split('\n').findIndex((l) => l.startsWith('train xor'));

/** A client that records the server's messages and requests to it. */
async function editor(options: Parameters<typeof LspClient.start>[0] = {}) {
  const client = await LspClient.start(options);
  const messages: ShowMessageParams[] = [];
  const refreshes: string[] = [];
  const edits: ApplyWorkspaceEditParams[] = [];
  client.connection.onNotification('window/showMessage', (m: ShowMessageParams) => void messages.push(m));
  for (const method of ['workspace/codeLens/refresh', 'workspace/inlayHint/refresh']) client.connection.onRequest(method, () => void refreshes.push(method));
  client.connection.onRequest('workspace/applyEdit', (p: ApplyWorkspaceEditParams) => {
    edits.push(p);
    return { applied: true };
  });
  return { client, messages, refreshes, edits };
}

const lenses = (client: LspClient, uri: string) => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<CodeLens[]>;

test('netspec-language-server: --version, and stdio with no arguments', async () => {
  const server = path.join(repoRoot(), 'dist', 'server.js');
  const version = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')).version as string;
  const r = spawnSync(server, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `netspec-language-server ${version}\n`);
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin['netspec-language-server'], 'dist/server.js');
  const { client } = await editor({ args: [] });
  try {
    const uri = 'file:///bare.netspec';
    await client.open(uri, XOR, 1);
    const d = await client.diagnostics(uri, 1);
    assert.deepEqual(d.diagnostics.filter((x) => x.severity === 1), []);
  } finally {
    await client.stop();
  }
});

test('netspec-language-server runs Node with the server\'s flags (its shebang), as VS Code starts it', async () => {
  const server = spawn(path.join(repoRoot(), 'dist', 'server.js'), ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    // env replaces itself with node: the same process, with node's arguments once it has.
    const args = await until('node started by the shebang', () => {
      const a = fs.readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return a.some((x) => x.endsWith('server.js')) && !/env$/.test(a[0]) ? a : undefined;
    });
    assert.ok(SERVER_NODE_FLAGS.length > 0);
    assert.deepEqual(args.slice(1, 1 + SERVER_NODE_FLAGS.length), [...SERVER_NODE_FLAGS], `started as ${args.join(' ')}`);
  } finally {
    server.kill();
  }
});

test('a client that shows no pictures: hovers carry a text plot, and no lens needs a webview', async () => {
  const { client } = await editor();
  try {
    const uri = 'file:///text-hover.netspec';
    await client.open(uri, XOR, 1);
    await client.diagnostics(uri, 1);
    const hover = hoverText(await client.hover(uri, positionOf(XOR, 'sigmoid', 2)));
    assert.doesNotMatch(hover, /data:image/);
    assert.match(hover, /p\s?\(1 - p\)/);
    const plot = /```text\nsigmoid:\n([\s\S]*?)```/.exec(hover);
    assert.ok(plot, `a text plot in: ${hover}`);
    assert.match(plot[1], /[\u2801-\u28ff]/, 'braille dots');
    assert.ok(plot[1].split('\n').every((l) => l.length <= 48), 'lines that fit a terminal');
    const titles = (await lenses(client, uri)).map((l) => [l.command!.title, l.command!.command]);
    assert.deepEqual(titles.filter(([t]) => /Show/.test(t)), [], 'no Show plot / Show network lens');
    assert.deepEqual(titles.filter(([t]) => t === 'Train' || t === 'Export to PyTorch'), [['Train', 'netspec.server.train'], ['Export to PyTorch', 'netspec.server.exportPyTorch']]);
  } finally {
    await client.stop();
  }
  // The same client saying it shows pictures gets them.
  const { client: images } = await editor({ initializationOptions: { hoverImages: true } });
  try {
    const uri = 'file:///image-hover.netspec';
    await images.open(uri, XOR, 1);
    await images.diagnostics(uri, 1);
    assert.match(hoverText(await images.hover(uri, positionOf(XOR, 'sigmoid', 2))), /data:image\/svg\+xml;base64,/);
  } finally {
    await images.stop();
  }
});

test('Train through workspace/executeCommand: messages at the start and the end, Stop while it goes, no refresh undeclared', async () => {
  const { client, messages, refreshes } = await editor();
  try {
    const uri = 'file:///train-command.netspec';
    await client.open(uri, XOR, 1);
    await client.diagnostics(uri, 1);
    const train = (await lenses(client, uri)).find((l) => l.command?.title === 'Train')!;
    assert.deepEqual(train.command!.arguments, [uri, trainLine]);
    const answer = (await client.connection.sendRequest('workspace/executeCommand', { command: train.command!.command, arguments: train.command!.arguments })) as { runId: string };
    assert.ok(answer.runId, JSON.stringify(answer));
    const end = await until('the end message', () => messages.find((m) => /^Trained xor on xor_data: final loss /.test(m.message)), 60_000);
    assert.equal(end.type, 3);
    assert.match(messages[0].message, /^Training xor on xor_data…$/);
    // The final loss is the run's (the end event's finalLoss).
    const last = await client.runEnd(answer.runId);
    assert.equal(Number(/final loss (\S+) after/.exec(end.message)![1]), Number(last.finalLoss!.toPrecision(6)));
    assert.deepEqual(refreshes, [], 'a client that declared no refreshSupport is sent no refresh');

    // A long run shows Stop on its statement; Stop ends it with a message.
    const long = XOR.replace('epochs        2000', 'epochs        10000000');
    await client.change(uri, 2, [{ text: long }]);
    await client.diagnostics(uri, 2);
    const started = (await client.connection.sendRequest('workspace/executeCommand', { command: 'netspec.server.train', arguments: [uri, trainLine] })) as { runId: string };
    const stop = await until('a Stop lens', async () => (await lenses(client, uri)).find((l) => l.command?.title === 'Stop training'), 10_000);
    assert.deepEqual(stop.command!.arguments, [uri]);
    const stopped = (await client.connection.sendRequest('workspace/executeCommand', { command: stop.command!.command, arguments: stop.command!.arguments })) as { stopped: number };
    assert.equal(stopped.stopped, 1);
    const ended = await client.runEnd(started.runId);
    assert.equal(ended.cancelled, true);
    await until('the stop message', () => messages.find((m) => /^Training xor on xor_data stopped/.test(m.message)), 10_000);
    assert.ok((await lenses(client, uri)).some((l) => l.command?.title === 'Train'), 'Train again once stopped');
  } finally {
    await client.stop();
  }
});

test('refresh requests go to a client that declared them', async () => {
  const { client, refreshes } = await editor({ capabilities: { workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } } } });
  try {
    const uri = 'file:///refresh.netspec';
    await client.open(uri, XOR, 1);
    await client.diagnostics(uri, 1);
    const answer = (await client.connection.sendRequest('netspec/train', { uri, line: trainLine })) as { runId: string };
    await client.runEnd(answer.runId);
    await until('both refreshes', () => (refreshes.includes('workspace/codeLens/refresh') && refreshes.includes('workspace/inlayHint/refresh')) || undefined, 10_000);
  } finally {
    await client.stop();
  }
});

test('Export to PyTorch writes the program beside the spec through workspace/applyEdit, where the client can create files', async () => {
  const capabilities = { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } };
  const { client, edits, messages } = await editor({ capabilities });
  try {
    const uri = 'file:///work/specs/xor.netspec';
    await client.open(uri, XOR, 1);
    await client.diagnostics(uri, 1);
    const lens = (await lenses(client, uri)).find((l) => l.command?.title === 'Export to PyTorch')!;
    const r = (await client.connection.sendRequest('workspace/executeCommand', { command: lens.command!.command, arguments: lens.command!.arguments })) as { uri: string };
    assert.equal(r.uri, 'file:///work/specs/xor.xor.py');
    assert.equal(edits.length, 1);
    const [create, insert] = edits[0].edit.documentChanges as [{ kind: string; uri: string; options: object }, { textDocument: { uri: string }; edits: { newText: string }[] }];
    assert.deepEqual(create, { kind: 'create', uri: 'file:///work/specs/xor.xor.py', options: { overwrite: false, ignoreIfExists: false } });
    assert.equal(insert.textDocument.uri, create.uri);
    // The program `netspec export` writes (the CLI, a separate process).
    const dir = fs.mkdtempSync(path.join(repoRoot(), 'out', 'export-'));
    try {
      fs.writeFileSync(path.join(dir, 'xor.netspec'), XOR);
      const cli = spawnSync(process.execPath, [path.join(repoRoot(), 'dist', 'cli.js'), 'export', 'xor.netspec', '--to', 'pytorch', '-o', '-'], { encoding: 'utf8', cwd: dir });
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(insert.edits[0].newText, cli.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(messages.some((m) => m.message.startsWith('Exported xor to xor.xor.py')));
  } finally {
    await client.stop();
  }
  // A client that cannot create files is told what to run instead, and nothing is written.
  const { client: plain, edits: none, messages: said } = await editor();
  try {
    const uri = 'file:///work/specs/xor.netspec';
    await plain.open(uri, XOR, 1);
    await plain.diagnostics(uri, 1);
    const r = (await plain.connection.sendRequest('workspace/executeCommand', { command: 'netspec.server.exportPyTorch', arguments: [uri, 'xor'] })) as { error: string };
    assert.match(r.error, /netspec export FILE --network xor --to pytorch/);
    assert.deepEqual(none, []);
    assert.equal(said.at(-1)?.type, 1);
  } finally {
    await plain.stop();
  }
});

test('settings without workspace/configuration: from the initialization options, then workspace/didChangeConfiguration', async () => {
  const text = 'let z = 0.5\neval sigmoid(z)\n';
  const hints = async (client: LspClient, uri: string) => ((await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } })) as InlayHint[]).map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
  const { client } = await editor({ initializationOptions: { settings: { netspec: { inlayHints: { values: false } } } } });
  try {
    const uri = 'file:///settings.netspec';
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1);
    assert.deepEqual((await hints(client, uri)).filter((h) => /0\.62/.test(h)), [], 'values hidden, as the initialization options say');
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { netspec: { inlayHints: { values: true, significantDigits: 3 } } } });
    const shown = await until('the value hint', async () => (await hints(client, uri)).find((h) => /0\.62/.test(h)), 5_000);
    assert.match(shown, /0\.622(?!\d)/, 'three significant digits');
  } finally {
    await client.stop();
  }
});
