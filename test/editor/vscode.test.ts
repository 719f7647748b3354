/**
 * The extension in a real VS Code: code-server (Code 1.139) on 127.0.0.1, driven by Debian's
 * Chromium through playwright-core (test/editor/harness.js). Two parts:
 * - the extension-host suite (test/editor/suite), the one @vscode/test-electron would run,
 *   through code-server's smoke-test driver;
 * - a UI test as a person would see it: open a file from the Explorer, the squiggle and the
 *   Problems entry of a broken file, the hover widget with the derivative identity, a screenshot.
 * Missing prerequisites fail with what to install (`bash scripts/editor/install.sh`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, panelRunDone, panelState, retryOnce, sigmoidHoverWithPlot, toastsWhen, trainingPanelFrame } from './ui';
import { makeWorkspace } from './workspace';

// Loaded at run time from the source tree: the harness finds .editor/ relative to itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

const artifacts = path.join(repoRoot(), 'test-results');

test('prerequisites of the real-editor tests are installed', () => {
  harness.checkPrerequisites();
  assert.ok(fs.existsSync(path.join(repoRoot(), 'dist', 'extension.js')), 'the extension is built');
});

test('extension-host suite in code-server: diagnostics, hover, symbols, completion', { timeout: 240_000 }, async () => {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ws-')));
  const code = await harness.runExtensionTests({
    extensionDevelopmentPath: repoRoot(),
    extensionTestsPath: path.join(repoRoot(), 'out', 'test', 'editor', 'suite', 'index.js'),
    folder,
    timeoutMs: 180_000,
  });
  assert.equal(code, 0, 'the extension-host suite failed (its log is above)');
});

/** The UI scenario, as a person would go through it in the browser. */
async function uiScenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ui-')));
  // A 1-input regression, for the panel's fitted curve.
  const xs = Array.from({ length: 30 }, (_, i) => -3 + (6 * i) / 29);
  fs.writeFileSync(path.join(folder, 'sine.netspec'), `network sine {\n  input x[1]\n  dense h[10] tanh\n  dense y[1] linear\n  loss mse\n}\ndata d {\n${xs.map((x) => `  [${x}] -> [${Math.sin(x)}]`).join('\n')}\n}\ntrain sine on d {\n  optimizer adam\n  learning_rate 0.02\n  epochs 300\n  split 0.8\n}\n`);
  // Plain SGD past its stable step: the loss ×4 an epoch, from 1 to 4⁸ = 65536.
  fs.writeFileSync(path.join(folder, 'rose.netspec'), 'network lin {\n  input x[1]\n  dense y[1] linear nobias\n  loss mse\n  weights y = [[1]]\n}\ndata d {\n  [1] -> [0]\n}\ntrain lin on d {\n  learning_rate 1.5\n  epochs 8\n}\n');
  await inEditor(folder, { viewport: { width: 1280, height: 1150 } }, async (browser) => {
    const editor = browser.editor;
    await editor.openFile('broken.netspec');
    await editor.waitForLanguageMode('NetSpec');
    // Diagnostics arrive asynchronously after the server starts: wait for the squiggle.
    const squiggles: number = await until('an error squiggle under `sigmod`', async () => ((await editor.squiggles('error')) || undefined), 30_000, 200);
    assert.ok(squiggles >= 1, 'expected an error squiggle under `sigmod` within 30 s');
    const problems: string = (await editor.problems({ minCount: 1 })).join('\n');
    assert.match(problems, /Unknown activation `sigmod`\. Did you mean `sigmoid`\?/);

    await editor.openFile('xor.netspec');
    await editor.waitForLanguageMode('NetSpec');
    assert.match(await sigmoidHoverWithPlot(browser, path.join(artifacts, 'hover.png')), /p \(1 - p\)/);

    // Train from the command palette, as a person would: a notification reports the result.
    await browser.page.mouse.move(5, 5);
    await browser.page.keyboard.press('Escape');
    await editor.runCommand('NetSpec: Train Network');
    let toasts = await toastsWhen(editor, (ts) => ts.some((t) => /Trained xor: final loss/.test(t)), 30_000);
    assert.ok(toasts.some((t) => /Trained xor: final loss 0\.0\d+\. Probes and hovers now use the trained weights\./.test(t)), `toasts: ${toasts.join(' | ')}`);
    // The progress notification (if the run lasted long enough to open one) closes when it ends.
    toasts = await toastsWhen(editor, (ts) => !ts.some((t) => /Training xor: epoch/.test(t)), 10_000);
    assert.ok(!toasts.some((t) => /Training xor: epoch/.test(t)), `a progress notification stayed open: ${toasts.join(' | ')}`);
    await editor.screenshot(path.join(artifacts, 'trained.png'));
    // Back to the file's own weights, from the command palette.
    await editor.runCommand('NetSpec: Reset Trained Weights');
    toasts = await toastsWhen(editor, (ts) => ts.some((t) => /xor uses the file's own weights again/.test(t)), 15_000);
    assert.ok(toasts.some((t) => /xor uses the file's own weights again\./.test(t)), `toasts: ${toasts.join(' | ')}`);

    // The training panel follows a run live: spiral data, loss curves drawn by uPlot, the decision
    // boundary. It opens (and is ready) before the run starts, so the run is seen in progress; the
    // status bar has one item for the run, never two with different numbers.
    await editor.openFile('spiral.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await editor.runCommand('NetSpec: Train Network');
    const frame = await trainingPanelFrame(browser.page, 30_000);
    const statusItems: string[][] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        statusItems.push(await browser.page.evaluate(`[...document.querySelectorAll('.statusbar-item')].map((e) => e.innerText.trim()).filter((t) => /epoch \\d+\\/400/.test(t))`) as string[]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // The pill keeps the statuses it showed for the run on display: a run of half a second is
      // over before a poll of the page could see it running.
      const shown = await until('the panel to show the spiral run done', async () => {
        const s = (await frame.evaluate(`(() => { const e = document.getElementById('status'); return { network: document.getElementById('network').textContent, status: e.textContent, shown: e.dataset.shown }; })()`)) as { network: string; status: string; shown: string };
        return s.network === 'spiral_net' && s.status === 'done' ? s : undefined;
      }, 60_000, 100);
      assert.equal(shown.shown, 'running done', `the panel did not show the run in progress: ${JSON.stringify(shown)}`);
    } finally {
      // Stopped whatever happens, so that a failed attempt leaves nothing polling a closed page.
      sampling = false;
      await sampler.catch(() => undefined);
    }
    assert.ok(statusItems.some((items) => items.length === 1), `no status-bar item for the run: ${JSON.stringify(statusItems)}`);
    assert.ok(statusItems.every((items) => items.length <= 1), `two status-bar items for one run: ${JSON.stringify(statusItems.find((i) => i.length > 1))}`);
    // Runs in the webview (a browser page, hence a string: this file is compiled without the DOM types).
    const panel = await frame.evaluate(`(() => {
      const canvas = document.getElementById('boundary');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
      return {
        epoch: document.getElementById('epoch').textContent,
        epochs: Number(document.getElementById('chart').dataset.epochs),
        uplot: document.querySelectorAll('#chart .uplot canvas').length,
        legend: [...document.querySelectorAll('#chart .u-legend .u-label')].map((e) => e.textContent),
        metrics: document.getElementById('metrics').textContent,
        boundary: document.getElementById('boundarySection').hidden ? 0 : painted / (canvas.width * canvas.height),
        // Visible without scrolling at the panel's default size.
        boundaryBottom: canvas.getBoundingClientRect().bottom,
        height: window.innerHeight,
        legendItems: document.getElementById('legend').textContent,
      };
    })()`) as { epoch: string; epochs: number; uplot: number; legend: string[]; metrics: string; boundary: number; boundaryBottom: number; height: number; legendItems: string };
    await editor.screenshot(path.join(artifacts, 'training-live.png'));
    assert.equal(panel.epoch, 'epoch 400 / 400', JSON.stringify(panel));
    // Every epoch reaches the curve, not only the ones a progress message happened to carry.
    assert.equal(panel.epochs, 400, JSON.stringify(panel));
    assert.ok(panel.uplot >= 1, `no uPlot canvas: ${JSON.stringify(panel)}`);
    for (const series of ['train loss', 'test loss', 'accuracy', 'test accuracy']) assert.ok(panel.legend.includes(series), JSON.stringify(panel));
    assert.match(panel.metrics, /test accuracy 9\d(\.\d)?\s?%/, JSON.stringify(panel));
    assert.ok(panel.boundary > 0.5, `decision boundary not drawn: ${JSON.stringify(panel)}`);
    assert.ok(panel.boundaryBottom <= panel.height, `the decision boundary needs scrolling: ${JSON.stringify(panel)}`);
    assert.match(panel.legendItems, /training.*test/, 'training and test points told apart in the legend');
    // For the README's picture: room for the whole panel (cosmetic, so a failure here is not the
    // test's). The panel grows taller: the chart and the boundary refit.
    await editor.runCommand('View: Hide Panel').catch(() => browser.page.keyboard.press('Escape'));
    await new Promise((r) => setTimeout(r, 1500));
    await editor.screenshot(path.join(artifacts, 'training.png'));

    // The replay: the slider goes back to the first epoch (keyboard, as a person would), then to the end.
    await frame.focus('#replaySlider');
    await browser.page.keyboard.press('Home');
    const first = await until('the replay to show epoch 1', async () => {
      const s = await panelState(frame);
      return s.pictureEpoch === '1' ? s : undefined;
    }, 10_000, 50);
    assert.equal(first.drawn, '1', `the loss curve in the replay: ${JSON.stringify(first)}`);
    assert.equal(first.epoch, 'replay: epoch 1 / 400');
    await browser.page.keyboard.press('ArrowRight');
    const second = await until('the replay to move on', async () => {
      const s = await panelState(frame);
      return s.pictureEpoch !== '1' ? s : undefined;
    }, 10_000, 50);
    assert.ok(Number(second.pictureEpoch) > 1 && Number(second.pictureEpoch) < 400 && Number(second.drawn) === Number(second.pictureEpoch), JSON.stringify(second));
    assert.notEqual(second.pixels, first.pixels, 'the decision boundary of another epoch looks different');
    // Play runs the snapshots to the end, where the panel shows the finished run again.
    await frame.click('#play');
    const end = await until('the replay to play to the end', async () => {
      const s = await panelState(frame);
      return s.pictureEpoch === '400' ? s : undefined;
    }, 20_000, 100);
    assert.equal(end.epoch, 'epoch 400 / 400');
    assert.equal(end.drawn, '400');
    // The smoothing switch redraws the whole run's loss curves (an EMA of each: other values drawn).
    const lossSum = async () => String(await frame.evaluate(`document.getElementById('chart').dataset.lossSum`));
    const rough = await lossSum();
    await frame.click('#smooth');
    let seen = '';
    await until(() => `the smoothed curves (${seen})`, async () => {
      const now = await lossSum();
      seen = `smoothing ${await frame.evaluate(`document.getElementById('smooth').checked`)}, drawn loss sum ${rough} → ${now}`;
      return now !== rough || undefined;
    }, 5_000, 100);
    await frame.click('#smooth');
    assert.equal(await lossSum(), rough, 'smoothing off draws the raw losses again');

    const refused = (browser.pageLog as string[]).filter((l) => /Content Security Policy|Refused to/i.test(l) && !/Service Worker/i.test(l));
    assert.deepEqual(refused, [], 'the webview broke its Content Security Policy');
    // Export to PyTorch asks before replacing a file, and writes nothing when told not to. (Back to
    // the spec first: the replay's clicks gave the panel the focus.)
    await editor.clickTab('spiral.netspec');
    const exported = path.join(folder, 'spiral.spiral_net.py');
    fs.writeFileSync(exported, '# my own edits\n');
    const answerDialog = async (button: string) => {
      await editor.runCommand('NetSpec: Export to PyTorch');
      // spiral_net has just been trained: the export first asks where the program starts.
      const row = (text: string) => browser.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
      await row('Reproduce the run').waitFor({ state: 'visible', timeout: 20_000 });
      await row('Continue from the trained weights').waitFor({ state: 'visible', timeout: 5_000 });
      await row('Reproduce the run').click();
      const dialog = browser.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await dialog.innerText(), /spiral\.spiral_net\.py already exists beside the spec\. Replace it\?/);
      await dialog.locator('.monaco-button', { hasText: button }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    };
    await answerDialog('Cancel');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(fs.readFileSync(exported, 'utf8'), '# my own edits\n', 'the file was replaced although the user said Cancel');
    await answerDialog('Replace');
    // The file is truncated before it is written: wait until two reads in a row see the same,
    // new, non-empty text.
    let previous = '';
    const replaced = await until('the export to replace the file', () => {
      const text = fs.readFileSync(exported, 'utf8');
      const settled = text !== '' && !text.startsWith('# my own') && text === previous;
      previous = text;
      return settled ? text : undefined;
    }, 10_000, 200);
    assert.match(replaced, /^#!\/usr\/bin\/env python3\n[\s\S]*class Model\(torch\.nn\.Module\)/);

    // A 1-input network: the panel draws its fitted curve over the data.
    await editor.openFile('sine.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await editor.runCommand('NetSpec: Train Network');
    const fitted = await panelRunDone(frame, 'sine', 60_000);
    assert.equal(fitted.pictureTitle, 'Fitted curve y(x)', JSON.stringify(fitted));
    assert.ok(fitted.painted > 0.01, `the fitted curve is not drawn: ${JSON.stringify(fitted)}`);
    await editor.screenshot(path.join(artifacts, 'training-curve.png'));

    // An honest result: a run whose loss rose says so, in the notification and in the panel.
    await browser.page.locator('.tab', { hasText: 'sine.netspec' }).first().click().catch(() => undefined);
    await editor.openFile('rose.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await editor.runCommand('NetSpec: Train Network');
    const rose = /Trained lin, but the loss rose from 1 to 6\.55e\+4: the learning rate may be too high\./;
    const roseToasts = await toastsWhen(editor, (ts) => ts.some((t) => rose.test(t)), 30_000);
    assert.ok(roseToasts.some((t) => rose.test(t)), `toasts: ${roseToasts.join(' | ')}`);
    const verdict = await until('the panel to say the loss rose', async () => {
      const text = String(await frame.evaluate(`document.getElementById('verdict').hidden ? '' : document.getElementById('verdict').textContent`));
      return text || undefined;
    }, 10_000, 100);
    assert.equal(verdict, 'The loss rose from 1 to 6.55e+4: the learning rate may be too high.');
  });
}

test('UI: squiggle, Problems and a hover with the derivative identity, in Chromium', { timeout: 480_000 }, () => retryOnce('UI scenario', uiScenario));

/**
 * Workspace trust, with VS Code's trust on (the other tests turn it off): a new folder opens in
 * Restricted Mode, where NetSpec checks but reads no data file and trains nothing; trusting the
 * folder from the Manage Workspace Trust editor lifts that without a reload.
 */
async function trustScenario(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-trust-'));
  fs.writeFileSync(path.join(folder, 'points.csv'), 'x,y\n0,0\n1,1\n2,1\n');
  fs.writeFileSync(path.join(folder, 'csv.netspec'), 'network n {\n  input x[1]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d from "points.csv"\ntrain n on d {\n  epochs 5\n}\n');
  await inEditor(folder, { viewport: { width: 1280, height: 900 }, workspaceTrust: true }, async (browser) => {
    const editor = browser.editor;
    await editor.openFile('csv.netspec');
    await editor.waitForLanguageMode('NetSpec');
    const restricted = /"points\.csv" is not read: this workspace is in Restricted Mode/;
    const problems: string[] = await editor.problems({ minCount: 2, timeoutMs: 30_000 });
    assert.ok(problems.some((p) => restricted.test(p)), `Problems: ${problems.join(' | ')}`);
    await editor.runCommand('NetSpec: Train Network');
    let toasts = await toastsWhen(editor, (ts) => ts.some((t) => /cannot train: this workspace is in Restricted Mode/.test(t)), 15_000);
    assert.ok(toasts.some((t) => /cannot train: this workspace is in Restricted Mode/.test(t)), `toasts: ${toasts.join(' | ')}`);

    await editor.runCommand('Workspaces: Manage Workspace Trust');
    const trust = browser.page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
    await trust.waitFor({ state: 'visible', timeout: 15_000 });
    await trust.click();
    await new Promise((r) => setTimeout(r, 1000));
    await editor.screenshot(path.join(artifacts, 'trusted.png'));
    // Back to the spec: the trust editor opens over it, as a modal editor (Code 1.139), or as a tab.
    const closeModal = browser.page.locator('.action-label[aria-label^="Close Modal Editor"]').first();
    if (await closeModal.isVisible().catch(() => false)) await closeModal.click();
    else await editor.runCommand('View: Close Editor');
    await editor.clickTab('csv.netspec');
    let seen: string[] = [];
    const now = await until(() => `the restricted entry to leave Problems: ${seen.join(' | ')}`, async () => {
      seen = await editor.problems();
      return seen.some((p) => restricted.test(p)) ? undefined : seen;
    }, 20_000, 200);
    assert.ok(!now.some((p: string) => restricted.test(p)), `still restricted after trusting: ${now.join(' | ')}`);
    await editor.runCommand('NetSpec: Train Network');
    toasts = await toastsWhen(editor, (ts) => ts.some((t) => /Trained n: final loss/.test(t)), 30_000);
    assert.ok(toasts.some((t) => /Trained n: final loss/.test(t)), `toasts: ${toasts.join(' | ')}`);
  });
}

test('UI: Restricted Mode checks but reads no data and trains nothing; trusting the folder lifts it', { timeout: 300_000 }, () => retryOnce('trust scenario', trustScenario));
