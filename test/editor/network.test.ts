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
/** One saturated sigmoid unit (z = 40): its layer's gradient vanishes. */
const DEEP = 'network deep {\n  input x[1]\n  dense h[1] sigmoid\n  dense y[1] linear\n  loss squared_error\n  weights h = [[40]]\n  weights y = [[1]]\n}\nprobe deep [1] -> [0]\n';
const W_H = [[0.5, -0.25], [0.75, 0.125], [-0.5, 1]];
const W_Y = [[1.5], [-2]];

/** The part of playwright-core's Frame and Page this test uses beyond ui.ts's WebviewFrame. */
interface FrameWithElement {
  evaluate(expression: string): Promise<unknown>;
  frameElement(): Promise<{ boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> }>;
}
interface Locatable {
  locator(selector: string): { first(): { click(): Promise<void> } };
}

/**
 * Where a point of an edge is on the page, a fraction t from its start (lines cross at their
 * middles: not there): the point in the webview's own coordinates (the line's screen matrix),
 * moved by where the webview's frame is on the page.
 */
async function pointOnEdge(frame: FrameWithElement, selector: string, t: number): Promise<{ x: number; y: number }> {
  const inFrame = (await frame.evaluate(`(() => {
    const e = document.querySelector(${JSON.stringify(selector)});
    const at = (a, b) => Number(e.getAttribute(a)) + ${t} * (Number(e.getAttribute(b)) - Number(e.getAttribute(a)));
    const p = new DOMPoint(at('x1', 'x2'), at('y1', 'y2')).matrixTransform(e.getScreenCTM());
    return { x: p.x, y: p.y };
  })()`)) as { x: number; y: number };
  const box = await (await frame.frameElement()).boundingBox();
  assert.ok(box, 'the webview frame is on the page');
  return { x: box.x + inFrame.x, y: box.y + inFrame.y };
}

async function clickLens(browser: Browser, title: string): Promise<void> {
  const lens = browser.page.locator('.codelens-decoration a', { hasText: title }).first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  await lens.click();
}

