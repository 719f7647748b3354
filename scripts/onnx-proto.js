#!/usr/bin/env node
// Regenerates server/src/export/onnx/onnx-pb.js and onnx-pb.d.ts from onnx.proto (ONNX 1.12: IR
// version 8, opset 17) with protobufjs's own generator: static code (encoders only) over
// protobufjs/minimal, which needs no eval, so the browser build can write models too.
// `node scripts/onnx-proto.js --check` fails when the committed files differ from a fresh generation.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = path.join(__dirname, '..', 'server', 'src', 'export', 'onnx');
const bin = (/** @type {string} */ name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-pb-'));
try {
  const js = path.join(tmp, 'onnx-pb.js');
  const dts = path.join(tmp, 'onnx-pb.d.ts');
  execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'commonjs', '--no-decode', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service', '--keep-case', '-o', js, path.join(dir, 'onnx.proto')], { stdio: 'inherit' });
  execFileSync(bin('pbts'), ['-o', dts, js], { stdio: 'inherit' });
  const check = process.argv.includes('--check');
  const stale = [];
  for (const f of [js, dts]) {
    const target = path.join(dir, path.basename(f));
    const fresh = fs.readFileSync(f, 'utf8');
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== fresh) stale.push(path.relative(process.cwd(), target));
    } else fs.writeFileSync(target, fresh);
  }
  if (stale.length) {
    console.error(`onnx-proto: ${stale.join(', ')} differ from what onnx.proto generates; run node scripts/onnx-proto.js`);
    process.exit(1);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
