/**
 * The playground page (dist/playground/, built by scripts/playground.js, which scripts/test.js runs)
 * in Debian's Chromium through playwright-core, served from 127.0.0.1 by the playground's own static
 * server: a share link's text with its squiggle and did-you-mean, a hover with its formula and its
 * plot, a link that cannot be read, a reload that keeps the text, the spiral trained to its last
 * epoch with its decision boundary painted, and a language server worker that dies and is replaced.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import LZString from 'lz-string';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';

// Loaded at run time from the source tree, as the real-editor tests do: the harness finds
// playwright-core in .editor/ (missing → it says to run `bash scripts/editor/install.sh`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serve } = require(path.join(repoRoot(), 'scripts', 'playground-serve.js')) as { serve(folder: string, port: number): Promise<{ url: string; close(): Promise<void> }> };

const site = path.join(repoRoot(), 'dist', 'playground');
const example = (name: string) => fs.readFileSync(path.join(repoRoot(), 'examples', `${name}.netspec`), 'utf8');

/** A learner's slip: `sigmoud` for sigmoid in a layer, and a correct `sigmoid` in an eval to hover. */
const MISSPELT = `network n {
  input  x[1]
  dense  y[1] sigmoud
  loss   squared_error
}

eval sigmoid(0.5)
`;

type Browser = Awaited<ReturnType<typeof harness.openBrowser>>;
let browser: Browser;
let server: { url: string; close(): Promise<void> };

/** What the page's hook (window.netspecPlayground) answers, read in the page. */
async function hook<T>(what: string): Promise<T> {
  return browser.page.evaluate((w: string) => {
    const api = (globalThis as unknown as { netspecPlayground: Record<string, () => unknown> }).netspecPlayground;
    return api[w]();
  }, what);
}

/** Loads the page afresh (a change of the fragment alone would not reload it). */
async function open(fragment: string): Promise<void> {
  await browser.page.goto('about:blank');
  await browser.page.goto(`${server.url}index.html${fragment}`, { waitUntil: 'load' });
  await browser.page.waitForSelector('.monaco-editor .view-lines');
  await until('the page hook', () => hook<string>('status').catch(() => undefined), 20_000, 100);
}

/** Moves the mouse to (or clicks) a position of the text (1-based line and column). */
async function pointAt(lineNumber: number, column: number, how: 'move' | 'click'): Promise<void> {
  const p = await browser.page.evaluate(([l, c]: [number, number]) => (globalThis as unknown as { netspecPlayground: { pointOf(l: number, c: number): { x: number; y: number } } }).netspecPlayground.pointOf(l, c), [lineNumber, column]);
  assert.ok(p, `no point for ${lineNumber}:${column}`);
  if (how === 'click') await browser.page.mouse.click(p.x, p.y);
  else await browser.page.mouse.move(p.x, p.y, { steps: 2 });
}

/**
 * The visible hover that says `text` once the mouse rests on a position of the text (1-based),
 * within `timeoutMs`. The mouse is moved there again, from off the text, every few seconds: code
 * lenses and inlay hints arrive after the diagnostics and move the lines, so the point a first
 * move aimed at may no longer be that position when Monaco asks for the hover.
 */
async function hoverAt(lineNumber: number, column: number, text: string, timeoutMs: number): Promise<ReturnType<Browser['page']['locator']>> {
  const hover = browser.page.locator('.monaco-hover:not(.hidden)', { hasText: text }).first();
  const start = Date.now();
  for (;;) {
    await browser.page.mouse.move(1, 1);
    await pointAt(lineNumber, column, 'move');
    const left = timeoutMs - (Date.now() - start);
    try {
      await hover.waitFor({ state: 'visible', timeout: Math.max(1, Math.min(3000, left)) });
      return hover;
    } catch (err) {
      if (left <= 3000) throw err;
    }
  }
}

before(async () => {
  assert.ok(fs.existsSync(path.join(site, 'index.html')), `${site}/index.html is missing: run \`npm run playground\` (npm test builds it)`);
  harness.checkPrerequisites({ codeServer: false });
  server = await serve(site, 0);
  browser = await harness.openBrowser({ viewport: { width: 1400, height: 860 } });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a #code/ link opens its text: the misspelt activation is squiggled with its did-you-mean, and sigmoid hovers with p (1 - p) and its plot', async () => {
  await open('#code/' + LZString.compressToEncodedURIComponent(MISSPELT));
  assert.equal(await hook<string>('text'), MISSPELT);
  await browser.page.waitForSelector('.squiggly-error', { timeout: 20_000 });
  const diagnostics = await hook<{ message: string }[]>('diagnostics');
  assert.ok(diagnostics.some((d) => /Unknown activation `sigmoud`\. Did you mean `sigmoid`\?/.test(d.message)), JSON.stringify(diagnostics));

  // Hover the `sigmoid` of the eval (line 7).
  const hover = await hoverAt(7, 8, 'p (1 - p)', 15_000);
  const image = await until('the hover\'s plot to load', async () => {
    const img = await hover.evaluate((el: { querySelector(s: string): { src: string; complete: boolean; naturalWidth: number } | null }) => {
      const i = el.querySelector('img');
      return i && { src: i.src.slice(0, 30), loaded: i.complete && i.naturalWidth > 0 };
    });
    return img?.loaded ? img : undefined;
  }, 10_000, 100);
  assert.match(image.src, /^data:image\/svg\+xml/);
});

