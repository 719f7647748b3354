/**
 * The probe debugger as a person uses it, in a real VS Code (code-server + Chromium,
 * test/editor/harness.js): click *Debug probe* above xor's probe, press F10 through the forward
 * pass and the loss to `backward h`, expand `delta` in the Variables view, and read there the δ
 * that `netspec grad` prints, to the last digit, and ask the debug console to `explain` the
 * stage. The screenshot (test-results/debugger.png) is
 * the README's picture of the Variables view (docs/images/debugger.png).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../oracle/oracle';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';
import { inEditor, retryOnce } from './ui';
import { makeWorkspace } from './workspace';

const artifacts = path.join(repoRoot(), 'test-results');

/** The part of playwright-core's Page this test uses beyond the harness's EditorPage. */
interface Locator {
  first(): Locator;
  nth(i: number): Locator;
  click(): Promise<void>;
  count(): Promise<number>;
  innerText(): Promise<string>;
  waitFor(o: { state: 'visible'; timeout: number }): Promise<void>;
}
interface Page {
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
}

async function scenario(): Promise<void> {
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-debugger-')));
  const grad = runCli(['grad', path.join(folder, 'xor.netspec'), '--json']);
  assert.equal(grad.status, 0, grad.stderr);
  const delta = (grad.json.probes[0] as { layers: Record<string, { delta: number[] }> }).layers.h.delta;
  await inEditor(folder, { viewport: { width: 1280, height: 860 } }, async (browser) => {
    const editor = browser.editor;
    const page = browser.page as unknown as Page;
    await editor.openFile('xor.netspec');
    await editor.waitForLanguageMode('NetSpec');
    const lens = page.locator('.codelens-decoration a', { hasText: 'Debug probe' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await lens.click();
    // The debugger's side bar: Variables above the Call Stack (VS Code leaves the Explorer open).
    await page.keyboard.press('Control+Shift+D');
    // The Call Stack's top frame is the stage: the probe first, then one per F10.
    const frame = (name: string) => page.locator('.debug-call-stack .monaco-list-row', { hasText: name }).first();
    try {
      await frame('probe xor').waitFor({ state: 'visible', timeout: 20_000 });
    } catch (e) {
      await editor.screenshot('/tmp/dbg-fail.png');
      throw e;
    }
    for (const stage of ['forward h', 'forward y', 'loss', 'backward y', 'backward h']) {
      await page.keyboard.press('F10');
      await frame(stage).waitFor({ state: 'visible', timeout: 10_000 });
    }
    const variables = '.debug-variables .monaco-list-row';
    const row = (name: string) => page.locator(variables, { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s*=`) }).first();
    // The view refreshes after the Call Stack: wait for backward h's δ, summarised.
    let summary = '';
    await until(() => `backward h's delta in the Variables view; it shows ${JSON.stringify(summary)}`, async () => {
      summary = (await row('delta').count()) ? await row('delta').innerText() : '';
      return /\[0\.0396, −0\.0581, −0\.0355, …\] \(4\)/.test(summary);
    }, 10_000, 200);
    await row('delta').click();
    await page.keyboard.press('ArrowRight');
    // The children [0] … [3], each the number to the last digit.
    const shown = await until('delta\'s four entries', async () => {
      const texts: string[] = [];
      const rows = page.locator(variables);
      for (let i = 0; i < (await rows.count()); i++) texts.push((await rows.nth(i).innerText()).replace(/\s+/g, ' ').trim());
      const entries = delta.map((_, k) => texts.find((t) => t.startsWith(`[${k}]`)));
      return entries.every(Boolean) ? entries as string[] : undefined;
    }, 10_000, 200);
    delta.forEach((d, k) => assert.match(shown[k], new RegExp(`^\\[${k}\\]\\s*=?\\s*${String(d).replace(/[.+-]/g, '\\$&')}$`), `delta[${k}]`));
    // The debug console: `explain` writes the stage's chain rule with its numbers.
    await page.locator('.repl-input-wrapper .monaco-editor').first().click();
    await page.keyboard.type('explain');
    await page.keyboard.press('Enter');
    const explained = page.locator('.repl .monaco-list-row', { hasText: 'δⱼ = g\'(zⱼ) · Σₖ wⱼₖ·δₖ' }).first();
    await explained.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await explained.innerText()).replace(/\s+/g, ' '), /δ₀ = 0\.490435 · \(\(-0\.893701\)·\(-0\.0904475\)\) = 0\.0396433/);
    fs.mkdirSync(artifacts, { recursive: true });
    await editor.screenshot(path.join(artifacts, 'debugger.png'));
    await page.keyboard.press('Shift+F5');
  });
}

test('UI: the Debug probe lens, F10 to backward h, and delta expanded in the Variables view is netspec grad\'s', { timeout: 300_000 }, () => retryOnce('debugger UI scenario', scenario));
