/**
 * The web extension (package.json `browser`: dist/web/extension.js, the server dist/web/server.js
 * in a Web Worker) in code-server's web worker extension host, the host vscode.dev uses. The
 * extension is a browser-only copy (webExtension.ts): with `main` as well, code-server would run
 * the Node build. Two parts:
 * - the extension-host suite bundled for the browser (test/editor/web/index.ts), through the
 *   smoke-test driver with `extensionDevelopmentKind: web`; then its exports against the CLI's;
 * - a UI test as a person sees it: the squiggle, the hover with its plot, a run from the
 *   palette in the training panel, and data files refused with the desktop's words.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, panelRunDone, retryOnce, sigmoidHoverWithPlot, toastsWhen, trainingPanelFrame } from './ui';
import { browserOnlyExtension } from './webExtension';
import { makeWorkspace } from './workspace';

// Loaded at run time from the source tree: the harness finds .editor/ relative to itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

const artifacts = path.join(repoRoot(), 'test-results');

/** A network trained on a CSV file beside it. */
const CSV_SPEC = 'network n {\n  input x[1]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d from "points.csv"\ntrain n on d {\n  epochs 50\n  learning_rate 0.5\n}\nprobe n [2] -> [1]\n';

/** The real-editor workspace, with csv.netspec and its points.csv. */
function webWorkspace(prefix: string): string {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.writeFileSync(path.join(folder, 'points.csv'), 'x,y\n0,0\n1,1\n2,1\n-1,0\n');
  fs.writeFileSync(path.join(folder, 'csv.netspec'), CSV_SPEC);
  return folder;
}

test('prerequisites of the web extension\'s tests are built', () => {
  harness.checkPrerequisites();
  for (const f of ['dist/web/extension.js', 'dist/web/server.js', 'out/test/editor/web/index.js']) assert.ok(fs.existsSync(path.join(repoRoot(), f)), `${f} is built`);
});

