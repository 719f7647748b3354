// NetSpec in the browser against NetSpec in Node, in Debian's Chromium (headless, driven by
// playwright-core from .editor/driver, as the real-editor tests drive it):
// - training steps/s of the engine's Trainer on the bench's networks (cases.ts), timed by one
//   loop (steps.ts) in a browser Web Worker and in Node, in alternation (A B A B …);
// - the same as whole runs: dist/web/server.js started as the `netspec-training` worker, given a
//   run request as the web language server gives it, against dist/trainWorker.js in a Node
//   worker thread given the same request (from the first epoch's progress to the run's end);
// - edit → diagnostics and hovers through dist/web/server.js as the language server in a Worker
//   (postMessage), on bench/editor.js's generated spec with bench/editor.js's typing, beside the
//   Node server over stdio (bench/editor.js itself); and, when dist/playground/ is built, the
//   same typing into the playground's Monaco editor, keystroke → diagnostics.
// `node bench/web.js [--quick] [--json] [--lines 10000] [--playground FOLDER] [--training-only |
// --editor-only]`, and a section of `npm run bench`. A benchmark, never a test: nothing here fails
// on a slow machine. Without Chromium or playwright-core it fails saying what to install.
'use strict';

const esbuild = require('esbuild');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Worker } = require('node:worker_threads');
const { benchEditor, editSites, typing, hoverSites, summary, percentile } = require('./editor');
const { generateSpec } = require('./spec-generator');
const { serveFolder } = require('../scripts/static-server');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'out', 'bench');
const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);

/** @typedef {import('./editor').benchEditor} _EditorBench */
/** @typedef {{ median: number, min: number, max: number, n: number }} Summary */
/** @typedef {import('./web-page').BenchPage} BenchPage */
/** @typedef {import('./web-page').Change} Change */
/**
 * The little of a playwright-core page used here (its types are not in node_modules).
 * @typedef {{
 *   goto(url: string): Promise<unknown>,
 *   evaluate(expression: string): Promise<unknown>,
 *   waitForFunction<A>(f: (arg: A) => unknown, arg: A, options?: { timeout?: number, polling?: number | 'raf' }): Promise<unknown>,
 *   addInitScript(script: { content: string }): Promise<void>,
 *   mouse: { click(x: number, y: number): Promise<void>, move(x: number, y: number): Promise<void>, wheel(dx: number, dy: number): Promise<void> },
 *   keyboard: { press(key: string): Promise<void>, type(text: string): Promise<void> },
 * }} Page
 */

/**
 * Chromium and playwright-core, or an Error that says what to install (the harness's own check).
 * @returns {{ openBrowser(): Promise<{ page: Page, pageLog: string[], close(): Promise<void> }>, paths: { chromium: string } }}
 */
function browserHarness() {
  const harness = require('../test/editor/harness.js');
  try {
    harness.checkPrerequisites({ codeServer: false });
  } catch (err) {
    throw new Error(`the browser bench needs Debian's Chromium and playwright-core: ${/** @type {Error} */ (err).message.replace(/^Real-editor test prerequisites missing:\s*-\s*/, '').replace(/\n\s*-\s*/g, '; ')}`, { cause: err });
  }
  return /** @type {ReturnType<typeof browserHarness>} */ (/** @type {unknown} */ (harness));
}