test('quick fix, code lenses (Gradient check, Show plot, Show network, Train), inlay hints and completion work in Monaco', async () => {
  const text = MISSPELT.replace('eval sigmoid(0.5)', 'probe n [0.5] -> [1]');
  await open('#code/' + LZString.compressToEncodedURIComponent(text));
  await browser.page.waitForSelector('.squiggly-error', { timeout: 20_000 });
  // Ctrl+. on the misspelt name offers the did-you-mean; Enter applies it.
  await pointAt(3, 16, 'click');
  await browser.page.keyboard.press('Control+.');
  await browser.page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'sigmoid'" }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await browser.page.keyboard.press('Enter');
  await until('the fix to be applied', async () => (await hook<string>('text')).includes('dense  y[1] sigmoid\n') || undefined, 10_000, 100);
  await until('the squiggle to go', async () => (await browser.page.locator('.squiggly-error').count()) === 0 || undefined, 10_000, 100);
  // The probe's inlay hint (its loss) and its lenses.
  await browser.page.locator('.monaco-editor', { hasText: 'E = 0.1713' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await browser.page.locator('.codelens-decoration a', { hasText: 'Gradient check' }).first().click();
  await browser.page.locator('.codelens-decoration a', { hasText: /Gradient check ✓ worst/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await hook<string>('status'), /backpropagation agrees with finite differences/);
  await browser.page.locator('.codelens-decoration a', { hasText: 'Show plot' }).first().click();
  await browser.page.locator('dialog#plot img').first().waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await browser.page.locator('dialog#plot img').count(), 2); // the network's y(x), and sigmoid with sigmoid'
  await browser.page.keyboard.press('Escape');
  // Show network: the diagram netspec diagram draws, one line per weight, in the same dialog.
  await browser.page.locator('.codelens-decoration a', { hasText: 'Show network' }).first().click();
  await browser.page.locator('dialog#plot img[alt="n"]').waitFor({ state: 'visible', timeout: 10_000 });
  const src = decodeURIComponent((await browser.page.locator('dialog#plot img').first().getAttribute('src'))!.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''));
  assert.equal([...src.matchAll(/class="edge"/g)].length, 1, 'x[1] → y[1]: one weight');
  await browser.page.keyboard.press('Escape');
  // Completion after `dense h[2] ta`: tanh.
  await pointAt(3, 21, 'click');
  await browser.page.keyboard.press('End');
  await browser.page.keyboard.type('\n  dense  h[2] ta');
  await browser.page.keyboard.press('Control+Space');
  await browser.page.locator('.suggest-widget .monaco-list-row', { hasText: 'tanh' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await browser.page.keyboard.press('Escape');
  // The xor example's Train lens runs its network.
  await browser.page.locator('#examples').selectOption('xor');
  await browser.page.locator('.codelens-decoration a', { hasText: /^Train$/ }).first().click();
  let last = '';
  await until(() => `the Train lens's run to end; the status line says: ${last}`, async () => /Trained xor: final loss/.test((last = await hook<string>('status'))) || undefined, 30_000, 100);
});

test('a #code/ link that does not decode keeps the default example and says why', async () => {
  await open('#code/this-is-not-a-share-link');
  assert.equal(await hook<string>('text'), example('xor'));
  const status = await until('the status line to give the reason', async () => {
    const s = await hook<string>('status');
    return /link is damaged/.test(s) ? s : undefined;
  }, 10_000, 100);
  assert.match(status, /xor example/);
});

test('Share shows the link; typed text survives a reload (the address) and a visit without a link (localStorage); a text over the limit is not shared', async () => {
  await open('');
  await browser.page.locator('.monaco-editor .view-lines').first().click();
  await browser.page.keyboard.press('Control+End');
  await browser.page.keyboard.type('\neval tanh(0.25)  # typed here\n');
  const typed = await hook<string>('text');
  assert.match(typed, /# typed here/);
  // Typing may pause longer than the page's debounce: wait for the address to hold all of it.
  const hashOfTyped = '#code/' + LZString.compressToEncodedURIComponent(typed);
  await until('the address to hold the text', async () => (await browser.page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)) === hashOfTyped || undefined, 5_000, 100);
  // Share shows (and copies) the same link.
  await browser.page.locator('#share').click();
  const shown = await until('the share link to be shown', async () => (await browser.page.locator('#shareUrl').first().inputValue()) || undefined, 5_000, 100);
  assert.equal(shown, `${server.url}index.html${hashOfTyped}`);
  await browser.page.reload({ waitUntil: 'load' });
  await until('the page after the reload', () => hook<string>('text').catch(() => undefined), 20_000, 100);
  assert.equal(await hook<string>('text'), typed);
  await open('');
  assert.equal(await hook<string>('text'), typed);
  await until('the restored-text note (it replaces "Starting the language server…" once the server is up)', async () => /Restored your text/.test(await hook<string>('status')) || undefined, 20_000, 100);
  // A text over the limit is refused with the reason (and stays in the editor).
  const long = '# a long comment line, repeated until the text is over the limit of a link\n'.repeat(1400);
  await browser.page.evaluate((t: string) => (globalThis as unknown as { netspecPlayground: { setText(t: string): number } }).netspecPlayground.setText(t), long);
  await browser.page.locator('#share').click();
  assert.match(await hook<string>('status'), /too long to share as a link: 105,000 characters, and a link carries at most 100,000/);
  assert.equal(await hook<string>('text'), long);
});

test('the spiral example trains in the page: the panel reaches the last epoch and paints the decision boundary', async () => {
  await open('');
  let last = '';
  await browser.page.locator('#examples').selectOption('spiral');
  assert.equal(await hook<string>('text'), example('spiral'));
  await until(() => `the language server to answer; the status line says: ${last}`, async () => /Ready|Restored|Opened/.test((last = await hook<string>('status'))) || undefined, 20_000, 100);
  await browser.page.locator('#train').click();
  const frame = browser.page.frameLocator('#panel');
  const epoch = await until('the panel to show the last epoch', async () => {
    const text: string = await frame.locator('#epoch').innerText();
    return /epoch 400 \/ 400/.test(text) ? text : undefined;
  }, 60_000, 200);
  assert.match(epoch, /epoch 400 \/ 400/);
  await until(() => `the status line to say the run ended; it says: ${last}`, async () => /Trained spiral_net: final loss/.test((last = await hook<string>('status'))) || undefined, 20_000, 100);
  // The boundary's canvas: painted with both classes' colours over most of its area.
  const painted = await until('the boundary to be painted', async () => {
    const p = await frame.locator('#boundary').evaluate((canvas: { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }) => {
      if (canvas.width === 0) return undefined;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set<string>();
      let opaque = 0;
      for (let i = 0; i < data.length; i += 4 * 7) {
        if (data[i + 3] > 0) opaque++;
        colours.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`);
      }
      return { share: opaque / (data.length / 28), colours: colours.size };
    });
    return p && p.share > 0.5 && p.colours > 10 ? p : undefined;
  }, 15_000, 200);
  assert.ok(painted.colours > 10, JSON.stringify(painted));
  const shot = process.env.NETSPEC_UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot(), 'docs', 'images', 'playground.png') : path.join(repoRoot(), 'out', 'playground.png');
  await browser.page.screenshot({ path: shot });
});

test('a language server worker that dies is replaced, with the text typed since', async () => {
  await open('#code/' + LZString.compressToEncodedURIComponent(MISSPELT));
  await browser.page.waitForSelector('.squiggly-error', { timeout: 20_000 });
  await hook('stopServerWorker');
  const fixed = MISSPELT.replace('sigmoud', 'tanhh');
  await browser.page.evaluate((t: string) => (globalThis as unknown as { netspecPlayground: { setText(t: string): number } }).netspecPlayground.setText(t), fixed);
  const status = await until('the page to say the server was restarted', async () => {
    const s = await hook<string>('status');
    return /restarted with your text/.test(s) ? s : undefined;
  }, 20_000, 100);
  assert.match(status, /did not answer/);
  const diagnostics = await until('the new server\'s diagnostics of the text typed after the crash', async () => {
    const d = await hook<{ message: string }[]>('diagnostics');
    return (await hook<number>('diagnosticsSeen')) > 0 && d.some((x) => /`tanhh`/.test(x.message)) ? d : undefined;
  }, 20_000, 100);
  assert.ok(diagnostics.every((d) => !/sigmoud/.test(d.message)));
});