test('web extension-host suite in the web worker extension host: diagnostics, hover, training, CSV data, export, restarts', { timeout: 240_000 }, async () => {
  const extension = browserOnlyExtension({ withTests: true });
  const folder = webWorkspace('netspec-webws-');
  try {
    const code = await harness.runExtensionTests({
      extensionDevelopmentPath: extension,
      extensionTestsPath: path.join(extension, 'out', 'test', 'editor', 'web', 'index.js'),
      folder,
      extensionKind: 'web',
      timeoutMs: 180_000,
    });
    assert.equal(code, 0, 'the web extension-host suite failed (its log is above)');
    // What the browser's export wrote through workspace.fs is what the CLI writes.
    for (const [spec, network] of [['xor.netspec', 'xor'], ['csv.netspec', 'n']]) {
      const cli = execFileSync(process.execPath, [cliPath(), 'export', spec, '--network', network, '--to', 'pytorch', '-o', '-'], { cwd: folder, encoding: 'utf8' });
      assert.equal(fs.readFileSync(path.join(folder, `${path.basename(spec, '.netspec')}.${network}.py`), 'utf8'), cli, `the export of ${network}`);
    }
    const onnx = execFileSync(process.execPath, [cliPath(), 'export', 'xor.netspec', '--network', 'xor', '--to', 'onnx', '-o', '-'], { cwd: folder });
    assert.ok(fs.readFileSync(path.join(folder, 'xor.xor.onnx')).equals(onnx), 'the ONNX export of xor is the CLI\'s');
    // What Export Network Diagram (SVG) wrote, before any run, is what `netspec diagram` writes.
    const diagram = execFileSync(process.execPath, [cliPath(), 'diagram', 'xor.netspec', '--network', 'xor', '-o', '-'], { cwd: folder, encoding: 'utf8' });
    assert.equal(fs.readFileSync(path.join(folder, 'xor.xor.svg'), 'utf8'), diagram, 'the diagram of xor');
  } finally {
    fs.rmSync(extension, { recursive: true, force: true });
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

/** The UI scenario with the web extension, as a person would go through it. */
async function webScenario(): Promise<void> {
  const extension = browserOnlyExtension();
  const folder = webWorkspace('netspec-webui-');
  // Data files the browser's server must refuse as the desktop's does: outside the spec's folder
  // (its parent is the temporary folder the workspace is in), and over the size limit (sparse).
  const outside = path.join(path.dirname(folder), `${path.basename(folder)}-outside.csv`);
  fs.writeFileSync(outside, 'x,y\n0,0\n1,1\n');
  fs.writeFileSync(path.join(folder, 'outside.netspec'), CSV_SPEC.replace('points.csv', `../${path.basename(outside)}`));
  fs.writeFileSync(path.join(folder, 'big.csv'), '');
  fs.truncateSync(path.join(folder, 'big.csv'), 70_000_000);
  fs.writeFileSync(path.join(folder, 'big.netspec'), CSV_SPEC.replace('points.csv', 'big.csv'));
  try {
    await inEditor(folder, { viewport: { width: 1280, height: 1000 }, extensionDir: extension }, async (browser) => {
      const editor = browser.editor;
      // The proof that the extension and its server run in the browser: the browser itself fetches
      // dist/web/extension.js and dist/web/server.js (the Node host would start dist/extension.js
      // and dist/server.js, which the browser never sees).
      const fetched: string[] = [];
      browser.context.on('request', (r: { url(): string }) => void fetched.push(r.url()));
      await editor.openFile('broken.netspec');
      await editor.waitForLanguageMode('NetSpec');
      await until('an error squiggle under `sigmod`', async () => ((await editor.squiggles('error')) || undefined), 30_000, 200);
      const problems: string = (await editor.problems({ minCount: 1 })).join('\n');
      assert.match(problems, /Unknown activation `sigmod`\. Did you mean `sigmoid`\?/);
      // code-server serves an extension's files as vscode-remote-resource?path=<the file>.
      const files = fetched.map((u) => decodeURIComponent(u));
      for (const f of ['/dist/web/extension.js', '/dist/web/server.js']) assert.ok(files.some((u) => u.includes(f)), `the browser did not fetch ${f}: ${files.filter((u) => /netspec/.test(u)).join(' ')}`);

      await editor.openFile('xor.netspec');
      await editor.waitForLanguageMode('NetSpec');
      assert.match(await sigmoidHoverWithPlot(browser, path.join(artifacts, 'web-hover.png')), /p \(1 - p\)/);
      await browser.page.mouse.move(5, 5);
      await browser.page.keyboard.press('Escape');

      // A run from the palette: the panel (its scripts from dist/media) follows it to the last
      // epoch and paints the decision boundary. (xor: a spiral takes long on a busy machine.)
      await editor.runCommand('NetSpec: Train Network');
      const frame = await trainingPanelFrame(browser.page, 30_000);
      const done = await panelRunDone(frame, 'xor', 60_000);
      assert.equal(done.epoch, 'epoch 2000 / 2000', JSON.stringify(done));
      assert.equal(done.drawn, '2000', `every epoch on the loss curve: ${JSON.stringify(done)}`);
      assert.equal(done.pictureEpoch, '2000', JSON.stringify(done));
      assert.ok(done.painted > 0.5, `decision boundary not drawn: ${JSON.stringify(done)}`);
      const uplot = Number(await frame.evaluate(`document.querySelectorAll('#chart .uplot canvas').length`));
      assert.ok(uplot >= 1, 'the loss curve is drawn by uPlot');
      const toasts = await toastsWhen(editor, (ts) => ts.some((t) => /Trained xor: final loss/.test(t)), 15_000);
      assert.ok(toasts.some((t) => /Trained xor: final loss 0\.0\d+\. Probes and hovers now use the trained weights\./.test(t)), toasts.join(' | '));
      await editor.screenshot(path.join(artifacts, 'web-training.png'));
      const refused = (browser.pageLog as string[]).filter((l) => /Content Security Policy|Refused to/i.test(l) && !/Service Worker/i.test(l));
      assert.deepEqual(refused, [], 'a webview broke its Content Security Policy');

      // Data files refused with the desktop's words, before anything is read.
      await browser.page.locator('.tab', { hasText: 'xor.netspec' }).first().click();
      for (const [spec, refusal] of [
        ['outside.netspec', new RegExp(`cannot read "\\.\\./${path.basename(outside).replace(/[.-]/g, '\\$&')}" for \`d\`: it is outside the spec's folder ${folder.replace(/[.-]/g, '\\$&')}; a data file must be in that folder or below it`)],
        ['big.netspec', /cannot read "big\.csv" for `d`: it has 70000000 bytes; the limit is 67108864/],
      ] as const) {
        await editor.openFile(spec);
        await editor.waitForLanguageMode('NetSpec');
        await editor.runCommand('NetSpec: Train Network');
        const seen = await toastsWhen(editor, (ts) => ts.some((t) => refusal.test(t)), 20_000);
        assert.ok(seen.some((t) => /^Training n failed: .*error \[data-file\]/.test(t)), seen.join(' | '));
      }
    });
  } finally {
    fs.rmSync(extension, { recursive: true, force: true });
    fs.rmSync(outside, { force: true });
  }
}

test('UI with the web extension: squiggle, hover with its plot, a run in the training panel, refused data files', { timeout: 300_000 }, () => retryOnce('web UI scenario', webScenario));
