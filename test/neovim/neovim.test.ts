/**
 * A real Neovim (Debian's `neovim`, its built-in LSP client) with the README's configuration, as a
 * user of another editor meets NetSpec: the server started by its command's name, a diagnostic after
 * an edit, the quick fix applied, a hover that reads well in a terminal (the text plot, no
 * `data:image`), the Train lens run to its end through workspace/executeCommand, and a clean exit.
 * check.lua drives Neovim and writes what it saw; this file asserts on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

interface Seen {
  ok: boolean;
  error?: string;
  steps: string[];
  filetype?: string;
  diagnostic?: { message: string; lnum: number; col: number; end_col: number };
  fix_title?: string;
  fixed_line?: string;
  hover?: string;
  lenses?: string[];
  stopped?: boolean;
  messages: string[];
}

/** The README's Neovim 0.7–0.10 configuration, between its markers: what users copy is what runs here. */
function readmeConfig(): string {
  const readme = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
  const m = /<!-- neovim-0\.7-config -->\s*```lua\n([\s\S]*?)```\s*<!-- \/neovim-0\.7-config -->/.exec(readme);
  assert.ok(m, 'README.md has the Neovim configuration between <!-- neovim-0.7-config --> markers');
  return m[1];
}

test('Neovim with the README configuration: diagnostics, a quick fix, a text hover, the Train lens, a clean exit', () => {
  const which = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.ok(!which.error && which.status === 0, 'Neovim is missing: install Debian\'s neovim (`apt-get install neovim`; `npm test` does it through scripts/setup.sh)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-nvim-'));
  try {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(repoRoot(), 'dist', 'server.js'), path.join(bin, 'netspec-language-server'));
    fs.writeFileSync(path.join(tmp, 'init.lua'), readmeConfig());
    const spec = path.join(tmp, 'xor.netspec');
    fs.copyFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), spec);
    const result = path.join(tmp, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-u', path.join(tmp, 'init.lua'), '-c', `luafile ${path.join(repoRoot(), 'test', 'neovim', 'check.lua')}`], {
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'data'), XDG_STATE_HOME: path.join(tmp, 'state'), XDG_CACHE_HOME: path.join(tmp, 'cache'), NETSPEC_NVIM_FILE: spec, NETSPEC_NVIM_RESULT: result },
    });
    assert.equal(r.status, 0, `nvim exited with ${r.status} (${r.signal ?? 'no signal'}): ${r.stderr}`);
    assert.ok(fs.existsSync(result), `Neovim wrote no result: ${r.stdout}\n${r.stderr}`);
    const seen = JSON.parse(fs.readFileSync(result, 'utf8')) as Seen;
    assert.equal(seen.error, undefined, `Neovim stopped at: ${seen.error} (after ${seen.steps.join(', ')}; messages: ${seen.messages.join(' | ')})`);
    assert.equal(seen.filetype, 'netspec');
    assert.match(seen.diagnostic!.message, /tahn/);
    assert.match(seen.diagnostic!.message, /tanh/, 'the did-you-mean');
    assert.match(seen.fix_title!, /tanh/);
    assert.match(seen.fixed_line!, /dense\s+h\[4\] tanh$/);
    assert.match(seen.hover!, /p\s?\(1 - p\)/);
    assert.doesNotMatch(seen.hover!, /data:image/);
    assert.match(seen.hover!, /```text\nsigmoid:\n/);
    assert.match(seen.hover!, /[\u2801-\u28ff]/, 'the braille plot');
    assert.ok(seen.lenses!.includes('Train') && seen.lenses!.includes('Gradient check'), `lenses: ${seen.lenses}`);
    assert.ok(!seen.lenses!.some((l) => /^Show/.test(l)), `no webview lens: ${seen.lenses}`);
    const trained = seen.messages.find((m) => m.startsWith('Trained '));
    assert.match(trained ?? '', /^Trained xor on xor_data: final loss \S+ after 2000 epochs/);
    assert.equal(seen.stopped, true, 'the server stopped when Neovim asked');
    assert.deepEqual(seen.steps, ['attached', 'diagnosed', 'fixed', 'hovered', 'trained', 'stopped']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
