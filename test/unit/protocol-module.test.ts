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

test('the webviews\' bundle carries no library, and the client and server name no netspec/ method but through the protocol', () => {
  // What a page script reaches at run time is the client's own code (client/src, e.g. the shared
  // figures.ts), importing no package and nothing of server/src (whose protocol is types only here).
  const reached = new Set<string>();
  const visit = (f: string) => {
    for (const i of importsOf(readSource(f))) {
      if (i.typeOnly) continue;
      assert.ok(i.from.startsWith('.'), `${f} imports the package ${i.from} at run time`);
      const target = path.join(path.dirname(f), i.from) + '.ts';
      assert.ok(target.startsWith(path.join('client', 'src') + path.sep), `${f} imports ${i.from} at run time`);
      if (!reached.has(target)) {
        reached.add(target);
        visit(target);
      }
    }
  };
  for (const f of sourceFiles('client/src/webview', '.ts')) visit(f);
  for (const f of [...sourceFiles('client/src', '.ts'), ...sourceFiles('server/src', '.ts')]) {
    if (f.startsWith(path.join('server', 'src', 'protocol'))) continue;
    assert.doesNotMatch(readSource(f), /['"]netspec\/\w+['"]/, `${f} spells a netspec/ method`);
  }
});

test('no hand-written JavaScript under client/', () => {
  assert.deepEqual(sourceFiles('client', '.js', '.mjs', '.cjs'), []);
});
