/**
 * Compared runs in a real VS Code (code-server + Chromium, test/editor/harness.js): three `train`
 * statements of one network started together with *NetSpec: Train All Statements*; the training
 * panel names each in the loss chart's legend and in its list of runs, draws the learning rate of
 * the scheduled one and marks where early stopping ended another, and shows the chosen run's
 * confusion matrices as tables — each equal to `netspec train --json` on the same file. Choosing
 * another run switches the header, the matrices and the decision boundary. Its screenshot is the
 * README's picture of the panel (docs/images/training.png).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, panelState, retryOnce, trainingPanelFrame, type WebviewFrame } from './ui';

// Loaded at run time from the source tree: the harness finds .editor/ relative to itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

const artifacts = path.join(repoRoot(), 'test-results');

const SPEC = `# compare.netspec: one network, three ways to train it. NetSpec: Train All Statements runs them
# side by side; the training panel overlays their loss curves.
network spiral_net {
  input  p[2]
  dense  h1[16] tanh
  dense  h2[16] tanh
  dense  y[1] sigmoid
  loss   binary_cross_entropy
  init   xavier seed 3
}

data spiral_data = spiral(n: 300, noise: 0.1, seed: 1)

train spiral_net on spiral_data {
  optimizer     momentum(0.9)
  learning_rate 0.05
  epochs        300
  batch         16
  seed          2
  split         0.8
}

train spiral_net on spiral_data {
  optimizer     adam(0.9, 0.999)
  learning_rate 0.01
  schedule      cosine(300)
  epochs        300
  batch         16
  seed          2
  split         0.8
}

train spiral_net on spiral_data {
  optimizer     adam(0.9, 0.999)
  learning_rate 0.03
  epochs        300
  batch         16
  seed          2
  split         0.8
  patience      25
}
`;

/** The statements' labels as the panel names them: line, optimizer, rate, options. */
const LINES = SPEC.split('\n').flatMap((l, i) => (l.startsWith('train ') ? [i + 1] : []));
const LABELS = [
  `line ${LINES[0]}: momentum 0.9 lr 0.05, batch 16`,
  `line ${LINES[1]}: adam lr 0.01, schedule cosine(300), batch 16`,
  `line ${LINES[2]}: adam lr 0.03, batch 16, patience 25`,
];

interface CompareState {
  data: string;
  runs: { name: string; state: string; checked: boolean }[];
  legend: string[];
  confusion: { set: string; caption: string; head: string[]; rows: string[][] }[];
  rateShown: boolean;
  ratePoints: string;
  stoppedEarly: string;
}

async function compareState(frame: WebviewFrame): Promise<CompareState> {
  return (await frame.evaluate(`(() => ({
    data: document.getElementById('data').textContent,
    runs: [...document.querySelectorAll('#runs label')].map((l) => ({ name: l.querySelector('b').textContent, state: l.querySelector('span').textContent.trim(), checked: l.querySelector('input').checked })),
    legend: (document.getElementById('chart').dataset.series || '').split('\\n'),
    confusion: document.getElementById('metricsSection').hidden ? [] : [...document.querySelectorAll('#confusion table')].map((t) => ({
      set: t.dataset.set, caption: t.caption.textContent,
      head: [...t.querySelectorAll('thead th[scope=col]')].map((th) => th.textContent),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => (c.tagName === 'TH' ? 'th:' : '') + c.textContent)),
    })),
    rateShown: !document.getElementById('lrSection').hidden,
    ratePoints: document.getElementById('lrChart').dataset.points || '',
    stoppedEarly: document.getElementById('chart').dataset.stoppedEarly || '',
  }))()`)) as CompareState;
}

interface CliRun { epochs: number; stopped_early: boolean; confusion: number[][]; accuracy: number; test: { confusion: number[][]; accuracy: number } }

/** The confusion matrix as the panel's table rows: the true class as a row header, then the counts. */
const tableRows = (m: number[][]) => m.map((row, c) => [`th:${c}`, ...row.map(String)]);