/** Builds what the browser bench loads: dist/ (dist/web/server.js, dist/trainWorker.js), and its page and worker scripts; returns the Node side of steps.ts. */
function build() {
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  /** @type {import('esbuild').BuildOptions} */
  const browser = { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', logLevel: 'warning' };
  esbuild.buildSync({ ...browser, entryPoints: [path.join(__dirname, 'web-worker.ts')], outfile: path.join(OUT, 'web', 'worker.js') });
  esbuild.buildSync({ ...browser, entryPoints: [path.join(__dirname, 'web-page.ts')], outfile: path.join(OUT, 'web', 'page.js') });
  // One bundle for Node's side, so that its trainers and its kernel mode are one module's.
  const node = path.join(OUT, 'web-node.js');
  esbuild.buildSync({ stdin: { contents: "export * from './steps';\nexport * from './cases';", resolveDir: __dirname, loader: 'ts' }, outfile: node, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  /** @type {typeof import('./steps') & typeof import('./cases')} */
  const mod = require(node);
  return mod;
}

/**
 * "Chromium 156.0.8078.114", from the binary (the page's user agent hides the minor numbers).
 * @param {string} binary
 */
function chromiumVersion(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/ built on.*/s, '').trim();
  } catch {
    return 'Chromium (version unknown)';
  }
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>NetSpec browser bench</title><script src="/out/bench/web/page.js"></script>';

/**
 * The engine's Trainer in a browser worker against the same loop in Node, case by case,
 * alternating; ratios of each pair of runs, then their median.
 * @param {Page} page
 * @param {ReturnType<typeof build>} node
 * @param {{ repeats: number, runMs: number, warmupMs: number, mode: 'auto' | 'wasm' | 'js', workerUrl: string }} o
 */
async function benchSteps(page, node, o) {
  const chromiumKernels = /** @type {string} */ (await call(page, 'startSteps', o.workerUrl, o.mode));
  const nodeKernels = node.useKernels(o.mode);
  const cases = [];
  for (const c of node.CASES) {
    const trainer = node.trainerSteps(c);
    /** @param {number} ms */
    const inBrowser = async (ms) => {
      const r = /** @type {import('./steps').StepsReply} */ (await call(page, 'time', c.id, ms));
      if (r.kind !== 'timed') throw new Error(`the browser's training worker: ${r.kind === 'error' ? r.message : r.kind}`);
      return r;
    };
    /** @param {number} ms */
    const inNode = (ms) => node.timedSteps(ms, () => trainer.epoch());
    let browserKernels = (await inBrowser(o.warmupMs)).kernels;
    inNode(o.warmupMs);
    /** @type {number[]} */ const browserRates = [];
    /** @type {number[]} */ const nodeRates = [];
    for (let r = 0; r < o.repeats; r++) {
      const b = await inBrowser(o.runMs);
      browserKernels = b.kernels;
      const n = inNode(o.runMs);
      browserRates.push((b.steps / b.ms) * 1000);
      nodeRates.push((n.steps / n.ms) * 1000);
    }
    log(`browser: ${c.id} steps timed`);
    cases.push({
      id: c.id,
      title: c.title,
      flopsPerStep: node.stepFlops(c),
      kernels: { chromium: browserKernels, node: trainer.kernels() },
      chromium: summary(browserRates),
      node: summary(nodeRates),
      ratio: summary(browserRates.map((b, i) => b / nodeRates[i])),
    });
  }
  return { kernels: { chromium: chromiumKernels, node: nodeKernels }, cases };
}

/**
 * A bench case as a spec and its run request: the same network (its init seed gives the bench's
 * weights only up to float32 rounding, which does not change the speed), data and options, for
 * `epochs` epochs. The MLP's samples go in a CSV file handed over with the request, as the editor
 * hands data files to the browser's server.
 * @param {ReturnType<typeof build>} node
 * @param {import('./cases').Case} c
 * @param {number} epochs
 */
function runRequestOf(node, c, epochs) {
  const [inputs, ...rest] = c.widths;
  const layers = rest.map((w, i) => `  dense  l${i + 1}[${w}] ${i === rest.length - 1 ? c.output : c.hidden}`);
  const targets = c.widths[c.widths.length - 1];
  const csv = node.makeData(c).map((s) => [...Array.from(s.input), ...Array.from(s.target)].join(',')).join('\n') + '\n';
  const text = [
    `network ${c.id} {`, `  input  x[${inputs}]`, ...layers, `  loss   ${c.loss}`, '  init   xavier seed 1', '}', '',
    `data ${c.id}_data from "${c.id}.csv" (targets: ${targets})`, '',
    `train ${c.id} on ${c.id}_data {`, '  optimizer     sgd', `  learning_rate ${c.lr}`, `  epochs        ${epochs}`, `  batch         ${c.batch}`, '}', '',
  ].join('\n');
  const line = text.split('\n').findIndex((l) => l.startsWith('train '));
  return { text, specFile: `/bench/${c.id}.netspec`, line, files: { [`${c.id}.csv`]: { text: csv } } };
}

/**
 * A run in a Node worker thread running dist/trainWorker.js, as the Node server starts it; the
 * milliseconds to the first progress message and to the end, and the end.
 * @param {unknown} request
 * @returns {Promise<{ ms: number, firstProgressMs: number, end: { kind: string, epochs?: number, message?: string } }>}
 */
function nodeRun(request) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstProgressMs = NaN;
    const worker = new Worker(path.join(ROOT, 'dist', 'trainWorker.js'), { workerData: request });
    worker.on('message', (m) => {
      if (m.kind === 'progress' && Number.isNaN(firstProgressMs)) firstProgressMs = performance.now() - t0;
      if (m.kind === 'done' || m.kind === 'error') {
        const ms = performance.now() - t0;
        void worker.terminate();
        resolve({ ms, firstProgressMs, end: m });
      }
    });
    worker.on('error', reject);
  });
}

