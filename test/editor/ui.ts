/**
 * What the real-editor tests share: a scenario's code-server and browser, one retry of a
 * scenario, and what they read of the UI in code-server (the status bar, notification toasts, the
 * training panel's and the network view's webviews).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';

// Loaded at run time from the source tree: the harness finds .editor/ relative to itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

/** The harness's browser (openBrowser: page, editor, pageLog, close). */
export type Browser = Awaited<ReturnType<typeof harness.openBrowser>>;

/**
 * Runs `body` in a code-server of its own with NetSpec installed (the repository, or
 * `o.extensionDir`), `folder` open in a browser of its own; then closes both and removes the
 * folder, whatever happened.
 */
export async function inEditor(folder: string, o: { viewport: { width: number; height: number }; workspaceTrust?: boolean; extensionDir?: string }, body: (browser: Browser) => Promise<void>): Promise<void> {
  const server = await harness.startCodeServer({ folder, extensionDir: o.extensionDir ?? repoRoot(), ...(o.workspaceTrust ? { workspaceTrust: true } : {}) });
  const browser = await harness.openBrowser({ viewport: o.viewport });
  try {
    await browser.editor.openFolder(server.url, folder);
    await body(browser);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The panel's state once it shows `network`'s run ended, polled every 100 ms for at most `timeoutMs`. */
export async function panelRunDone(frame: WebviewFrame, network: string, timeoutMs: number): Promise<PanelState> {
  return until(`the ${network} run to end in the panel`, async () => {
    const s = await panelState(frame);
    return s.network === network && s.status === 'done' ? s : undefined;
  }, timeoutMs, 100);
}

/**
 * Hovers `sigmoid` in the open file until the widget shows it (code lenses insert lines above
 * statements as they arrive and move the text under the mouse: wait for them, and hover again if
 * the widget shows another word), checks that the plot of g and g' — an SVG image the server
 * draws — actually rendered, saves a screenshot to `screenshot`, and returns the hover's text.
 */
export async function sigmoidHoverWithPlot(browser: Browser, screenshot: string): Promise<string> {
  await browser.page.locator('.codelens-decoration').first().waitFor({ state: 'visible', timeout: 20_000 });
  let hover = '';
  for (let i = 0; i < 5 && !hover.startsWith('sigmoid'); i++) {
    await browser.page.mouse.move(5, 5);
    hover = await browser.editor.hover('sigmoid');
  }
  const img = browser.page.locator('.monaco-hover img[src^="data:image/svg+xml"]');
  await img.first().waitFor({ state: 'visible', timeout: 10_000 });
  const size = await img.first().evaluate((el: { naturalWidth: number; naturalHeight: number }) => [el.naturalWidth, el.naturalHeight]);
  assert.ok(size[0] > 100 && size[1] > 50, `the plot image did not load (natural size ${size})`);
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await browser.editor.screenshot(screenshot);
  return hover;
}

/**
 * Runs a UI scenario, and once more (it starts its own code-server and browser) when it fails:
 * one retry absorbs a timing accident of the asynchronous UI; a real failure fails twice, and the
 * first failure is logged.
 */
export async function retryOnce(what: string, scenario: () => Promise<void>): Promise<void> {
  try {
    await scenario();
  } catch (err) {
    console.log(`${what} failed once, retrying: ${err instanceof Error ? err.message : String(err)}`);
    await scenario();
  }
}

/** The status bar's text (items joined by " | ") once it matches `re`. */
export async function statusBarShowing(page: { locator(selector: string): { first(): { innerText(): Promise<string> } } }, re: RegExp, timeoutMs = 20_000): Promise<string> {
  let shown = '';
  return until(() => `the status bar to show ${re}; it shows ${shown}`, async () => {
    shown = (await page.locator('.statusbar').first().innerText()).replace(/\n/g, ' | ');
    return re.test(shown) ? shown : undefined;
  }, timeoutMs, 200);
}

/**
 * The visible notification toasts' texts once `done` holds of them (notifications() waits for the
 * fade-in); on a timeout, the failure shows the last toasts seen.
 */
export async function toastsWhen(editor: { notifications(): Promise<string[]> }, done: (toasts: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  let last: string[] = [];
  return until(() => `the toasts to change; the last were: ${last.join(' | ')}`, async () => {
    last = await editor.notifications();
    return done(last) ? last : undefined;
  }, timeoutMs, 0);
}

/** The part of playwright-core's Frame these tests use (playwright-core lives in .editor/, outside node_modules). */
export interface WebviewFrame {
  $(selector: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  focus(selector: string): Promise<void>;
  click(selector: string): Promise<void>;
}

/** What the training panel shows, read in its page. */
export interface PanelState {
  network: string;
  status: string;
  epoch: string;
  /** The epoch of the drawn picture, and how many epochs the loss curve draws. */
  pictureEpoch: string;
  drawn: string;
  pictureTitle: string;
  /** The fraction of the picture's canvas painted, and a digest of its pixels. */
  painted: number;
  pixels: number;
}

export async function panelState(frame: WebviewFrame): Promise<PanelState> {
  return (await frame.evaluate(`(() => {
    const canvas = document.getElementById('boundary');
    let painted = 0;
    let pixels = 0;
    if (canvas.width > 0) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0) painted++;
        pixels = (pixels * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) % 1000000007;
      }
      painted /= canvas.width * canvas.height;
    }
    return {
      network: document.getElementById('network').textContent,
      status: document.getElementById('status').textContent,
      epoch: document.getElementById('epoch').textContent,
      pictureEpoch: canvas.dataset.epoch || '',
      drawn: document.getElementById('chart').dataset.drawn || '',
      pictureTitle: document.getElementById('pictureTitle').textContent,
      painted,
      pixels,
    };
  })()`)) as PanelState;
}

/** The frame of the NetSpec: Training webview (VS Code nests webviews in iframes). */
export async function trainingPanelFrame(page: { frames(): WebviewFrame[] }, timeoutMs: number): Promise<WebviewFrame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) if (await f.$('#chart').catch(() => null)) return f;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the training panel did not open (no webview frame with #chart)');
}

/** What the network view (Show Network) shows, read in its page. */
export interface NetworkViewState {
  title: string;
  /** Whose parameters: "the file's weights", "training: epoch 12 / 400", "trained weights (…)". */
  params: string;
  probe: string;
  mode: string;
  legend: string;
  edges: { from: string; to: string; w: string; grad: string; width: string }[];
  /** How many units show a heatmap, and how many a value or δ label. */
  maps: number;
  unitValues: number;
}

export async function networkViewState(frame: WebviewFrame): Promise<NetworkViewState> {
  return (await frame.evaluate(`(() => ({
    title: document.getElementById('title').textContent,
    params: document.getElementById('params').textContent,
    probe: document.getElementById('probe').textContent,
    mode: document.body.dataset.mode || '',
    legend: document.getElementById('legend').textContent,
    edges: [...document.querySelectorAll('svg.network .edge')].map((e) => ({
      from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), w: e.getAttribute('data-w'),
      grad: e.getAttribute('data-grad') || '', width: e.getAttribute('stroke-width'),
    })),
    maps: document.querySelectorAll('svg.network .unit-maps image').length,
    unitValues: document.querySelectorAll('svg.network .unit-value').length,
  }))()`)) as NetworkViewState;
}

/** The frame of the network view titled "Network NAME" (VS Code nests webviews in iframes). */
export async function networkViewFrame(page: { frames(): WebviewFrame[] }, network: string, timeoutMs: number): Promise<WebviewFrame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const title = await f.evaluate(`(document.getElementById('diagram') && document.getElementById('title')?.textContent) || ''`).catch(() => '');
      if (title === `Network ${network}`) return f;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the view of ${network} did not open (no webview frame with #diagram titled "Network ${network}")`);
}
