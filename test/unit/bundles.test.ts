/**
 * The shipped scripts are ASCII. V8 keeps a script's source in memory for as long as the script
 * runs, at two bytes a character if a single character is beyond Latin-1: the server's 1.1 MB
 * would take 2.2 MB in the language server and again in each worker. esbuild.js escapes what
 * esbuild leaves as written (some comments); this names any script and line where that failed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('every script in dist/ and dist/web/ is ASCII', () => {
  const found: string[] = [];
  for (const dir of ['dist', 'dist/web']) {
    const full = path.join(repoRoot(), dir);
    assert.ok(fs.existsSync(path.join(full, 'server.js')), `${dir}/server.js is missing: run \`node esbuild.js\` first`);
    for (const name of fs.readdirSync(full).filter((f) => f.endsWith('.js'))) {
      const lines = fs.readFileSync(path.join(full, name), 'utf8').split('\n');
      const at = lines.findIndex((l) => /[^\x00-\x7f]/.test(l)); // eslint-disable-line no-control-regex
      if (at >= 0) found.push(`${dir}/${name}:${at + 1}: ${lines[at].trim().slice(0, 80)}`);
    }
  }
  assert.deepEqual(found, [], 'scripts with characters beyond ASCII');
});
