/**
 * The TextMate grammar against the scope assertions in test/grammar/*.netspec
 * (`# SYNTAX TEST "source.netspec"` format), run with vscode-tmgrammar-test as a process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('the TextMate grammar gives every asserted token its scope', () => {
  const root = repoRoot();
  const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vscode-tmgrammar-test.cmd' : 'vscode-tmgrammar-test');
  assert.ok(fs.existsSync(bin), `${bin} is missing: run \`npm ci\` (vscode-tmgrammar-test is a devDependency)`);
  const cases = fs.readdirSync(path.join(root, 'test', 'grammar')).filter((f) => f.endsWith('.netspec'));
  assert.ok(cases.length >= 2, 'the grammar test cases are missing');
  const r = spawnSync(bin, ['--compact', '-g', 'syntaxes/netspec.tmLanguage.json', 'test/grammar/*.netspec'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, `vscode-tmgrammar-test failed:\n${r.stdout}${r.stderr}`);
});