async function networkScenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-network-')));
  // Five times the example's points: its run is over in half a second, and a view that asks at
  // most 4 times a second would show it at one epoch or two.
  const spiral = path.join(folder, 'spiral.netspec');
  const example = fs.readFileSync(spiral, 'utf8');
  assert.match(example, /spiral\(n: 300,/);
  fs.writeFileSync(spiral, example.replace('spiral(n: 300,', 'spiral(n: 1500,'));
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
    const at = await pointOnEdge(frame as unknown as FrameWithElement, edge, 0.3);
    await page.mouse.move(at.x, at.y);
    let lastTip = '';
    const tip = await until(() => `the tooltip of h:1 → y:0 (the mouse at ${JSON.stringify(at)}; the tooltip: ${lastTip || 'none'})`, async () => {
      lastTip = String(await frame.evaluate(`(() => { const t = document.getElementById('tip'); return t.hidden ? '' : t.dataset.key + '|' + t.innerText; })()`));
      return lastTip.startsWith('h:1>y:0|') ? lastTip : undefined;
    }, 10_000, 100);
    const shown = /dE\/dw = (\S+)/.exec(tip);
    assert.ok(shown, tip);
    assert.equal(Number(shown[1]), expected, tip);
    assert.match(tip, /\(g\(z₀\) − t₀\) · g'\(z₀\) · a₁ = \S+ · \S+ · \S+ = /);
    await editor.screenshot(path.join(artifacts, 'network-tooltip.png'));

    // Export network diagram (SVG), the view's button: the file `netspec diagram` writes.
    await frame.click('#export');
    const exported = path.join(folder, 'tiny.tiny.svg');
    await until('the diagram to be written', () => fs.existsSync(exported) || undefined, 10_000, 100);
    const diagram = execFileSync(process.execPath, [cliPath(), 'diagram', 'tiny.netspec', '-o', '-'], { cwd: folder, encoding: 'utf8' });
    assert.equal(await until('the whole file', () => (fs.readFileSync(exported, 'utf8') === diagram ? diagram : undefined), 5_000, 100), diagram);

    // The keyboard: Tab-focusable lines, Enter reveals one (w₂,₁ = 1 of `weights h`).
    const lines = TINY.split('\n');
    const rowH = lines.findIndex((l) => l.includes('weights h'));
    await frame.focus('.edge[data-from="x:2"][data-to="h:1"]');
    await page.keyboard.press('Enter');
    const colH = lines[rowH].lastIndexOf(' 1]') + 1;
    await statusBarShowing(page, new RegExp(`Ln ${rowH + 1}, Col ${colH + 1 + 1} \\(1 selected\\)`), 10_000);

    // Click the output line: the cursor lands on its entry of `weights y`, selected.
    await page.mouse.click(at.x, at.y);
    const row = lines.findIndex((l) => l.includes('weights y'));
    const start = lines[row].indexOf('-2');
    await statusBarShowing(page, new RegExp(`Ln ${row + 1}, Col ${start + 2 + 1} \\(2 selected\\)`), 10_000);
    // Typing over it: the view follows the edit, in place (the line is the same element).
    await frame.evaluate(`document.querySelector('${edge}').dataset.mark = 'before the edit'`);
    await page.keyboard.type('-3');
    const edited = await until('the view to follow the edit', async () => {
      const s = await networkViewState(frame);
      return s.edges.find((e) => e.from === 'h:1' && e.to === 'y:0')?.w === '-3' ? s : undefined;
    }, 15_000, 100);
    assert.equal(edited.edges.length, 8);
    assert.equal(await frame.evaluate(`document.querySelector('${edge}').dataset.mark`), 'before the edit', 'the edge was updated in place');

    // A saturated hidden layer: its gradient vanishes, and the note links to the saturation warning.
    fs.writeFileSync(path.join(folder, 'deep.netspec'), DEEP);
    await editor.openFile('deep.netspec');
    await editor.waitForLanguageMode('NetSpec');
    // From the palette (the lens was pressed above: the previous file's lenses may still be drawn).
    await editor.runCommand('NetSpec: Show Network');
    const deep = await networkViewFrame(page, 'deep', 30_000);
    const notes = await until('the vanishing note', async () => String(await deep.evaluate(`document.getElementById('notes').hidden ? '' : document.getElementById('notes').textContent`)) || undefined, 15_000, 100);
    assert.match(notes, /^h: vanishing: ×\de-\d+ of the output layer's — caused by saturated units$/);
    const check = JSON.parse(execFileSync(process.execPath, [cliPath(), 'check', 'deep.netspec', '--json'], { cwd: folder, encoding: 'utf8' }).toString());
    const saturated = check.files[0].diagnostics.find((d: { code: string }) => d.code === 'saturated');
    await deep.click('a.saturation');
    const r = saturated.range;
    await statusBarShowing(page, new RegExp(`Ln ${r.end.line + 1}, Col ${r.end.character + 1} \\(${r.end.character - r.start.character} selected\\)`), 10_000);

    // Live: spiral_net's view follows its run (two inputs: every unit has its heatmap).
    await layoutForPicture(browser);
    const live = await networkViewFrame(page, 'spiral_net', 30_000);
    const before = await until('the view of spiral_net', async () => {
      const s = await networkViewState(live);
      return s.edges.length > 0 ? s : undefined;
    }, 20_000, 100);
    assert.equal(before.maps, 2 + 16 + 16 + 1, 'a heatmap per unit');
    // A unit in focus shows its heatmap enlarged (the output's with the data over it).
    await live.focus('circle.neuron[data-layer="y"][data-unit="0"]');
    const zoom = await until('the enlarged heatmap', async () => {
      const z = await live.evaluate(`(() => { const z = document.getElementById('zoom'); const c = document.getElementById('zoomCanvas'); return z.hidden ? undefined : { caption: document.getElementById('zoomCaption').textContent, width: c.getBoundingClientRect().width }; })()`);
      return z as { caption: string; width: number } | undefined;
    }, 10_000, 100);
    assert.match(zoom.caption, /^y:0 over x₁ ∈ \[/);
    assert.equal(zoom.width, 160);
    // Gradients during the run: each line is the mean |dE/dw| of the run's last epoch.
    await (live as unknown as Locatable).locator('label:has(#mode-gradients)').first().click();
    await until('the gradients mode', async () => (await networkViewState(live)).mode === 'gradients' || undefined, 10_000, 100);
    await editor.clickTab('spiral.netspec');
    await editor.runCommand('NetSpec: Train Network');
    // The training panel opens past the view's column: both stay in sight.
    await trainingPanelFrame(page, 30_000);
    let columns: string[] = [];
    await until(() => `the training panel in the column after the view's; the columns show ${JSON.stringify(columns)}`, async () => {
      columns = await page.evaluate(`[...document.querySelectorAll('.editor-group-container')].map((g) => g.querySelector('.tab.active')?.getAttribute('aria-label') || '')`) as string[];
      const view = columns.findIndex((c) => /^Network spiral_net/.test(c));
      return view >= 0 && /^NetSpec: Training/.test(columns[view + 1] ?? '') ? columns : undefined;
    }, 20_000, 200);
    const seen: { params: string; epoch: number; sum: number; legend: string }[] = [];
    let pictured = false;
    const end = await until('the run to end in the view', async () => {
      const s = await networkViewState(live);
      const epoch = /^training: epoch (\d+) \/ 400$/.exec(s.params);
      if (epoch) {
        seen.push({ params: s.params, epoch: Number(epoch[1]), sum: s.edges.reduce((a, e) => a + Number(e.w), 0), legend: s.legend });
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
    assert.ok(seen.some((s) => /^w > 0w < 0mean \|dE\/dw\| over the steps of epoch \d+; colour: the sign of w/.test(s.legend)), `the live gradients' legend: ${seen.map((s) => s.legend).join(' | ')}`);
    // After the run: the trained network's gradients at the probe (the mode kept across updates).
    assert.equal(end.mode, 'gradients');
    assert.match(end.legend, /dE\/dw at the probe on line 24/);
    const refused = (browser.pageLog as string[]).filter((l) => /Content Security Policy|Refused to/i.test(l) && !/Service Worker/i.test(l));
    assert.deepEqual(refused, [], 'a webview broke its Content Security Policy');
  });
}

/**
 * spiral.netspec and its network view beside it; the training panel, when the run starts, opens
 * in a third column (it does not cover the view): the README's picture.
 */
async function layoutForPicture(browser: Browser): Promise<void> {
  const editor = browser.editor;
  // From the first column (the saturation link's click left the focus in the view's column).
  await editor.clickTab('deep.netspec');
  await editor.openFile('spiral.netspec');
  await editor.waitForLanguageMode('NetSpec');
  await editor.clickTab('spiral.netspec');
  // The cursor is on the first line, a comment: the file's only network.
  await editor.runCommand('NetSpec: Show Network');
  await networkViewFrame(browser.page, 'spiral_net', 30_000);
  // Room for the three columns.
  await editor.runCommand('View: Toggle Primary Side Bar Visibility');
}

test('UI: Show Network draws the file\'s weights, gradients against netspec grad, reveals a weight, follows a run', { timeout: 420_000 }, () => retryOnce('network view scenario', networkScenario));