/**
 * Whole runs: dist/web/server.js as Chromium's training worker against dist/trainWorker.js in a
 * Node worker thread, alternating. Steps/s from the first progress message (posted after epoch 1)
 * to the end: set-up (analysis, the CSV, the worker's start) apart, every picture, snapshot and
 * progress message of the run included.
 * @param {Page} page
 * @param {ReturnType<typeof build>} node
 * @param {{ repeats: number, quick: boolean, serverUrl: string }} o
 */
async function benchRuns(page, node, o) {
  const cases = [];
  for (const c of node.CASES) {
    // About 1–2 s a run on this kind of machine (PERFORMANCE notes: ~400 and ~280,000 steps/s).
    const epochs = (c.id === 'mlp' ? 40 : 3000) / (o.quick ? 2 : 1);
    const request = runRequestOf(node, c, epochs);
    const stepsPerEpoch = Math.ceil(c.samples / c.batch);
    /** @param {{ ms: number, firstProgressMs: number, end: { kind: string, epochs?: number, message?: string } }} r */
    const rate = (r) => {
      if (r.end.kind !== 'done') throw new Error(`${c.id}: the run ended with ${JSON.stringify(r.end).slice(0, 300)}`);
      return (((r.end.epochs ?? 0) - 1) * stepsPerEpoch) / (r.ms - r.firstProgressMs) * 1000;
    };
    /** @type {number[]} */ const browserRates = [];
    /** @type {number[]} */ const nodeRates = [];
    /** @type {number[]} */ const browserStart = [];
    /** @type {number[]} */ const nodeStart = [];
    for (let r = 0; r <= o.repeats; r++) {
      const b = /** @type {{ ms: number, firstProgressMs: number, end: { kind: string, epochs?: number } }} */ (await call(page, 'run', o.serverUrl, request));
      const n = await nodeRun(request);
      if (r === 0) continue; // the first pair warms up
      browserRates.push(rate(b));
      nodeRates.push(rate(n));
      browserStart.push(b.firstProgressMs);
      nodeStart.push(n.firstProgressMs);
    }
    log(`browser: ${c.id} runs timed`);
    cases.push({
      id: c.id,
      title: c.title,
      epochs,
      chromium: summary(browserRates),
      node: summary(nodeRates),
      ratio: summary(browserRates.map((b, i) => b / nodeRates[i])),
      firstEpochMs: { chromium: summary(browserStart), node: summary(nodeStart) },
    });
  }
  return { cases };
}

/**
 * Edit → diagnostics and hovers through dist/web/server.js in a Worker, with bench/editor.js's
 * spec and typing; a pass of typing warms up, then `repeats` passes are timed.
 * @param {Page} page
 * @param {{ lines: number, repeats: number, serverUrl: string }} o
 */
async function benchLspWorker(page, o) {
  const text = generateSpec(o.lines);
  const uri = `file:///bench/generated-${o.lines}.netspec`;
  await call(page, 'startServer', o.serverUrl);
  const openMs = /** @type {number} */ (await call(page, 'open', uri, text));
  /** @type {Change[]} */
  const changes = editSites(text, o.lines).flatMap(typing);
  let version = 2;
  /** @type {number[]} */ const edits = [];
  for (let pass = 0; pass <= o.repeats; pass++) {
    const times = /** @type {number[]} */ (await call(page, 'edits', uri, version, changes));
    version += changes.length;
    if (pass > 0) edits.push(...times);
  }
  const positions = hoverSites(text, o.lines).map((h) => h.position);
  /** @type {number[]} */ const hovers = [];
  for (let pass = 0; pass <= o.repeats; pass++) {
    const times = /** @type {number[]} */ (await call(page, 'hovers', uri, positions));
    if (pass > 0) hovers.push(...times);
  }
  await call(page, 'stopServer');
  return { lines: o.lines, openMs, editToDiagnosticsMs: summary(edits), editP90Ms: percentile(edits, 0.9), hoverMs: summary(hovers) };
}

