/**
 * Writing and reading NetSpec in a real VS Code (code-server + Chromium, test/editor/harness.js),
 * as a learner does: typing a network into a new file (the indentation comes out right, and Enter
 * after a finished word such as `tanh` is a line break, not a completion), and following a
 * diagnostic's code from its hover to the rendered explanation at its heading.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, retryOnce, statusBarShowing } from './ui';
import { makeWorkspace } from './workspace';

const artifacts = path.join(repoRoot(), 'test-results');

/** The part of playwright-core's Page these tests use beyond the harness's EditorPage. */
interface Page {
  frames(): { evaluate(expression: string): Promise<unknown> }[];
  keyboard: { type(text: string, options?: { delay: number }): Promise<void>; press(key: string): Promise<void> };
  locator(selector: string, options?: { hasText?: string | RegExp }): { first(): { waitFor(o: { state: string; timeout: number }): Promise<void>; click(): Promise<void>; innerText(): Promise<string> } };
  mouse: { move(x: number, y: number): Promise<void> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function typingScenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-typing-')));
  const file = path.join(folder, 'mine.netspec');
  fs.writeFileSync(file, '');
  await inEditor(folder, { viewport: { width: 1280, height: 900 } }, async (browser) => {
    const editor = browser.editor;
    const page = browser.page as Page;
    await editor.openFile('mine.netspec');
    await editor.waitForLanguageMode('NetSpec');
    // The status bar shows the file's indentation: two spaces, the [netspec] default.
    await statusBarShowing(page, /Spaces: 2/);
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.type('network n {', { delay: 20 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('input x[1]', { delay: 20 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('dense h[3] tan', { delay: 20 });
    // The suggestions are open on `tan` (tanh among them) when the word is finished: the case
    // where Enter used to accept `tanh` over itself and swallow the line break.
    const suggest = page.locator('.suggest-widget .monaco-list-row', { hasText: /^tanh/ }).first();
    await suggest.waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.type('h', { delay: 20 });
    await sleep(500);
    await page.keyboard.press('Enter');
    await page.keyboard.type('dense y[1] linear', { delay: 20 });
    await sleep(300);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    const expected = 'network n {\n  input x[1]\n  dense h[3] tanh\n  dense y[1] linear\n}';
    const typed = await until(() => `the saved file to read ${JSON.stringify(expected)}; it reads ${JSON.stringify(fs.readFileSync(file, 'utf8'))}`,
      () => (fs.readFileSync(file, 'utf8') === expected ? expected : undefined), 10_000, 200);
    assert.equal(typed, expected);

    // A closing brace typed on an indented line goes back a level (the one VS Code closed for
    // us stays below it, as in any language with auto-closed brackets).
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('train n on d {', { delay: 20 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('epochs 5', { delay: 20 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    // VS Code re-indents a typed line only once its tokens are known (the grammar tokenizes in
    // the background): a person's pause, not a fix for a slow test.
    await sleep(500);
    await page.keyboard.type('}', { delay: 20 });
    await page.keyboard.press('Control+s');
    const withTrain = `${expected}\ntrain n on d {\n  epochs 5\n}\n}`;
    await until(() => `the saved file to read ${JSON.stringify(withTrain)}; it reads ${JSON.stringify(fs.readFileSync(file, 'utf8'))}`,
      () => (fs.readFileSync(file, 'utf8') === withTrain ? true : undefined), 10_000, 200);
    fs.mkdirSync(artifacts, { recursive: true });
    await editor.screenshot(path.join(artifacts, 'typing.png'));
  });
}

test('UI: typing a network indents by two spaces, Enter after `{` indents, `}` outdents, Enter after `tanh` is a line break', { timeout: 300_000 }, () => retryOnce('typing scenario', typingScenario));

async function docsLinkScenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-docs-')));
  await inEditor(folder, { viewport: { width: 1280, height: 900 } }, async (browser) => {
    const editor = browser.editor;
    const page = browser.page as Page;
    await editor.openFile('broken.netspec');
    await editor.waitForLanguageMode('NetSpec');
    await until('an error squiggle under `sigmod`', async () => ((await editor.squiggles('error')) || undefined), 30_000, 200);
    // The problem's hover: its message, and its code as a link.
    const hover: string = await editor.hover('sigmod');
    assert.match(hover, /Unknown activation `sigmod`/);
    const link = page.locator('.monaco-hover a.code-link', { hasText: 'unknown-activation' }).first();
    await link.waitFor({ state: 'visible', timeout: 10_000 });
    await link.click();
    // The rendered reference opens beside the file, scrolled to the table that explains the code.
    const seen = await until('the language reference at #diagnostic-codes', async () => {
      for (const f of page.frames()) {
        const r = await f.evaluate(`(() => {
          const el = document.getElementById('diagnostic-codes');
          if (!el || document.body.dataset.anchor !== 'diagnostic-codes') return undefined;
          const heading = document.querySelector('h2.target, .target');
          return { top: heading ? heading.getBoundingClientRect().top : -1, text: heading ? heading.textContent : '', scrolled: window.scrollY, raw: document.body.innerText.includes('| code | meaning |') };
        })()`).catch(() => undefined) as { top: number; text: string; scrolled: number; raw: boolean } | undefined;
        if (r) return r;
      }
      return undefined;
    }, 20_000, 250);
    assert.equal(seen.text, 'Diagnostic codes', JSON.stringify(seen));
    assert.ok(seen.scrolled > 0 && seen.top >= 0 && seen.top < 120, `the heading is at the top of the view: ${JSON.stringify(seen)}`);
    assert.equal(seen.raw, false, 'rendered, not raw Markdown');
    const tab = page.locator('.tab', { hasText: 'NetSpec Language Reference' }).first();
    await tab.waitFor({ state: 'visible', timeout: 5_000 });
    fs.mkdirSync(artifacts, { recursive: true });
    await editor.screenshot(path.join(artifacts, 'docs-link.png'));
  });
}

test('UI: the code in a problem\'s hover opens the rendered language reference at its explanation', { timeout: 300_000 }, () => retryOnce('docs link scenario', docsLinkScenario));
