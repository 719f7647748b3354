/**
 * The protocol module's invariants, read statically (ARCHITECTURE.md): the client, the server and
 * the webviews name NetSpec's messages only through server/src/protocol/; that module imports
 * neither `vscode` nor `vscode-languageserver`, and what the webviews import of it is type-only,
 * so their bundle carries no library; and no hand-written JavaScript remains under client/.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { importsOf, readSource, sourceFiles } from '../support/sources';

test('server/src/protocol imports only itself and vscode-languageserver-protocol; the payload modules only types', () => {
  for (const f of sourceFiles('server/src/protocol', '.ts')) {
    for (const i of importsOf(readSource(f))) {
      assert.ok(i.from.startsWith('./') || i.from === 'vscode-languageserver-protocol', `${f} imports ${i.from}`);
      if (!f.endsWith('requests.ts')) assert.ok(i.typeOnly, `${f} imports ${i.from} at run time`);
    }
  }
});

test('the webviews import only types, and the client and server name no netspec/ method but through the protocol', () => {
  for (const f of sourceFiles('client/src/webview', '.ts')) for (const i of importsOf(readSource(f))) assert.ok(i.typeOnly, `${f} imports ${i.from} at run time`);
  for (const f of [...sourceFiles('client/src', '.ts'), ...sourceFiles('server/src', '.ts')]) {
    if (f.startsWith(path.join('server', 'src', 'protocol'))) continue;
    assert.doesNotMatch(readSource(f), /['"]netspec\/\w+['"]/, `${f} spells a netspec/ method`);
  }
});

test('no hand-written JavaScript under client/', () => {
  assert.deepEqual(sourceFiles('client', '.js', '.mjs', '.cjs'), []);
});
