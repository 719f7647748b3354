#!/usr/bin/env node
'use strict';
// Self-check of the real-editor harness (test/editor/harness.js), with a throw-away stub
// extension written to a temp folder (never into the repo):
//   1. prerequisites check gives a clear message when .editor is missing
//   2. extension-host test that passes   -> exit code 0
//   3. extension-host test that fails    -> non-zero exit code
//   4. UI flow: open a .demo file from the Explorer, language mode 'Demo', hover text
//      (produced by a child `node` process, like a language server), Problems, a command's
//      notification, screenshot
// Usage: node test/editor/selfcheck.js [--keep] [--only=prereq,exthost-pass,exthost-fail,ui]
// Prints one line per check and closes with 'N passed, N failed'. Exit code 0 only if all pass.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const harness = require('./harness');

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const only = (argv.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const OVERALL_TIMEOUT_MS = 8 * 60 * 1000;

// ------------------------------------------------------------------ the stub extension

/** @param {string} root */
function writeStub(root) {
  const ext = path.join(root, 'demo-ext');
  const ws = path.join(root, 'workspace');
  const tests = path.join(root, 'tests');
  for (const d of [ext, ws, path.join(ws, 'sub'), tests]) fs.mkdirSync(d, { recursive: true });

  fs.writeFileSync(path.join(ext, 'package.json'), JSON.stringify({
    name: 'demo-stub',
    displayName: 'Demo stub',
    publisher: 'netspec-selfcheck',
    version: '0.0.1',
    engines: { vscode: '^1.90.0' },
    main: './extension.js',
    activationEvents: ['onLanguage:demo'],
    contributes: {
      languages: [{ id: 'demo', aliases: ['Demo', 'demo'], extensions: ['.demo'] }],
      commands: [{ command: 'demoStub.hello', title: 'Demo Stub: Say Hello' }],
    },
  }, null, 2));

  // A child process started with plain `node` from PATH, talking JSON lines on stdio, as a
  // language server would. The hover text comes from it.
  fs.writeFileSync(path.join(ext, 'server.js'), `
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id: req.id, text: 'demo word: \`' + req.word + '\` (server ' + process.version + ', pid ' + process.pid + ')' }) + '\\n');
});
`);

  fs.writeFileSync(path.join(ext, 'extension.js'), `
const vscode = require('vscode');
const cp = require('child_process');
const path = require('path');

// how: 'spawn-node' = spawn('node') from PATH; 'fork' = fork() with the extension host's own
// Node (process.execPath), which is what vscode-languageclient does for { module, transport: ipc }
function startServer(context, how) {
  const server = path.join(__dirname, 'server.js');
  const child = how === 'fork'
    ? cp.fork(server, [], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] })
    : cp.spawn('node', [server], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let buf = '', nextId = 1, failed = null;
  child.on('error', (e) => { failed = e; for (const p of pending.values()) p.reject(e); pending.clear(); });
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
      const p = pending.get(msg.id); if (p) { pending.delete(msg.id); p.resolve(msg.text); }
    }
  });
  context.subscriptions.push({ dispose: () => child.kill() });
  return (word) => new Promise((resolve, reject) => {
    if (failed) return reject(failed);
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.stdin.write(JSON.stringify({ id, word }) + '\\n');
  });
}

exports.activate = function (context) {
  const askSpawned = startServer(context, 'spawn-node');
  const askForked = startServer(context, 'fork');
  context.subscriptions.push(vscode.languages.registerHoverProvider('demo', {
    async provideHover(doc, pos) {
      const range = doc.getWordRangeAtPosition(pos);
      if (!range) return;
      const word = doc.getText(range);
      const [a, b] = await Promise.all([askSpawned(word), askForked(word)]);
      return new vscode.Hover(new vscode.MarkdownString(a + '\\n\\n' + 'forked: ' + b), range);
    },
  }));
  const diags = vscode.languages.createDiagnosticCollection('demo');
  context.subscriptions.push(diags);
  const lint = (doc) => {
    if (doc.languageId !== 'demo') return;
    const out = [];
    doc.getText().split(/\\r?\\n/).forEach((line, n) => {
      const re = /\\bbad\\b/g; let m;
      while ((m = re.exec(line))) out.push(new vscode.Diagnostic(new vscode.Range(n, m.index, n, m.index + 3), "demo: 'bad' is not allowed", vscode.DiagnosticSeverity.Error));
    });
    diags.set(doc.uri, out);
  };
  vscode.workspace.textDocuments.forEach(lint);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(lint), vscode.workspace.onDidChangeTextDocument((e) => lint(e.document)));
  context.subscriptions.push(vscode.commands.registerCommand('demoStub.hello', () => vscode.window.showInformationMessage('Hello from the demo stub')));
};
exports.deactivate = function () {};
`);

  fs.writeFileSync(path.join(ws, 'sample.demo'), 'hello world\nthis line is bad\n');
  fs.writeFileSync(path.join(ws, 'sub', 'nested.demo'), 'nested words here\n');

  // Extension-host test modules: the shape @vscode/test-electron runs (run(): Promise<void>).
  fs.writeFileSync(path.join(tests, 'pass.js'), `
const vscode = require('vscode');
const assert = require('assert');
exports.run = async function run() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'a workspace folder is open');
  const uri = vscode.Uri.joinPath(folder.uri, 'sample.demo');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  assert.strictEqual(doc.languageId, 'demo');
  const ext = vscode.extensions.getExtension('netspec-selfcheck.demo-stub');
  assert.ok(ext, 'stub extension is loaded from extensionDevelopmentPath');
  await ext.activate();
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(0, 2));
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\\n');
  console.log('hover via executeHoverProvider: ' + text);
  console.log('extension host: node ' + process.version + ', remoteName=' + vscode.env.remoteName + ', uiKind=' + vscode.env.uiKind + ', vscode ' + vscode.version);
  assert.match(text, /demo word: \`hello\`/);
  assert.match(text, /server v\\d+/);
  assert.match(text, /forked: demo word: \`hello\` \\(server v\\d+/);
  // diagnostics arrive too
  for (let i = 0; i < 50 && vscode.languages.getDiagnostics(uri).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const diags = vscode.languages.getDiagnostics(uri);
  assert.strictEqual(diags.length, 1);
  assert.strictEqual(diags[0].range.start.line, 1);
  console.log('PASS: stub hover + diagnostics');
};
`);
  fs.writeFileSync(path.join(tests, 'fail.js'), `
const vscode = require('vscode');
const assert = require('assert');
exports.run = async function run() {
  const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'sample.demo');
  const doc = await vscode.workspace.openTextDocument(uri);
  console.log('about to fail on purpose');
  assert.strictEqual(doc.lineCount, 99, 'deliberate failure: sample.demo does not have 99 lines');
};
`);
  return { ext, ws, tests };
}

// ------------------------------------------------------------------ checks

/** @type {{ name?: string, ok: boolean, ms?: number }[]} */
const results = [];
/**
 * @param {string} name
 * @param {() => Promise<string>} fn  resolves with a detail for the report line
 */
async function check(name, fn) {
  if (only.length && !only.includes(name)) return;
  const t0 = Date.now();
  try {
    const detail = await fn();
    const ms = Date.now() - t0;
    results.push({ name, ok: true, ms });
    console.log(`ok   ${name} (${(ms / 1000).toFixed(1)} s)${detail ? ' - ' + detail : ''}`);
  } catch (e) {
    const ms = Date.now() - t0;
    results.push({ name, ok: false, ms });
    console.log(`FAIL ${name} (${(ms / 1000).toFixed(1)} s): ${e && /** @type {Error} */ (e).stack || e}`);
  }
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-selfcheck-'));
  const stub = writeStub(root);
  console.log(`stub extension and workspace in ${root}`);

  await check('prereq', async () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, 'harness.js'))}).checkPrerequisites()`],
      { env: Object.assign({}, process.env, { EDITOR_DIR: path.join(root, 'no-such-editor-dir'), CHROMIUM_PATH: path.join(root, 'no-chromium') }), encoding: 'utf8', timeout: 20000 });
    if (r.status === 0) throw new Error('checkPrerequisites() did not throw with EDITOR_DIR missing');
    for (const want of ['scripts/editor/install.sh', 'apt-get install -y chromium']) {
      if (!r.stderr.includes(want)) throw new Error(`message lacks '${want}':\n${r.stderr}`);
    }
    harness.checkPrerequisites(); // and the real install is complete
    return 'missing-install message names install.sh and apt-get install chromium';
  });

  await check('exthost-pass', async () => {
    /** @type {string[]} */
    const lines = [];
    const code = await harness.runExtensionTests({
      extensionDevelopmentPath: stub.ext, extensionTestsPath: path.join(stub.tests, 'pass.js'), folder: stub.ws, timeoutMs: 90000,
      log: (l) => { lines.push(l); console.log('    | ' + l); },
    });
    if (code !== 0) throw new Error(`exit code ${code}, want 0`);
    if (!lines.some((l) => l.includes('PASS: stub hover + diagnostics'))) throw new Error('the test log did not reach stdout');
    return 'exit code 0';
  });

  await check('exthost-fail', async () => {
    /** @type {string[]} */
    const lines = [];
    const code = await harness.runExtensionTests({
      extensionDevelopmentPath: stub.ext, extensionTestsPath: path.join(stub.tests, 'fail.js'), folder: stub.ws, timeoutMs: 90000,
      log: (l) => { lines.push(l); console.log('    | ' + l); },
    });
    if (code === 0) throw new Error('exit code 0 for a failing test');
    return `exit code ${code} (non-zero, as wanted)`;
  });

  await check('ui', async () => {
    /** @type {string[]} */
    const laps = [];
    let t = Date.now();
    const lap = (/** @type {string} */ what) => { laps.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)}s`); t = Date.now(); };
    const server = await harness.startCodeServer({ folder: stub.ws, extensionDir: stub.ext, keepTemp: keep });
    lap('server');
    let browser;
    try {
      browser = await harness.openBrowser();
      lap('browser');
      const ed = browser.editor;
      await ed.openFolder(server.url, stub.ws);
      lap('workbench');
      await ed.openFile('sample.demo');
      lap('openFile');
      await ed.waitForLanguageMode('Demo');
      lap('languageMode');
      const hover = await ed.hover('hello');
      lap('hover');
      await ed.screenshot(path.join(keep ? root : os.tmpdir(), 'netspec-selfcheck-hover.png'));
      if (!/demo word: hello[\s\S]*forked: demo word: hello/.test(hover.replace(/`/g, ''))) throw new Error(`hover text: ${JSON.stringify(hover)}`);
      const problems = await ed.problems({ minCount: 1 });
      lap('problems');
      if (!problems.some((p) => p.includes("'bad' is not allowed"))) throw new Error(`problems: ${JSON.stringify(problems)}`);
      const squiggles = await ed.squiggles('error');
      await ed.runCommand('Demo Stub: Say Hello');
      const toasts = await ed.notifications();
      if (!toasts.some((t) => t.includes('Hello from the demo stub'))) throw new Error(`notifications: ${JSON.stringify(toasts)}`);
      lap('command+toast');
      await ed.openFile('sub/nested.demo');
      await ed.waitForLanguageMode('Demo');
      const shot = path.join(keep ? root : os.tmpdir(), 'netspec-selfcheck-ui.png');
      await ed.screenshot(shot);
      lap('nested file+screenshot');
      console.log(`    hover: ${JSON.stringify(hover)}`);
      console.log(`    problems: ${JSON.stringify(problems)}; error squiggles: ${squiggles}`);
      console.log(`    toasts: ${JSON.stringify(toasts)}`);
      console.log(`    screenshots: ${shot}, ${path.join(path.dirname(shot), 'netspec-selfcheck-hover.png')}`);
      console.log(`    timings: ${laps.join(', ')}`);
      return 'language mode, hover, problems, command, screenshot';
    } catch (e) {
      if (browser) {
        const shot = path.join(os.tmpdir(), 'netspec-selfcheck-ui-failure.png');
        await browser.page.screenshot({ path: shot }).catch(() => {});
        /** @type {Error} */ (e).message += `\nfailure screenshot: ${shot}\ncode-server log tail:\n${server.logTail(20)}`;
      }
      throw e;
    } finally {
      if (browser) await browser.close();
      await server.stop();
    }
  });

  if (!keep) fs.rmSync(root, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.log(`FAIL selfcheck: overall timeout ${OVERALL_TIMEOUT_MS} ms`);
  await harness.cleanupAll();
  process.exit(2);
}, OVERALL_TIMEOUT_MS);

main().catch((e) => { console.log(`FAIL selfcheck: ${e && e.stack || e}`); results.push({ ok: false }); })
  .finally(async () => {
    await harness.cleanupAll();
    clearTimeout(watchdog);
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
