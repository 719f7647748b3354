/**
 * *NetSpec: Show Network* in a real VS Code (code-server + Chromium, test/editor/harness.js), as
 * a person uses it: the *Show network* lens opens the view beside the spec; its lines carry the
 * file's weights; the weights | gradients switch redraws them by dE/dw; hovering an output-layer
 * line shows dE/dw (checked against `netspec grad --json`, run here as the independent source) with
 * its chain-rule factors; clicking it puts the cursor on that entry of the `weights` matrix; and
 * during a run of examples/spiral.netspec the view follows the run (epochs advance, weights change)
 * and shows the trained network at its end. Also the README's picture: the view mid-training beside
 * the training panel.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, networkViewFrame, networkViewState, retryOnce, statusBarShowing, trainingPanelFrame, type Browser } from './ui';
import { makeWorkspace } from './workspace';

const artifacts = path.join(repoRoot(), 'test-results');

/** Three inputs (values and δ by the units, no heatmaps), explicit weights, a probe. */
const TINY = [
  'network tiny {',
  '  input  x[3]',
  '  dense  h[2] tanh',
  '  dense  y[1] sigmoid',
  '  loss   squared_error',
  '  weights h = [[0.5, -0.25], [0.75, 0.125], [-0.5, 1]]',
  '  weights y = [[1.5], [-2]]',
  '}',
  'probe tiny [1, 0.5, -1] -> [1]',
  '',
].join('\n');
const W_H = [[0.5, -0.25], [0.75, 0.125], [-0.5, 1]];
const W_Y = [[1.5], [-2]];

/** The part of playwright-core's Frame and Page this test uses beyond ui.ts's WebviewFrame. */
interface Locatable {
  locator(selector: string): { first(): { click(o?: { force?: boolean; position?: { x: number; y: number } }): Promise<void>; hover(o?: { force?: boolean; position?: { x: number; y: number } }): Promise<void>; boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> } };
}

/** A point on an edge, a fraction t from its start (lines cross at their middles: not there). */
async function pointOnEdge(frame: { evaluate(e: string): Promise<unknown> }, selector: string, t: number): Promise<{ x: number; y: number }> {
  return (await frame.evaluate(`(() => {
    const e = document.querySelector(${JSON.stringify(selector)});
    const b = e.getBoundingClientRect();
    const down = Number(e.getAttribute('y2')) >= Number(e.getAttribute('y1'));
    return { x: ${t} * b.width, y: down ? ${t} * b.height : (1 - ${t}) * b.height };
  })()`)) as { x: number; y: number };
}

async function clickLens(browser: Browser, title: string): Promise<void> {
  const lens = browser.page.locator('.codelens-decoration a', { hasText: title }).first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  await lens.click();
}

