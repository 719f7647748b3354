// The browser's training worker is the same engine as Node's: dist/web/server.js, started in
// Debian's Chromium as a Web Worker under the name `netspec-training` (as the web language
// server starts it), trains a spec and posts its trained parameters; the same request run in
// Node (training-run.ts, what dist/trainWorker.js runs) must give the same numbers.
//
// Bit for bit where only +, −, ×, ÷ and √ are involved (IEEE 754 rounds those exactly alike
// everywhere): a relu network with a linear output, squared error, momentum, xor data. Any
// difference between the two engines — the WebAssembly SIMD kernel against the JavaScript one,
// an order of summation, a batch, a shuffle — shows there. Not bit for bit where the host's
// Math.exp, Math.log, Math.sin, Math.pow enter (tanh, sigmoid, adam's βᵗ, the spiral's
// points): V8 in Chromium and V8 in Node 20 round about one argument in ten differently in the
// last bit, so there the run must agree to within what those last bits can grow into.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { gemmModuleBytes } from '../../server/src/engine/kernels/wasm';
import { setKernelMode, type KernelMode } from '../../server/src/engine/kernels/gemm';
import type { RunMessage, RunRequest } from '../../server/src/server/runs';
import { runTraining } from '../../server/src/server/training-run';
import { repoRoot } from '../support/paths';
import { serveFolder } from '../../scripts/static-server';

// Loaded at run time from the source tree: the harness finds .editor/ (playwright-core) relative to itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

/** The data's line of `train`, as the editor sends it. */
function requestOf(text: string): RunRequest {
  return { text, specFile: '/bench/web-training.netspec', line: text.split('\n').findIndex((l) => l.startsWith('train ')) };
}

/**
 * Exact arithmetic only: relu, leaky_relu, linear, squared error, momentum, and xor's points
 * (uniform draws, no sine). Every product goes through the WebAssembly kernel wherever it loads
 * (gemm.ts `Arena.gemm`); l2 and a split exercise the optimiser and the test-set evaluation too.
 */
const EXACT = requestOf(`network exact_net {
  input  p[2]
  dense  h1[16] relu
  dense  h2[16] leaky_relu
  dense  y[1] linear
  loss   squared_error
  init   he seed 5
}

data xor_data = xor(n: 200, noise: 0.1, seed: 4)

train exact_net on xor_data {
  optimizer     momentum(0.9)
  learning_rate 0.01
  l2            0.001
  epochs        12
  batch         16
  seed          2
  split         0.8
}
`);

/** examples/spiral.netspec, 12 epochs: tanh, sigmoid, binary cross-entropy, adam, the spiral generator's sines. */
const SPIRAL = requestOf(`network spiral_net {
  input  p[2]
  dense  h1[16] tanh
  dense  h2[16] tanh
  dense  y[1] sigmoid
  loss   binary_cross_entropy
  init   xavier seed 3
}

data spiral_data = spiral(n: 300, noise: 0.1, seed: 1)

train spiral_net on spiral_data {
  optimizer     adam(0.9, 0.999)
  learning_rate 0.01
  l2            0.001
  epochs        12
  batch         16
  seed          2
  split         0.8
}
`);

type Done = Extract<RunMessage, { kind: 'done' }>;

/** Each float64 as the 16 hex digits of its bits: equal strings are equal numbers, bit for bit (−0 and NaN's payload included). */
function bits(xs: readonly number[]): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return xs.map((x) => {
    view.setFloat64(0, x);
    return view.getBigUint64(0).toString(16).padStart(16, '0');
  });
}

/** The trained parameters, layer by layer, W then b, as bits. */
function parameterBits(done: Done): string[][] {
  return done.layers.flatMap((l) => [bits(l.W), bits(l.b)]);
}

/** The run in this process, with the kernels of `mode`, as trainWorker.ts runs it on Node. */
function nodeRun(request: RunRequest, mode: KernelMode): Done {
  setKernelMode(mode);
  try {
    const messages: RunMessage[] = [];
    runTraining(request, { read: () => { throw new Error('this run reads no file'); } }, (m) => messages.push(m));
    const end = messages[messages.length - 1];
    assert.equal(end.kind, 'done', `the Node run ended with ${JSON.stringify(end)}`);
    return end as Done;
  } finally {
    setKernelMode(undefined);
  }
}

/** What the page evaluates: the globals of a window used here (this project's lib has no DOM types). */
interface PageGlobals {
  Worker: new (url: string, options?: { name?: string }) => {
    postMessage(m: unknown): void;
    terminate(): void;
    addEventListener(type: 'message', l: (e: { data: unknown }) => void): void;
    addEventListener(type: 'error', l: (e: { message?: string }) => void): void;
  };
  WebAssembly: { validate(bytes: Uint8Array): boolean };
}

type Page = { evaluate<R, A>(f: (arg: A) => R | Promise<R>, arg: A): Promise<R> };

