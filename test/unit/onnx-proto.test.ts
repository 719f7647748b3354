/**
 * The ONNX encoders the export uses (server/src/export/onnx/onnx-pb.js and its types) are what
 * protobufjs's generator makes of the committed onnx.proto: nobody edited them by hand, and a
 * change to the schema was regenerated (node scripts/onnx-proto.js).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('the generated ONNX encoders match onnx.proto', () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'scripts', 'onnx-proto.js'), '--check'], { encoding: 'utf8', cwd: repoRoot() });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