async function networkScenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-network-')));
  fs.writeFileSync(path.join(folder, 'tiny.netspec'), TINY);
  await inEditor(folder, { viewport: { width: 1680, height: 1000 } }, async (browser) => {
    const editor = browser.editor;
    const page = browser.page;
    await editor.openFile('tiny.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await clickLens(browser, 'Show network');
    const frame = await networkViewFrame(page, 'tiny', 30_000);
    const first = await until('the view to draw tiny', async () => {
      const s = await networkViewState(frame);
      return s.edges.length === 3 * 2 + 2 * 1 ? s : undefined;
    }, 20_000, 100);
    // Each line carries its weight, as the file writes it: w_{j,k} = W[j][k].
    for (const e of first.edges) {
      const [from, j] = e.from.split(':');
      const [, k] = e.to.split(':');
      assert.equal(Number(e.w), (from === 'x' ? W_H : W_Y)[Number(j)][Number(k)], JSON.stringify(e));
    }
    assert.equal(first.params, 'the file\'s weights');
    assert.equal(first.mode, 'weights');
    assert.ok(first.unitValues >= 3 + 2 + 1, `values and δ by the units: ${first.unitValues}`);
    assert.match(first.probe, /^At the probe on line 9: \[1, 0\.5, -1\] → \[/);

    // Gradients: the same lines, drawn by |dE/dw|.
    await (frame as unknown as Locatable).locator('label:has(#mode-gradients)').first().click();
    const grads = await until('the gradients mode', async () => {
      const s = await networkViewState(frame);
      return s.mode === 'gradients' ? s : undefined;
    }, 10_000, 100);
    assert.notDeepEqual(grads.edges.map((e) => e.width), first.edges.map((e) => e.width), 'the widths follow dE/dw, not w');
    assert.match(grads.legend, /dE\/dw at the probe on line 9/);

    // Hover the output layer's line from h:1: dE/dw as `netspec grad` computes it, and its factors.
    const cli = JSON.parse(execFileSync(process.execPath, [cliPath(), 'grad', 'tiny.netspec', '--json'], { cwd: folder, encoding: 'utf8' }));
    const expected: number = cli.probes[0].layers.y.dW[1][0];
    const edge = '.edge[data-from="h:1"][data-to="y:0"]';
    const at = await pointOnEdge(frame, edge, 0.3);
    await (frame as unknown as Locatable).locator(edge).first().hover({ force: true, position: at });
    const tip = await until('the tooltip of h:1 → y:0', async () => {
      const t = String(await frame.evaluate(`(() => { const t = document.getElementById('tip'); return t.hidden ? '' : t.dataset.key + '|' + t.innerText; })()`));
      return t.startsWith('h:1>y:0|') ? t : undefined;
    }, 10_000, 100);
    const shown = /dE\/dw = (\S+)/.exec(tip);
    assert.ok(shown, tip);
    assert.equal(Number(shown[1]), expected, tip);
    assert.match(tip, /\(g\(z₀\) − t₀\) · g'\(z₀\) · a₁ = \S+ · \S+ · \S+ = /);
    await editor.screenshot(path.join(artifacts, 'network-tooltip.png'));

    // Click it: the cursor lands on that entry of `weights y`, selected.
    await (frame as unknown as Locatable).locator(edge).first().click({ force: true, position: at });
    const lines = TINY.split('\n');
    const row = lines.findIndex((l) => l.includes('weights y'));
    const start = lines[row].indexOf('-2');
    const status = await statusBarShowing(page, new RegExp(`Ln ${row + 1}, Col ${start + 2 + 1} \\(2 selected\\)`), 10_000);
    assert.match(status, /Ln \d+, Col \d+ \(2 selected\)/);

    // Live: spiral_net's view follows its run (two inputs: every unit has its heatmap).
    await layoutForPicture(browser);
    const live = await networkViewFrame(page, 'spiral_net', 30_000);
    const before = await until('the view of spiral_net', async () => {
      const s = await networkViewState(live);
      return s.edges.length > 0 ? s : undefined;
    }, 20_000, 100);
    assert.equal(before.maps, 2 + 16 + 16 + 1, 'a heatmap per unit');
    await page.locator('.tab', { hasText: 'spiral.netspec' }).first().click();
    await editor.runCommand('NetSpec: Train Network');
    const seen: { params: string; epoch: number; sum: number }[] = [];
    let pictured = false;
    const end = await until('the run to end in the view', async () => {
      const s = await networkViewState(live);
      const epoch = /^training: epoch (\d+) \/ 400$/.exec(s.params);
      if (epoch) {
        seen.push({ params: s.params, epoch: Number(epoch[1]), sum: s.edges.reduce((a, e) => a + Number(e.w), 0) });
        // The README's picture: the view mid-training beside the training panel.
        if (!pictured && Number(epoch[1]) >= 60) {
          pictured = true;
          await editor.screenshot(path.join(artifacts, 'network-live.png'));
        }
      }
      return s.params === 'trained weights (the last run\'s)' ? s : undefined;
    }, 120_000, 50);
    const epochs = seen.map((s) => s.epoch);
    assert.ok(new Set(epochs).size >= 2, `the view showed the run at one epoch at most: ${JSON.stringify(seen)}`);
    assert.ok(epochs.every((e, i) => i === 0 || e >= epochs[i - 1]), `epochs go forward: ${epochs.join(', ')}`);
    assert.ok(new Set(seen.map((s) => s.sum)).size >= 2, 'the weights change during the run');
    assert.notEqual(end.edges.map((e) => e.w).join(), before.edges.map((e) => e.w).join(), 'the trained weights are drawn');
    assert.equal(end.maps, 2 + 16 + 16 + 1);
    const refused = (browser.pageLog as string[]).filter((l) => /Content Security Policy|Refused to/i.test(l) && !/Service Worker/i.test(l));
    assert.deepEqual(refused, [], 'a webview broke its Content Security Policy');
  });
}

/**
 * spiral.netspec, its network view and the training panel in three columns, for the picture:
 * the view opens beside the spec, the panel beside it (as a tab of the view's group), moved to a
 * group of its own.
 */
async function layoutForPicture(browser: Browser): Promise<void> {
  const editor = browser.editor;
  await editor.openFile('spiral.netspec');
  await editor.waitForLanguageMode('NetSpec');
  await browser.page.locator('.tab', { hasText: 'spiral.netspec' }).first().click();
  await clickLens(browser, 'Show network');
  await networkViewFrame(browser.page, 'spiral_net', 30_000);
  await browser.page.locator('.tab', { hasText: 'spiral.netspec' }).first().click();
  await editor.runCommand('NetSpec: Show Training Panel');
  await trainingPanelFrame(browser.page, 30_000);
  await browser.page.locator('.tab', { hasText: 'NetSpec: Training' }).first().click();
  await editor.runCommand('View: Move Editor into Next Group');
  await new Promise((r) => setTimeout(r, 500));
  await browser.page.locator('.tab', { hasText: 'Network spiral_net' }).first().click();
}

test('UI: Show Network draws the file\'s weights, gradients against netspec grad, reveals a weight, follows a run', { timeout: 420_000 }, () => retryOnce('network view scenario', networkScenario));
