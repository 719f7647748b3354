/**
 * Data files where there is no disk (the browser): the confinement of `data … from "rel"` on URI
 * paths, which must refuse exactly what the disk reader refuses, and the reader over texts the
 * editor handed over.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DataFileProblem, folderOf, givenFiles, joinedPath } from '../../server/src/runs/data-files';
import { diskFiles } from '../../server/src/runs/files-node';

test('joinedPath resolves inside the folder and refuses what leads outside it', () => {
  assert.equal(joinedPath('vscode-remote://h/w', 'd.csv'), 'vscode-remote://h/w/d.csv');
  assert.equal(joinedPath('/w', './sub//d.csv'), '/w/sub/d.csv');
  assert.equal(joinedPath('/w', 'sub/../d.csv'), '/w/d.csv');
  assert.equal(joinedPath('/w', 'sub\\d.csv'), '/w/sub/d.csv');
  for (const outside of ['../d.csv', 'sub/../../d.csv', '/etc/passwd', 'C:\\x.csv', '\\\\server\\x.csv', '', '.', 'sub/..']) {
    assert.equal(joinedPath('/w', outside), undefined, `"${outside}" must be refused`);
  }
  assert.equal(folderOf('file:///w/a/spec.netspec'), 'file:///w/a');
  assert.equal(folderOf('untitled:Untitled-1'), '');
});

test('the browser confinement agrees with the disk reader on which paths leave the folder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-files-'));
  const folder = path.join(root, 'w');
  fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'sub', 'd.csv'), '1,2\n');
  fs.writeFileSync(path.join(root, 'd.csv'), '1,2\n');
  const spec = path.join(folder, 'spec.netspec');
  for (const rel of ['sub/d.csv', './sub/d.csv', 'sub/../sub/d.csv', '../d.csv', 'sub/../../d.csv', path.join(root, 'd.csv')]) {
    let onDisk: 'read' | 'outside';
    try {
      diskFiles.read(spec, rel);
      onDisk = 'read';
    } catch (err) {
      assert.ok(err instanceof DataFileProblem);
      assert.match(err.message, /outside the spec's folder/);
      onDisk = 'outside';
    }
    assert.equal(joinedPath(folder, rel) === undefined ? 'outside' : 'read', onDisk, `"${rel}"`);
  }
});

test('givenFiles reads the texts handed over, and says why a file is missing', () => {
  const files = givenFiles({ 'd.csv': { text: '1,2\n' }, 'gone.csv': { error: 'no such file (/w/gone.csv)' } });
  assert.deepEqual(files.read('/w/spec.netspec', 'd.csv'), { text: '1,2\n', shown: '/w/d.csv' });
  assert.throws(() => files.read('/w/spec.netspec', 'gone.csv'), (e: Error) => e instanceof DataFileProblem && e.message === 'no such file (/w/gone.csv)');
  assert.throws(() => files.read('/w/spec.netspec', 'other.csv'), (e: Error) => e instanceof DataFileProblem && /did not read it/.test(e.message));
  assert.throws(() => files.read('/w/spec.netspec', 'toString'), DataFileProblem, 'an inherited property is not a file');
});