/**
 * Records, in the playground page before its scripts run, when each keystroke happened, when the
 * page sent each didChange to its language server worker and when each publishDiagnostics came
 * back (by document version): a wrapper around the page's Worker and a capturing keydown listener.
 */
const PLAYGROUND_RECORDER = `(() => {
  const record = { keys: [], sent: {}, published: {}, posts: [] };
  globalThis.__netspecBench = record;
  const Native = globalThis.Worker;
  globalThis.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (m && m.method === 'textDocument/publishDiagnostics' && m.params.version !== undefined) record.published[m.params.version] ??= performance.now();
      });
    }
    postMessage(m, ...rest) {
      if (m && m.jsonrpc === '2.0' && m.method) record.posts.push({ t: performance.now(), method: m.method });
      if (m && m.method === 'textDocument/didChange') record.sent[m.params.textDocument.version] = performance.now();
      return super.postMessage(m, ...rest);
    }
  };
  addEventListener('keydown', () => record.keys.push(performance.now()), true);
})();`;

/**
 * The same typing as benchLspWorker, typed into the playground's Monaco editor with the keyboard:
 * keystroke → the page sends didChange → the worker publishes diagnostics for that version. Uses
 * the page's hook (window.netspecPlayground: setText, version, diagnosticsSeen) and the mouse and
 * the keyboard to put the cursor at each site (placeCursor).
 * @param {Page} page
 * @param {{ lines: number, repeats: number, url: string }} o
 */
async function benchPlayground(page, o) {
  await page.addInitScript({ content: PLAYGROUND_RECORDER });
  await page.goto(`${o.url}/index.html`);
  await page.waitForFunction(() => (/** @type {{ netspecPlayground?: { version?: unknown } }} */ (globalThis)).netspecPlayground?.version, undefined, { timeout: 30_000 });
  const text = generateSpec(o.lines);
  const hook = 'globalThis.netspecPlayground';
  const t0 = performance.now();
  await page.evaluate(`${hook}.setText(${JSON.stringify(text)})`);
  await page.waitForFunction(() => {
    const p = /** @type {{ netspecPlayground: { diagnosticsSeen(): number } }} */ (/** @type {unknown} */ (globalThis)).netspecPlayground;
    return p.diagnosticsSeen() > 0;
  }, undefined, { timeout: 120_000, polling: 10 });
  const openMs = performance.now() - t0;
  /** @type {number[]} */ const keyToDiagnostics = [];
  /** @type {number[]} */ const changeToDiagnostics = [];
  let timedFrom = 0;
  for (let pass = 0; pass <= o.repeats; pass++) {
    if (pass === 1) timedFrom = /** @type {number} */ (await page.evaluate('performance.now()'));
    for (const site of editSites(text, o.lines)) {
      await placeCursor(page, site.at, text);
      const keys = [...site.typed, ...Array.from(site.typed, () => 'Backspace')];
      for (const key of keys) {
        const before = /** @type {number} */ (await page.evaluate(`${hook}.version()`));
        if (key === 'Backspace') await page.keyboard.press(key);
        else await page.keyboard.type(key);
        await page.waitForFunction((v) => {
          const g = /** @type {{ netspecPlayground: { version(): number }, __netspecBench: { published: Record<number, number> } }} */ (/** @type {unknown} */ (globalThis));
          const now = g.netspecPlayground.version();
          return now > v && g.__netspecBench.published[now] !== undefined;
        }, before, { timeout: 60_000, polling: 5 });
        const t = /** @type {{ key: number, sent: number, published: number }} */ (await page.evaluate(`(() => {
          const r = globalThis.__netspecBench;
          const v = ${hook}.version();
          const key = r.keys[r.keys.length - 1];
          return { key, sent: r.sent[v], published: r.published[v] };
        })()`));
        if (pass > 0) {
          keyToDiagnostics.push(t.published - t.key);
          changeToDiagnostics.push(t.published - t.sent);
        }
      }
    }
  }
  const final = /** @type {string} */ (await page.evaluate(`${hook}.text()`));
  if (final !== text) {
    let at = 0;
    while (final[at] === text[at]) at++;
    throw new Error(`the playground's text is not the spec again after the typing and its deletions (the cursor was not where the bench typed): from character ${at}, ${JSON.stringify(final.slice(at, at + 60))} instead of ${JSON.stringify(text.slice(at, at + 60))}`);
  }
  // What the page asked of its server while the timed typing went on (Monaco's requests included), per keystroke.
  const sent = /** @type {Record<string, number>} */ (await page.evaluate(`(() => {
    const counts = {};
    for (const p of globalThis.__netspecBench.posts) if (p.t >= ${timedFrom}) counts[p.method] = (counts[p.method] ?? 0) + 1;
    return counts;
  })()`));
  const perKey = Object.fromEntries(Object.entries(sent).map(([m, k]) => [m, k / keyToDiagnostics.length]));
  return { lines: o.lines, openMs, keyToDiagnosticsMs: summary(keyToDiagnostics), keyP90Ms: percentile(keyToDiagnostics, 0.9), changeToDiagnosticsMs: summary(changeToDiagnostics), requestsPerKeystroke: perKey };
}

