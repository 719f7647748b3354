/**
 * The server under load, over the real protocol: thousands of incremental edits sent as fast as
 * the pipe takes them, with hovers and completions in between. The server must stay up, its
 * memory must stay bounded, no handler may fail, the last version's diagnostics must equal a
 * fresh analysis of the final text (the CLI's), and cancelled requests must be answered as
 * cancelled (RequestCancelled, -32800).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { CancellationTokenSource, LSPErrorCodes, type Position, type TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp';
import { cliPath, repoRoot } from '../support/paths';
import { seededRandom } from '../support/random';

const EDITS = 3000;

let client: LspClient;
const logged: { type: number; message: string }[] = [];

before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('window/logMessage', (m: { type: number; message: string }) => {
    logged.push(m);
  });
});

after(async () => {
  await client.stop();
});

/** The server's resident memory in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  assert.ok(kb > 0, `no VmRSS in /proc/${pid}/status`);
  return kb / 1024;
}

/** LSP positions of a text, with every kind of line break. */
function positionAt(text: string, offset: number): Position {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n' && i + 1 < offset) i++;
    if (c === '\n' || c === '\r') {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

/** Whether an offset would split a \r\n or a surrogate pair (an editor never puts the cursor there). */
function splits(text: string, o: number): boolean {
  const a = text.charCodeAt(o - 1);
  const b = text.charCodeAt(o);
  return (a === 13 && b === 10) || (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff);
}

const TYPED = ['a', 'e', 'x', 'h', '1', '0', '.', ' ', ' ', '(', ')', '[', ']', ',', '-', '>', "'", '=', '{', '}', '\n', '\r\n', '\r', '#', '"', 'é', '\u{1F600}'];
const PASTED = ['eval sigmoid(0.5)\n', 'let q = [1, 2, 3]\n', 'probe xor [1, 0] -> [1]\n', 'dense k[3] relu\n', "fn f(z) = z * tanh(z)\neval f''(1)\n", 'eval 1e999\n'];

test(`stress: ${EDITS} rapid incremental edits with hovers and completions in between`, async (t) => {
  const uri = 'file:///stress/edited.netspec';
  let text = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const pid = client.process.pid!;
  const random = seededRandom(20261128);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const requests: Promise<unknown>[] = [];
  const rss: number[] = [rssMiB(pid)];
  let version = 1;

  for (let i = 0; i < EDITS; i++) {
    let start = Math.floor(random() * (text.length + 1));
    while (splits(text, start)) start--;
    let end = start;
    let insert = '';
    const r = random();
    if (r < 0.55 && text.length < 4000) insert = pick(TYPED);
    else if (r < 0.62 && text.length < 4000) insert = pick(PASTED);
    else {
      end = Math.min(text.length, start + 1 + Math.floor(random() * (r < 0.95 ? 2 : 40)));
      while (splits(text, end)) end++;
    }
    const change: TextDocumentContentChangeEvent = { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert };
    text = text.slice(0, start) + insert + text.slice(end);
    version++;
    void client.change(uri, version, [change]);
    if (i % 7 === 0) {
      const at = positionAt(text, Math.floor(random() * (text.length + 1)));
      requests.push(client.hover(uri, at), client.completion(uri, at));
    }
    if (i % 50 === 0) requests.push(client.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }));
    if (i % 500 === 499) {
      await Promise.all(requests.splice(0)); // let the server catch up now and then, as a typist pauses
      rss.push(rssMiB(pid));
    }
  }
  await Promise.all(requests);
  rss.push(rssMiB(pid));

  assert.equal(client.process.exitCode, null, 'the server exited');
  const failures = logged.filter((m) => m.type === 1);
  assert.deepEqual(failures, [], 'a handler failed');

  // The last version's diagnostics equal a fresh analysis of the final text.
  const published = await client.diagnostics(uri, version, 30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-stress-'));
  try {
    const file = path.join(dir, 'final.netspec');
    fs.writeFileSync(file, text);
    const r = spawnSync(process.execPath, [cliPath(), 'check', '--json', file], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const fresh = JSON.parse(r.stdout).files[0].diagnostics as { severity: string; code: string; message: string; range: unknown }[];
    const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];
    const server = published.diagnostics.map((d) => ({ severity: SEVERITY[d.severity!], code: d.code, message: d.message, range: d.range }));
    assert.deepEqual(server, fresh.map((d) => ({ severity: d.severity, code: d.code, message: d.message, range: d.range })));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  t.diagnostic(`server RSS (MiB) at the start and every 500 edits: ${rss.map((x) => x.toFixed(0)).join(', ')}; final text ${text.length} characters, version ${version}, ${published.diagnostics.length} diagnostics`);
  // Bounded memory: what the first 500 edits settled at, the rest do not keep adding to.
  const settled = rss[1];
  const last = rss[rss.length - 1];
  assert.ok(Math.max(...rss) < 600, `RSS reached ${Math.max(...rss).toFixed(0)} MiB: ${rss.map((x) => x.toFixed(0)).join(', ')}`);
  assert.ok(last < settled + 150, `RSS grew from ${settled.toFixed(0)} to ${last.toFixed(0)} MiB: ${rss.map((x) => x.toFixed(0)).join(', ')}`);
});

test('stress: cancelled requests are answered with RequestCancelled (-32800)', async () => {
  // A document whose analysis takes a while, so the requests behind it are still queued when
  // their cancellations arrive.
  const uri = 'file:///stress/slow.netspec';
  const slow = `let a = [${Array(150_000).fill('0.5').join(', ')}]\neval sum(a)\n`;
  await client.open(uri, slow, 1);
  const first = client.hover(uri, { line: 1, character: 6 }); // analyses the document
  const sources = Array.from({ length: 20 }, () => new CancellationTokenSource());
  const queued = sources.map((s, i) => client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: i % 8 } }, s.token));
  const settled = Promise.allSettled(queued); // handled from the start: some are answered before `first`
  for (const s of sources) s.cancel();
  await first;
  const outcomes = await settled;
  const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: number }).code : 'answered'));
  // A request the server finished before its cancellation arrived may be answered (LSP allows it);
  // every other one must be RequestCancelled, and the run must cancel most of them.
  assert.ok(codes.every((c) => c === LSPErrorCodes.RequestCancelled || c === 'answered'), JSON.stringify(codes));
  assert.ok(codes.filter((c) => c === LSPErrorCodes.RequestCancelled).length >= 10, JSON.stringify(codes));
  // The server goes on answering.
  const h = await client.hover(uri, { line: 1, character: 6 });
  assert.ok(h, 'no hover after the cancellations');
});
