/**
 * The editor's side of the export, read statically (the command's behaviour is the server's
 * request, tested in protocol.test.ts): the command VS Code shows is the one the extension
 * registers, and it asks the server with the request the server answers: both name the one
 * declaration of `netspec/exportPyTorch` in server/src/protocol/requests.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('NetSpec: Export to PyTorch is contributed, registered from activate.ts, and asks netspec/exportPyTorch', () => {
  const root = repoRoot();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const contributed = pkg.contributes.commands.find((c: { command: string }) => c.command === 'netspec.exportPyTorch');
  assert.deepEqual(contributed, { command: 'netspec.exportPyTorch', title: 'Export to PyTorch', category: 'NetSpec' });
  const command = fs.readFileSync(path.join(root, 'client', 'src', 'exportCommand.ts'), 'utf8');
  assert.match(command, /registerCommand\('netspec\.exportPyTorch'/);
  assert.match(command, /sendRequest\(ExportPyTorchRequest\.type, /);
  assert.match(command, /writeBesideSpec\(/, 'it writes through the shared writer');
  const writer = fs.readFileSync(path.join(root, 'client', 'src', 'besideSpec.ts'), 'utf8');
  assert.match(writer, /\{ modal: true \}/, 'which asks before replacing a file');
  const extension = fs.readFileSync(path.join(root, 'client', 'src', 'activate.ts'), 'utf8');
  assert.match(extension, /registerExportCommand\(context, client\)/);
  const server = fs.readFileSync(path.join(root, 'server', 'src', 'server', 'export.ts'), 'utf8');
  assert.match(server, /onRequest\(ExportPyTorchRequest\.type, /);
  const protocol = fs.readFileSync(path.join(root, 'server', 'src', 'protocol', 'requests.ts'), 'utf8');
  assert.match(protocol, /namespace ExportPyTorchRequest \{\s*export const method = 'netspec\/exportPyTorch';/);
});