/**
 * Puts Monaco's cursor at `at` with the mouse and the keyboard only (the page's hook has no
 * cursor API): pages down or up until the gutter shows the line, clicks on it, then End, Home (Monaco's
 * Home goes to the first non-blank character) and → to the column.
 * @param {Page} page
 * @param {{ line: number, character: number }} at
 * @param {string} text the whole text
 */
async function placeCursor(page, at, text) {
  const lineText = text.split('\n')[at.line];
  const target = at.line + 1;
  for (let attempt = 0; ; attempt++) {
    const seen = /** @type {{ first: number, last: number, hit?: number, x: number, box: { x: number, y: number } }} */ (await page.evaluate(`(() => {
      const rows = [...document.querySelectorAll('.monaco-editor .margin .line-numbers')].map((e) => ({ n: Number(e.textContent), r: e.getBoundingClientRect() })).filter((x) => x.n > 0);
      const lines = document.querySelector('.monaco-editor .view-lines').getBoundingClientRect();
      const editor = document.querySelector('.monaco-editor').getBoundingClientRect();
      const hit = rows.find((x) => x.n === ${target});
      return { first: Math.min(...rows.map((x) => x.n)), last: Math.max(...rows.map((x) => x.n)), hit: hit ? hit.r.top + hit.r.height / 2 : undefined, x: lines.left + 4, box: { x: editor.left + editor.width / 2, y: editor.top + editor.height / 2 } };
    })()`));
    if (seen.hit !== undefined) {
      await page.mouse.click(seen.x, seen.hit);
      break;
    }
    if (attempt === 30) throw new Error(`the playground's editor did not scroll to line ${target} (it shows ${seen.first}–${seen.last})`);
    // Page by page towards the line (a page is what the editor shows), then look again.
    const pageLines = Math.max(1, seen.last - seen.first - 2);
    const presses = Math.max(1, Math.floor(Math.abs(target - (seen.first + seen.last) / 2) / pageLines));
    await page.mouse.click(seen.box.x, seen.box.y);
    for (let k = 0; k < presses; k++) await page.keyboard.press(target > seen.last ? 'PageDown' : 'PageUp');
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  }
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  const indent = (lineText.match(/^\s*/) ?? [''])[0].length;
  for (let k = indent; k < at.character; k++) await page.keyboard.press('ArrowRight');
}

/**
 * Calls `netspecBench[method](...args)` in the page (web-page.ts) and resolves with its result;
 * the arguments travel as JSON.
 * @param {Page} page
 * @param {keyof BenchPage} method
 * @param {unknown[]} args
 * @returns {Promise<unknown>}
 */
function call(page, method, ...args) {
  return page.evaluate(`netspecBench.${method}(...${JSON.stringify(args)})`);
}