async function compareScenario(cli: CliRun[]): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-compare-'));
  fs.writeFileSync(path.join(folder, 'compare.netspec'), SPEC);
  await inEditor(folder, { viewport: { width: 1500, height: 1400 } }, async (browser) => {
    const editor = browser.editor;
    await editor.openFile('compare.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await editor.runCommand('NetSpec: Train All Statements (Compare Runs)');
    const frame = await trainingPanelFrame(browser.page, 30_000);
    let seen: CompareState | undefined;
    const ended = await until(() => `the three runs to end in the panel: ${JSON.stringify(seen)}`, async () => {
      seen = await compareState(frame);
      return seen.runs.length === 3 && seen.runs.every((r) => /^(done|stopped early)/.test(r.state)) && seen.confusion.length === 2 ? seen : undefined;
    }, 90_000, 200);
    // Each statement by its label, in the list (the chart's legend, in the curves' colours) and on the chart's curves (train and test loss).
    assert.deepEqual(ended.runs.map((r) => r.name), LABELS);
    for (const label of LABELS) assert.ok(ended.legend.includes(label) && ended.legend.includes(label + ' (test)'), JSON.stringify(ended.legend));
    assert.deepEqual(ended.runs.map((r) => r.checked), [true, false, false], 'the first run is chosen');
    assert.match(ended.runs[2].state, new RegExp(`^stopped early at epoch ${cli[2].epochs} `));
    assert.equal(ended.stoppedEarly, String(cli[2].epochs), 'the loss chart marks the early stop');
    assert.ok(ended.rateShown && ended.ratePoints === '300', `the cosine schedule's learning rate is charted: ${JSON.stringify(ended)}`);
    // The chosen run's confusion matrices, as tables equal to the CLI's.
    assert.deepEqual(ended.confusion.map((t) => [t.set, t.head, t.rows]), [
      ['training', ['true ╲ predicted', '0', '1'], tableRows(cli[0].confusion)],
      ['test', ['true ╲ predicted', '0', '1'], tableRows(cli[0].test.confusion)],
    ]);
    assert.match(ended.confusion[1].caption, new RegExp(`^Test set · accuracy ${(100 * cli[0].test.accuracy).toFixed(1)}%`));
    const first = await panelState(frame);

    // Another run chosen: its header, its matrices and its decision boundary.
    await frame.click('#runs label:nth-of-type(3) input');
    const third = await until('the third run to be shown', async () => {
      const s = await compareState(frame);
      return s.data.includes(LABELS[2]) ? s : undefined;
    }, 10_000, 100);
    assert.deepEqual(third.confusion.map((t) => t.rows), [tableRows(cli[2].confusion), tableRows(cli[2].test.confusion)]);
    assert.notEqual((await panelState(frame)).pixels, first.pixels, 'the third run\'s decision boundary is its own');

    // For the README's picture: the first run again, the whole window for the panel.
    await frame.click('#runs label:nth-of-type(1) input');
    await until('the first run to be shown again', async () => (await compareState(frame)).data.includes(LABELS[0]) || undefined, 10_000, 100);
    await editor.runCommand('View: Hide Panel').catch(() => browser.page.keyboard.press('Escape'));
    await editor.runCommand('View: Close Primary Side Bar').catch(() => browser.page.keyboard.press('Escape'));
    await new Promise((r) => setTimeout(r, 1500));
    fs.mkdirSync(artifacts, { recursive: true });
    await editor.screenshot(path.join(artifacts, 'training-compare.png'));
  });
}

test('prerequisites of the real-editor tests are installed', () => {
  harness.checkPrerequisites();
  assert.ok(fs.existsSync(path.join(repoRoot(), 'dist', 'extension.js')), 'the extension is built');
});

test('Train All: three statements compared in the training panel, with their legend, learning rate, early stop and confusion matrices', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-compare-cli-'));
  fs.writeFileSync(path.join(dir, 'compare.netspec'), SPEC);
  const out = spawnSync(process.execPath, [cliPath(), 'train', path.join(dir, 'compare.netspec'), '--json'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(out.status, 0, out.stderr);
  const cli = JSON.parse(out.stdout).runs as CliRun[];
  assert.ok(cli[2].stopped_early && !cli[0].stopped_early && !cli[1].stopped_early, 'only the third statement stops early');
  await retryOnce('the compared-runs scenario', () => compareScenario(cli));
});
