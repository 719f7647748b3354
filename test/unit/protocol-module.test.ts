/**
 * The protocol module's invariants, read statically (ARCHITECTURE.md): the client, the server and
 * the webviews name NetSpec's messages only through server/src/protocol/; that module imports
 * neither `vscode` nor `vscode-languageserver`, and what the webviews import of it is type-only,
 * so their bundle carries no library; and no hand-written JavaScript remains under client/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

/** Every file under dir (relative to the repository root) whose name ends with one of `ends`. */
function files(dir: string, ...ends: string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repoRoot(), dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel, ...ends));
    else if (ends.some((e) => entry.name.endsWith(e))) out.push(rel);
  }
  return out;
}

const read = (rel: string) => fs.readFileSync(path.join(repoRoot(), rel), 'utf8');
/** The `import … from '…'` statements of a source file: whether each is type-only, and from where. */
const imports = (source: string) => [...source.matchAll(/^import (type )?[^;]*? from '([^']+)';/gms)].map((m) => ({ typeOnly: !!m[1], from: m[2] }));

test('server/src/protocol imports only itself and vscode-languageserver-protocol; the payload modules only types', () => {
  for (const f of files('server/src/protocol', '.ts')) {
    for (const i of imports(read(f))) {
      assert.ok(i.from.startsWith('./') || i.from === 'vscode-languageserver-protocol', `${f} imports ${i.from}`);
      if (!f.endsWith('requests.ts')) assert.ok(i.typeOnly, `${f} imports ${i.from} at run time`);
    }
  }
});

test('the webviews import only types, and the client and server name no netspec/ method but through the protocol', () => {
  for (const f of files('client/src/webview', '.ts')) for (const i of imports(read(f))) assert.ok(i.typeOnly, `${f} imports ${i.from} at run time`);
  for (const f of [...files('client/src', '.ts'), ...files('server/src', '.ts')]) {
    if (f.startsWith(path.join('server', 'src', 'protocol'))) continue;
    assert.doesNotMatch(read(f), /['"]netspec\/\w+['"]/, `${f} spells a netspec/ method`);
  }
});

test('no hand-written JavaScript under client/', () => {
  assert.deepEqual(files('client', '.js', '.mjs', '.cjs'), []);
});