/**
 * The whole browser bench, or its `only` part: 'training' (steps and whole runs) or 'editor'
 * (edit → diagnostics and hovers; and the playground, when `playground` — default dist/playground
 * — holds a built page).
 * @param {{ quick?: boolean, lines?: number, playground?: string, mode?: 'auto' | 'wasm' | 'js', only?: 'training' | 'editor' }} [options]
 */
async function benchWeb(options = {}) {
  const harness = browserHarness();
  const quick = options.quick ?? false;
  const lines = options.lines ?? 10000;
  const repeats = quick ? 1 : 3;
  const mode = options.mode ?? (process.env.NETSPEC_KERNELS === 'js' || process.env.NETSPEC_KERNELS === 'wasm' ? process.env.NETSPEC_KERNELS : 'auto');
  log('browser: building dist/ and the bench page…');
  const node = build();
  const site = await serveFolder(ROOT, { pages: { '/bench.html': PAGE } });
  const browser = await harness.openBrowser();
  try {
    const page = browser.page;
    await page.goto(`${site.url}/bench.html`);
    const chromium = chromiumVersion(harness.paths.chromium);
    const serverUrl = `${site.url}/dist/web/server.js`;

    /** @type {{ steps: Awaited<ReturnType<typeof benchSteps>>, runs: Awaited<ReturnType<typeof benchRuns>> } | undefined} */
    let training;
    if (options.only !== 'editor') {
      log('browser: training steps, Chromium worker against Node, interleaved…');
      const steps = await benchSteps(page, node, { mode, workerUrl: `${site.url}/out/bench/web/worker.js`, ...(quick ? { repeats: 3, runMs: 300, warmupMs: 1000 } : { repeats: 7, runMs: 600, warmupMs: 1200 }) });
      log('browser: whole runs, dist/web/server.js against dist/trainWorker.js…');
      const runs = await benchRuns(page, node, { repeats: quick ? 2 : 4, quick, serverUrl });
      training = { steps, runs };
    }

    /** @type {{ lines: number, chromium: Awaited<ReturnType<typeof benchLspWorker>>, node: { openMs: number, editToDiagnosticsMs: Summary, editP90Ms: number, hoverMs: Summary }, playground: Awaited<ReturnType<typeof benchPlayground>> | { missing: string } } | undefined} */
    let editor;
    if (options.only !== 'training') {
      log(`browser: edit → diagnostics on ${lines.toLocaleString('en-US')} lines, Chromium worker…`);
      const chromiumEditor = await benchLspWorker(page, { lines, repeats, serverUrl });
      log('browser: the same typing into the Node server over stdio (bench/editor.js)…');
      const nodeEditor = /** @type {{ rows: { openMs: number, editToDiagnosticsMs: Summary, editP90Ms: number, hoverMs: Summary }[] }} */ (await benchEditor({ sizes: [lines], repeats, afterEdit: false })).rows[0];
      // The playground's page when it is built (npm run playground); its folder alone is served.
      const playgroundDir = options.playground ?? path.join(ROOT, 'dist', 'playground');
      /** @type {Awaited<ReturnType<typeof benchPlayground>> | { missing: string }} */
      let playground = { missing: `${path.relative(ROOT, playgroundDir) || playgroundDir}/index.html is not built (npm run playground)` };
      if (fs.existsSync(path.join(playgroundDir, 'index.html'))) {
        log('browser: the same typing into the playground page (Monaco, keystroke → diagnostics)…');
        const playgroundSite = await serveFolder(playgroundDir);
        try {
          playground = await benchPlayground(page, { lines, repeats, url: playgroundSite.url });
        } finally {
          await playgroundSite.close();
        }
      }
      editor = { lines, chromium: chromiumEditor, node: nodeEditor, playground };
    }
    return { chromium, node: process.version, kernelMode: mode, training, editor };
  } finally {
    await browser.close();
    await site.close();
  }
}

