/**
 * `netspec export` as a user runs it: the golden export of examples/xor.netspec (byte for byte;
 * `npm run golden:update` rewrites it), the file beside the spec and the refusal to overwrite it
 * without --force, usage and input errors with their exit codes, and the examples exported and
 * run by python, with the CLI's numbers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Discrepancies, PYTHON, requireTorch, runCli } from '../oracle/oracle';
import { cliPath, repoRoot } from '../support/paths';
import { compareRuns, runPrograms } from './support';

function netspec(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-export-cli-'));
const update = process.env.NETSPEC_UPDATE_GOLDEN === '1';

test('the export of examples/xor.netspec is the golden file, byte for byte, and compiles', () => {
  const golden = path.join(repoRoot(), 'test', 'export', 'golden', 'xor.py');
  const r = netspec(['export', 'examples/xor.netspec', '--to', 'pytorch', '-o', '-']);
  assert.equal(r.code, 0, r.err);
  if (update) {
    fs.mkdirSync(path.dirname(golden), { recursive: true });
    fs.writeFileSync(golden, r.out);
  }
  assert.ok(fs.existsSync(golden), `${golden} is missing: run npm run golden:update`);
  assert.equal(r.out, fs.readFileSync(golden, 'utf8'), 'the export changed: if intended, run npm run golden:update and review the diff');
  requireTorch();
  // The compiled file goes to a temporary folder, not beside the golden file.
  const c = spawnSync(PYTHON, ['-m', 'py_compile', golden], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(tmp, 'pycache') } });
  assert.equal(c.status, 0, c.stderr);
  // What a reader relies on: the run's settings, the initial weights and the samples are in it.
  for (const s of ['NETWORK = "xor"', 'LEARNING_RATE = 0.5', 'EPOCHS = 2000', 'torch.optim.SGD', 'class Model(torch.nn.Module)', 'DistributedDataParallel']) {
    assert.ok(r.out.includes(s), `the export mentions ${s}`);
  }
});

const TWO = `
network a {
  input x[1]
  dense y[1] sigmoid
  loss binary_cross_entropy
}
network b {
  input x[1]
  dense y[1] linear
}
data d { [0] -> [0]  [1] -> [1] }
train a on d { epochs 3 }
train b on d { epochs 3 }
`;

test('the file goes beside the spec, and is replaced only with --force', () => {
  const spec = path.join(tmp, 'two.netspec');
  fs.writeFileSync(spec, TWO);
  const out = path.join(tmp, 'two.a.py');
  let r = netspec(['export', spec, '--network', 'a', '--to', 'pytorch']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), out);
  assert.ok(fs.readFileSync(out, 'utf8').includes('NETWORK = "a"'));
  fs.writeFileSync(out, 'mine');
  r = netspec(['export', spec, '--network', 'a', '--to', 'pytorch']);
  assert.equal(r.code, 2);
  assert.match(r.err, /two\.a\.py already exists; use --force to replace it/);
  assert.equal(fs.readFileSync(out, 'utf8'), 'mine', 'not overwritten');
  r = netspec(['export', spec, '--network=a', '--to=pytorch', '--force']);
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.readFileSync(out, 'utf8').includes('NETWORK = "a"'));
  const other = path.join(tmp, 'elsewhere.py');
  r = netspec(['export', spec, '--network', 'b', '--to', 'pytorch', '-o', other]);
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.readFileSync(other, 'utf8').includes('NETWORK = "b"'));
});

test('usage and input errors: exit 2 for usage, 1 for a file with errors or what cannot be exported', () => {
  const spec = path.join(tmp, 'two.netspec');
  fs.writeFileSync(spec, TWO);
  const cases: [string[], number, RegExp][] = [
    [['export', spec, '--to', 'pytorch'], 2, /export needs --network NAME: it trains `a`, `b`/],
    [['export', spec, '--network', 'c', '--to', 'pytorch'], 2, /no `train` statement for a network named `c`/],
    [['export', spec, '--network', 'a'], 2, /export needs --to pytorch/],
    [['export', spec, '--network', 'a', '--to', 'tflite'], 2, /the targets are pytorch and onnx/],
    [['export', spec, '--network', 'a', '--to', 'pytorch', '--json'], 2, /--json is not one of its options/],
    [['train', spec, '--to', 'pytorch'], 2, /--to is an option of export, not of train/],
    [['export', '--to', 'pytorch'], 2, /export takes exactly one file/],
    [['export', path.join(tmp, 'missing.netspec'), '--to', 'pytorch'], 2, /cannot read .*no such file/],
  ];
  for (const [args, code, message] of cases) {
    const r = netspec(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
  const broken = path.join(tmp, 'broken.netspec');
  fs.writeFileSync(broken, 'network n {\n  input x[1]\n  dense y[1] sigmoud\n}\ndata d { [0] -> [0] }\ntrain n on d {}\n');
  let r = netspec(['export', broken, '--to', 'pytorch']);
  assert.equal(r.code, 1);
  assert.match(r.err, /has errors; nothing was exported/);
  const untrained = path.join(tmp, 'untrained.netspec');
  fs.writeFileSync(untrained, 'network n {\n  input x[1]\n  dense y[1] sigmoid\n}\n');
  r = netspec(['export', untrained, '--network', 'n', '--to', 'pytorch']);
  assert.equal(r.code, 2);
  assert.match(r.err, /it has no `train` statement/);
  // A second derivative of a built-in inside an activation is not translated: said, not guessed.
  const second = path.join(tmp, 'second.netspec');
  fs.writeFileSync(second, "fn bump(z) = sigmoid''(z)\nnetwork n {\n  input x[1]\n  dense y[1] bump\n}\ndata d { [0] -> [0] }\ntrain n on d {}\n");
  r = netspec(['export', second, '--to', 'pytorch']);
  assert.equal(r.code, 1);
  assert.match(r.err, /second\.netspec:7: error \[export\] .*sigmoid''.*not exported/);
  assert.ok(!fs.existsSync(path.join(tmp, 'second.n.py')));
});

test('the examples, exported by the CLI and run by python, give netspec train\'s numbers', () => {
  requireTorch();
  const runs: { spec: string; script: string }[] = [];
  for (const name of ['xor', 'spiral']) {
    // Fewer epochs for spiral (the same run, shorter): python steps are slower than the engine's.
    const text = fs.readFileSync(path.join(repoRoot(), 'examples', `${name}.netspec`), 'utf8').replace(/epochs(\s+)400\b/, 'epochs$130');
    const spec = path.join(tmp, `${name}.netspec`);
    fs.writeFileSync(spec, text);
    const r = netspec(['export', spec, '--to', 'pytorch', '--force']);
    assert.equal(r.code, 0, r.err);
    runs.push({ spec, script: r.out.trim() });
  }
  const results = runPrograms(runs.map((r) => ({ script: r.script, args: ['--json', '--checkpoint', ''] })));
  const found = new Discrepancies();
  runs.forEach((r, i) => {
    const cli = runCli(['train', r.spec, '--json']);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(results[i].json.file, r.spec);
    compareRuns(found, path.basename(r.spec), results[i].json.runs[0], cli.json.runs[0]);
  });
  found.assertNone('the examples');
});
