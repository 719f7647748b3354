/** `npm run package`: the .vsix for desktop VS Code holds what the extension needs, and no sources. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('the packaged extension lists the client, server, CLI, grammar and language configuration', () => {
  const vsce = path.join(repoRoot(), 'node_modules', '.bin', 'vsce');
  const r = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: repoRoot(), encoding: 'utf8' });
  assert.equal(r.status, 0, `vsce ls failed (run npm ci): ${r.stderr}`);
  const files = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const f of ['dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/trainWorker.js', 'dist/productWorker.js', 'dist/debugAdapter.js', 'dist/web/extension.js', 'dist/web/server.js', 'dist/media/uPlot.iife.min.js', 'dist/media/uPlot.LICENSE.txt', 'dist/media/trainingPanel.js', 'dist/media/language.html', 'syntaxes/netspec.tmLanguage.json', 'language-configuration.json', 'package.json', 'README.md', 'images/netspec.svg']) {
    assert.ok(files.includes(f), `${f} is not packaged: ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.endsWith('.ts') || f.startsWith('test/') || f.startsWith('node_modules/')), `sources or tests packaged: ${files.join(', ')}`);
});