/** @param {Awaited<ReturnType<typeof benchWeb>>} r */
function webTable(r) {
  const n = (/** @type {number} */ x) => (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1));
  const ms = (/** @type {number} */ x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const mm = (/** @type {Summary} */ s, f = n) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
  const ratio = (/** @type {Summary} */ s) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  const out = [`${r.chromium} (headless) against Node ${r.node}; kernel mode ${r.kernelMode}.`];
  const t = r.training;
  if (t) {
    const kernel = (/** @type {string} */ id) => {
      const c = t.steps.cases.find((s) => s.id === id);
      return c ? (c.kernels.chromium === c.kernels.node ? c.kernels.node : `${c.kernels.chromium} (Chromium), ${c.kernels.node} (Node)`) : '?';
    };
    out.push(
      `Chromium's worker: ${t.steps.kernels.chromium}. Node: ${t.steps.kernels.node}.`,
      '',
      '| network | measured | Chromium steps/s, median (min–max) | Node steps/s, median (min–max) | Chromium ÷ Node, median (min–max) | kernels of the products |',
      '| --- | --- | ---: | ---: | ---: | --- |',
      ...t.steps.cases.map((c) => `| ${c.title} | the Trainer's loop (steps.ts) | ${mm(c.chromium)} | ${mm(c.node)} | ${ratio(c.ratio)} | ${kernel(c.id)} |`),
      ...t.runs.cases.map((c) => `| ${c.title} | a whole run, ${c.epochs.toLocaleString('en-US')} epochs, in the training worker | ${mm(c.chromium)} | ${mm(c.node)} | ${ratio(c.ratio)} | ${kernel(c.id)} |`),
      '',
      "The Trainer's loop alternates a Web Worker in Chromium and Node, the same bundled code on both sides. A whole run is dist/web/server.js started as the training worker (`netspec-training`) against dist/trainWorker.js in a Node worker thread, given the same run request (the data as a CSV file handed over with it); its steps/s run from the first epoch's progress message to the run's end, pictures, snapshots and messages included. The first epoch's message came, median: " +
        t.runs.cases.map((c) => `${c.id} ${ms(c.firstEpochMs.chromium.median)} ms in Chromium, ${ms(c.firstEpochMs.node.median)} ms in Node`).join('; ') + ' (starting the worker, analysing the spec, reading the data, one epoch).',
    );
  }
  const e = r.editor;
  if (e) {
    out.push(
      '',
      `| ${e.lines.toLocaleString('en-US')}-line spec | open → diagnostics ms | edit → diagnostics ms, median (min–max) | p90 | hover ms, median (min–max) |`,
      '| --- | ---: | ---: | ---: | ---: |',
      `| Chromium: dist/web/server.js in a Worker, postMessage | ${ms(e.chromium.openMs)} | ${mm(e.chromium.editToDiagnosticsMs, ms)} | ${ms(e.chromium.editP90Ms)} | ${mm(e.chromium.hoverMs, ms)} |`,
      `| Node: dist/server.js over stdio (bench/editor.js) | ${ms(e.node.openMs)} | ${mm(e.node.editToDiagnosticsMs, ms)} | ${ms(e.node.editP90Ms)} | ${mm(e.node.hoverMs, ms)} |`,
    );
    const p = e.playground;
    if ('missing' in p) out.push('', `The playground: not measured, ${p.missing}.`);
    else {
      out.push(
        `| Chromium: the playground page, keystroke in Monaco → diagnostics | ${ms(p.openMs)} | ${mm(p.keyToDiagnosticsMs, ms)} | ${ms(p.keyP90Ms)} | — |`,
        '',
        `In the playground, from the page's didChange to the diagnostics: ${mm(p.changeToDiagnosticsMs, ms)} ms; the rest of a keystroke's time is Monaco's and the page's. Messages the page sent its language server while typing, per keystroke: ${Object.entries(p.requestsPerKeystroke).map(([m, k]) => `${m} ${k.toFixed(1)}`).join(', ') || 'none'}.`,
      );
    }
  }
  return out.join('\n');
}

module.exports = { benchWeb, webTable };

if (require.main === module) {
  const arg = (/** @type {string} */ name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const lines = arg('lines');
  const playground = arg('playground');
  const only = process.argv.includes('--training-only') ? 'training' : process.argv.includes('--editor-only') ? 'editor' : undefined;
  benchWeb({ quick: process.argv.includes('--quick'), only, ...(lines ? { lines: Number(lines) } : {}), ...(playground ? { playground: path.resolve(playground) } : {}) }).then((result) => {
    if (process.argv.includes('--json')) console.log(JSON.stringify(result));
    else console.log(webTable(result));
  }, (err) => {
    console.error(err.stack ?? String(err));
    process.exit(1);
  });
}
