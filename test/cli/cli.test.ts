/** The CLI as a user runs it: a real process, its exit code, stdout and stderr. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';

function netspec(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-cli-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

test('check --json: the shape docs/LANGUAGE.md gives, LSP ranges, exit 1 on errors', () => {
  const p = file('bad.netspec', 'network n {\n  input x[2]\n  dense y[1] sigmod\n}\n');
  const r = netspec(['check', p, '--json']);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.out);
  assert.deepEqual(Object.keys(json), ['files']);
  assert.equal(json.files[0].file, p);
  const [d] = json.files[0].diagnostics;
  assert.equal(d.severity, 'error');
  assert.equal(d.code, 'unknown-activation');
  assert.match(d.message, /Did you mean `sigmoid`\?/);
  assert.deepEqual(d.range, { start: { line: 2, character: 13 }, end: { line: 2, character: 19 } });
});

test('check: several files, text output with positions, exit 0 when only warnings', () => {
  const ok = file('ok.netspec', 'eval 1\n');
  const warn = file('warn.netspec', 'network n {\n  input x[1]\n  dense y[2] relu\n  loss cross_entropy\n}\n');
  const r = netspec(['check', ok, warn]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /warn\.netspec:4:8: warning \[loss-activation\]/);
  assert.match(r.out, /2 files checked: 0 errors, 1 warning/);
});

test('eval --json: one entry per eval, 1-based lines, source text, numbers, vectors, matrices, non-finite as strings', () => {
  const p = file('e.netspec', '# values\neval -2 ^ 2\neval softmax([0, 0])\n\neval softmax\'([0, 0])\neval log(-1)\neval 1 / 0\neval -1 / 0\n');
  const r = netspec(['eval', p, '--json']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  assert.equal(json.file, p);
  assert.deepEqual(json.results, [
    { line: 2, expr: '-2 ^ 2', value: -4 },
    { line: 3, expr: 'softmax([0, 0])', value: [0.5, 0.5] },
    { line: 5, expr: "softmax'([0, 0])", value: [[0.25, -0.25], [-0.25, 0.25]] },
    { line: 6, expr: 'log(-1)', value: 'NaN' },
    { line: 7, expr: '1 / 0', value: 'Infinity' },
    { line: 8, expr: '-1 / 0', value: '-Infinity' },
  ]);
});

test('grad --json: output, loss, and dW/db/delta per layer, by name', () => {
  // One linear unit: y = 2x + 1 at x = 3 is 7; E = (7 - 5)^2 / 2 = 2; delta = 2; dW = [[6]].
  const p = file('g.netspec', 'network n {\n  input x[1]\n  dense y[1] linear\n  weights y = [[2]]\n  bias y = [1]\n}\nprobe n [3] -> [5]\n');
  const r = netspec(['grad', p, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    file: p,
    probes: [{ line: 7, network: 'n', output: [7], loss: 2, layers: { y: { dW: [[6]], db: [2], delta: [2] } } }],
  });
});

test('grad: a nobias layer reports db as null', () => {
  const p = file('nb.netspec', 'network n {\n  input x[1]\n  dense y[1] linear nobias\n  weights y = [[2]]\n}\nprobe n [3] -> [5]\n');
  const json = JSON.parse(netspec(['grad', p, '--json']).out);
  assert.equal(json.probes[0].layers.y.db, null);
});

test('eval of a file with errors: the diagnostics go to stderr, the JSON to stdout, exit 1', () => {
  const p = file('mixed.netspec', 'eval 1 + 1\neval tanhh(1)\n');
  const r = netspec(['eval', p, '--json']);
  assert.equal(r.code, 1);
  assert.match(r.err, /mixed\.netspec:2:6: error \[unknown-function\] Unknown function `tanhh`\. Did you mean `tanh`\?/);
  const json = JSON.parse(r.out);
  assert.equal(json.results[0].value, 2);
  assert.equal(json.results[1].value, null);
});

test('usage and I/O errors exit 2 with a message and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['frobnicate', 'x'], /unknown command 'frobnicate'/],
    [['check'], /check needs at least one file/],
    [['eval', 'a', 'b'], /eval takes exactly one file/],
    [['check', path.join(tmp, 'missing.netspec')], /cannot read .*missing\.netspec: no such file/],
    [['check', tmp], /is a directory/],
    [['eval', '--frob', 'x'], /unknown option --frob/],
  ];
  for (const [args, message] of cases) {
    const r = netspec(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

test('--help prints the usage and exits 0', () => {
  const r = netspec(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /netspec check FILE/);
});

test('binary garbage is diagnosed, never a crash', () => {
  const p = path.join(tmp, 'garbage.netspec');
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
  fs.writeFileSync(p, bytes);
  for (const cmd of ['check', 'eval', 'grad']) {
    const r = netspec([cmd, p, '--json']);
    assert.equal(r.code, 1, `${cmd}: ${r.err}`);
    JSON.parse(r.out);
  }
});

test('every shipped example checks clean', () => {
  const dir = path.join(repoRoot(), 'examples');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.netspec')).map((f) => path.join(dir, f));
  const r = netspec(['check', ...files, '--json']);
  assert.equal(r.code, 0, r.out);
  for (const f of JSON.parse(r.out).files) assert.deepEqual(f.diagnostics, [], f.file);
});
