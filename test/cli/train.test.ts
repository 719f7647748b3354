/**
 * `netspec train` as a user runs it: the JSON of docs/LANGUAGE.md's *Command line*, --network, data from
 * inline samples, generators and CSV files (never from outside the spec's folder), exit codes.
 * Exit codes: 0 trained (a diverged run included), 1 the file or a CSV has errors (nothing
 * trained), 2 usage or I/O problems, a data file outside the spec's folder among them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';

/** The part of a run in `netspec train --json` these tests read by name. */
interface Run {
  network: string;
  epochs: number;
}

function netspec(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-cli-'));
const specs = path.join(tmp, 'specs');
fs.mkdirSync(path.join(specs, 'data'), { recursive: true });
function file(name: string, text: string, dir = specs): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const NETS = `
network a {
  input x[2]
  dense h[3] tanh
  dense y[1] sigmoid
  loss binary_cross_entropy
  init xavier seed 1
}
network b {
  input x[2]
  dense y[2] softmax nobias
  loss cross_entropy
}
`;

test('train --json: one run per train statement, the keys docs/LANGUAGE.md lists, layers by name', () => {
  const p = file('two.netspec', `${NETS}
data pts {
  [0, 0] -> [0]
  [1, 1] -> [1]
  [2, 0] -> [1]
  [0, 2] -> [0]
}
data blobs = gauss(n: 40, noise: 0.05, seed: 2)
train a on pts { epochs 5 }
train b on blobs { optimizer adam learning_rate 0.05 epochs 7 batch 8 seed 3 split 0.75 }
`);
  const r = netspec(['train', p, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'no progress line when stderr is not a terminal');
  const json = JSON.parse(r.out);
  assert.deepEqual(Object.keys(json), ['file', 'runs']);
  assert.equal(json.file, p);
  assert.equal(json.runs.length, 2);
  const [ra, rb] = json.runs;
  for (const key of ['network', 'data', 'epochs', 'loss', 'final_loss', 'layers']) {
    assert.ok(key in ra && key in rb, key);
  }
  assert.equal(ra.network, 'a');
  assert.equal(ra.data, 'pts');
  assert.equal(ra.epochs, 5);
  assert.equal(ra.loss.length, 5);
  assert.equal(typeof ra.final_loss, 'number');
  assert.deepEqual(Object.keys(ra.layers), ['h', 'y']);
  assert.equal(ra.layers.h.W.length, 2);
  assert.equal(ra.layers.h.W[0].length, 3);
  assert.equal(ra.layers.h.b.length, 3);
  assert.equal(ra.layers.y.W.length, 3);
  assert.equal(ra.epoch_accuracy.length, 5, 'sigmoid outputs with 0/1 targets: accuracy per epoch');
  assert.deepEqual(ra.lr, [0.1, 0.1, 0.1, 0.1, 0.1], 'no schedule: the learning rate of every epoch is the default');
  assert.equal(ra.stopped_early, false);
  assert.equal(ra.test_loss, undefined);
  assert.equal(ra.line, 22, 'the 1-based line of the train statement');

  // The generator's targets are one-hot for two softmax outputs; split 0.75 of 40 keeps 30.
  assert.equal(rb.network, 'b');
  assert.equal(rb.data, 'blobs');
  assert.equal(rb.epochs, 7);
  assert.equal(rb.train_samples, 30);
  assert.equal(rb.test_samples, 10);
  assert.equal(rb.test_loss.length, 7);
  assert.equal(rb.epoch_accuracy.length, 7);
  // A softmax classifier: its confusion matrix over the 30 training samples, and over the 10 test samples.
  assert.equal(rb.confusion.flat().reduce((x: number, y: number) => x + y, 0), 30);
  assert.equal(rb.accuracy, (rb.confusion[0][0] + rb.confusion[1][1]) / 30);
  assert.equal(rb.accuracy, rb.final_accuracy, 'argmax over one-hot targets: the same count as final_accuracy');
  assert.equal(rb.test.confusion.flat().reduce((x: number, y: number) => x + y, 0), 10);
  assert.equal(rb.steps, 7 * 4);
  assert.equal(rb.layers.y.b, null, 'a nobias layer has "b": null');
  assert.ok(rb.final_accuracy > 0.9, `two gaussian blobs are separable: ${rb.final_accuracy}`);

  // The network in the file is not changed by training: a second run gives the same numbers.
  assert.equal(netspec(['train', p, '--json']).out, r.out);
});

test('train --network NAME: only that network\'s runs; an unknown name is exit 2', () => {
  const p = file('filter.netspec', `${NETS}
data pts {
  [0, 0] -> [0]
  [1, 1] -> [1]
}
data pts2 {
  [0, 0] -> [1, 0]
  [1, 1] -> [0, 1]
}
train a on pts { epochs 2 }
train b on pts2 { epochs 3 }
train a on pts { epochs 4 learning_rate 0.5 }
`);
  const r = netspec(['train', p, '--network', 'a', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((JSON.parse(r.out).runs as Run[]).map((x) => [x.network, x.epochs]), [['a', 2], ['a', 4]]);
  const eq = netspec(['train', '--network=b', p, '--json']);
  assert.deepEqual((JSON.parse(eq.out).runs as Run[]).map((x) => [x.network, x.epochs]), [['b', 3]]);
  const none = netspec(['train', p, '--network', 'c', '--json']);
  assert.equal(none.code, 2);
  assert.match(none.err, /no `train` statement for a network named `c`/);
  assert.equal(netspec(['train', p, '--network']).code, 2);
  assert.equal(netspec(['check', p, '--network', 'a']).code, 2);
});

test('train: human-readable output; no train statements is not an error', () => {
  const p = file('human.netspec', `${NETS}
data pts {
  [0, 0] -> [0]
  [1, 1] -> [1]
}
train a on pts { epochs 30 }
`);
  const r = netspec(['train', p]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /human\.netspec:\d+: train a on pts: sgd, learning_rate 0\.1, 30 epochs, batch 2, 2 samples/);
  assert.match(r.out, /epoch  1  loss /);
  assert.match(r.out, /epoch 30  loss /);
  assert.match(r.out, /final loss /);
  assert.match(r.out, /layer h\n    W \[2\]\[3\]:/);
  const empty = netspec(['train', file('none.netspec', 'eval 1\n'), '--json']);
  assert.equal(empty.code, 0);
  assert.deepEqual(JSON.parse(empty.out).runs, []);
});

test('train: a file with errors is not trained (exit 1); a missing file is exit 2', () => {
  const p = file('bad.netspec', `${NETS}
data pts {
  [0, 0] -> [0]
}
train a on pts { epochs 2 optimiser sgd }
`);
  const r = netspec(['train', p, '--json']);
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown-option/);
  assert.match(r.err, /nothing was trained/);
  assert.deepEqual(JSON.parse(r.out).runs, []);
  const missing = netspec(['train', path.join(specs, 'nope.netspec')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read .*no such file/);
  assert.equal(netspec(['train']).code, 2);
});

test('train: CSV data relative to the spec\'s folder, with a header and `targets: N`', () => {
  file('points.csv', 'x,y,label\n0,0,0\n1,1,1\n2,0,1\n0,2,0\n', path.join(specs, 'data'));
  file('onehot.csv', '0,0,1,0\n1,1,0,1\n', path.join(specs, 'data'));
  const p = file('csv.netspec', `${NETS}
data pts from "data/points.csv"
data hot from "data/onehot.csv" (targets: 2)
train a on pts { epochs 3 }
train b on hot { epochs 3 }
`);
  // Run from another folder: the path is relative to the spec, not to the working directory.
  const r = netspec(['train', p, '--json'], os.tmpdir());
  assert.equal(r.code, 0, r.err);
  const [ra, rb] = JSON.parse(r.out).runs;
  assert.equal(ra.train_samples, 4);
  assert.equal(rb.train_samples, 2);
  assert.deepEqual(Object.keys(rb.layers), ['y']);
});

test('train: a malformed CSV is exit 1 with its line and column; nothing is trained', () => {
  file('ragged.csv', '0,0,0\n1,1,1\n2,0\n', path.join(specs, 'data'));
  file('word.csv', 'x,y,t\n0,0,0\n1,one,1\n', path.join(specs, 'data'));
  file('wide.csv', '0,0,0,0\n', path.join(specs, 'data'));
  for (const [csv, where, what] of [
    ['ragged.csv', ':3:4:', /The row has 2 columns, but the first row has 3/],
    ['word.csv', ':3:3:', /Expected a number, found `one`/],
    ['wide.csv', ':', /have 3 inputs, but `a` takes 2/],
  ] as const) {
    const p = file('badcsv.netspec', `${NETS}\ndata pts from "data/${csv}"\ntrain a on pts { epochs 3 }\n`);
    const r = netspec(['train', p, '--json']);
    assert.equal(r.code, 1, `${csv}: ${r.err}`);
    assert.ok(r.err.includes(`${csv}${where}`) || csv === 'wide.csv', r.err);
    assert.match(r.err, what);
    assert.deepEqual(JSON.parse(r.out).runs, []);
  }
});

test('train: a CSV outside the spec\'s folder is refused with exit 2 (.., absolute, symbolic link), as is a missing one', () => {
  const outside = file('secret.csv', '0,0,0\n1,1,1\n', tmp);
  fs.symlinkSync(outside, path.join(specs, 'data', 'link.csv'));
  fs.symlinkSync(tmp, path.join(specs, 'up'));
  for (const [rel, why] of [
    ['../secret.csv', /outside the spec's folder/],
    [outside, /outside the spec's folder/],
    ['data/link.csv', /through a symbolic link/],
    ['up/secret.csv', /through a symbolic link/],
    ['data/missing.csv', /no such file/],
    ['data', /directory/],
  ] as const) {
    const p = file('escape.netspec', `${NETS}\ndata pts from ${JSON.stringify(rel)}\ntrain a on pts { epochs 3 }\n`);
    const r = netspec(['train', p, '--json']);
    assert.equal(r.code, 2, `${rel}: ${r.err}`);
    assert.match(r.err, /error \[data-file\] cannot read/);
    assert.match(r.err, why, rel);
    assert.deepEqual(JSON.parse(r.out).runs, []);
  }
  // An absolute path inside the folder is fine.
  const inside = file('abs.csv', '0,0,0\n1,1,1\n', path.join(specs, 'data'));
  const ok = netspec(['train', file('abs.netspec', `${NETS}\ndata pts from ${JSON.stringify(inside)}\ntrain a on pts { epochs 2 }\n`), '--json']);
  assert.equal(ok.code, 0, ok.err);
});

test('train: a generator for a network with three outputs is exit 1', () => {
  const p = file('gen3.netspec', `network c {\n  input x[2]\n  dense y[3] softmax\n  loss cross_entropy\n}\ndata s = spiral(n: 10)\ntrain c on s { epochs 2 }\n`);
  const r = netspec(['train', p, '--json']);
  assert.equal(r.code, 1);
  assert.match(r.err, /gives 1 target .* or 2 \(one-hot\), but `c` has 3 outputs/);
});

test('train: a diverging run stops, says where, and is still exit 0; non-finite numbers as strings', () => {
  const p = file('diverge.netspec', `network l {
  input x[1]
  dense y[1] linear
  weights y = [[1]]
}
data big {
  [10] -> [-10]
  [20] -> [-20]
}
train l on big { learning_rate 1e200 epochs 50 }
`);
  const r = netspec(['train', p, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning \[diverged\] training `l` stopped at epoch \d+, step 1/);
  const [run] = JSON.parse(r.out).runs;
  assert.ok(run.diverged.epoch >= 1 && run.diverged.epoch <= 3, JSON.stringify(run.diverged));
  assert.equal(run.epochs, run.diverged.epoch);
  assert.equal(run.loss.length, run.epochs);
  assert.ok(['NaN', 'Infinity'].includes(run.loss[run.loss.length - 1]), JSON.stringify(run.loss));
});