/** The run in the page: dist/web/server.js as a training worker, as web.ts starts it; every message it posted. */
async function browserRun(page: Page, serverUrl: string, request: RunRequest): Promise<RunMessage[]> {
  return (await page.evaluate(({ url, request }: { url: string; request: RunRequest }) => new Promise<unknown[]>((resolve, reject) => {
    const g = globalThis as unknown as PageGlobals;
    const worker = new g.Worker(url, { name: 'netspec-training' });
    const seen: unknown[] = [];
    worker.addEventListener('message', (e) => {
      seen.push(e.data);
      const kind = (e.data as { kind: string }).kind;
      if (kind === 'done' || kind === 'error') {
        worker.terminate();
        resolve(seen);
      }
    });
    worker.addEventListener('error', (e) => reject(new Error(`the training worker failed: ${e.message}`)));
    worker.postMessage(request);
  }), { url: serverUrl, request })) as RunMessage[];
}

/** The run's end, checked to be a trained run that posted progress on the way. */
function doneOf(messages: RunMessage[], log: string[]): Done {
  const end = messages[messages.length - 1];
  assert.equal(end?.kind, 'done', `the browser run ended with ${JSON.stringify(end)}\n${log.join('\n')}`);
  assert.ok(messages.some((m) => m.kind === 'progress'), 'the browser run posted no progress');
  return end as Done;
}

/** The largest |a − b| / max(|b|, 1e-3) over every parameter: relative, with small weights judged absolutely. */
function largestDifference(a: Done, b: Done): number {
  let worst = 0;
  a.layers.forEach((l, i) => {
    for (const [x, y] of [[l.W, b.layers[i].W], [l.b, b.layers[i].b]]) {
      assert.equal(x.length, y.length);
      for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]) / Math.max(Math.abs(y[j]), 1e-3));
    }
  });
  return worst;
}

test('web training worker: dist/web/server.js in Chromium trains as Node does (WebAssembly SIMD kernel on both sides)', { timeout: 120_000 }, async (t) => {
  harness.checkPrerequisites({ codeServer: false });
  const root = repoRoot();
  assert.ok(fs.existsSync(path.join(root, 'dist/web/server.js')), 'dist/web/server.js is missing: run `npm run build`');
  const site = await serveFolder(root, { pages: { '/web-training.html': '<!doctype html><title>NetSpec training worker</title>' } });
  const browser = await harness.openBrowser();
  const serverUrl = `${site.url}/dist/web/server.js`;
  try {
    const page = browser.page;
    await page.goto(`${site.url}/web-training.html`);
    const simd = await page.evaluate((bytes: number[]) => (globalThis as unknown as PageGlobals).WebAssembly.validate(Uint8Array.from(bytes)), Array.from(gemmModuleBytes()));
    assert.equal(simd, true, "Chromium does not validate the engine's WebAssembly SIMD kernel: the browser run would not use it");

    await t.test('exact arithmetic (relu, linear, squared error, momentum, xor): the same parameters, bit for bit', async () => {
      const wasm = nodeRun(EXACT, 'auto');
      const js = nodeRun(EXACT, 'js');
      assert.deepEqual(parameterBits(js), parameterBits(wasm), 'Node: the JavaScript and WebAssembly kernels train to different parameters');
      assert.ok(wasm.finalLoss < wasm.firstLoss, `the run did not train (loss ${wasm.firstLoss} → ${wasm.finalLoss})`);
      const web = doneOf(await browserRun(page, serverUrl, EXACT), browser.pageLog);
      assert.equal(web.epochs, wasm.epochs);
      assert.equal(web.definition, wasm.definition, 'the two sides fingerprint the network differently');
      // The numbers crossed postMessage and Playwright's serialisation: compare bits, not printed text.
      assert.deepEqual(bits([web.firstLoss, web.finalLoss]), bits([wasm.firstLoss, wasm.finalLoss]), 'the losses differ');
      assert.deepEqual(parameterBits(web), parameterBits(wasm), 'the browser trained to other parameters than Node');
    });

    await t.test('transcendental functions (tanh, sigmoid, cross-entropy, adam, spiral): the same run to within the hosts\' last bits', async (st) => {
      const node = nodeRun(SPIRAL, 'auto');
      const web = doneOf(await browserRun(page, serverUrl, SPIRAL), browser.pageLog);
      assert.equal(web.epochs, node.epochs);
      assert.ok(web.finalLoss < web.firstLoss, `the browser run did not train (loss ${web.firstLoss} → ${web.finalLoss})`);
      // 180 steps from data, weights and activations that differ by an ulp here and there: a
      // different engine (another order of terms, batch or shuffle) would be off by far more.
      const worst = largestDifference(web, node);
      st.diagnostic(`largest relative difference of a parameter, Chromium against Node: ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-9, `the browser's parameters differ from Node's by up to ${worst} (relative)`);
      assert.ok(Math.abs(web.finalLoss - node.finalLoss) <= 1e-9 * Math.abs(node.finalLoss), `final loss ${web.finalLoss} in the browser, ${node.finalLoss} in Node`);
    });
  } finally {
    await browser.close();
    await site.close();
  }
});
