/**
 * Data-parallel training of an exported program gives `netspec train`'s numbers (1e-9
 * relative): with `--processes 2` (the program spawns its workers, gloo), and with two processes
 * started by hand with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, as torchrun would (Debian
 * 12's own torchrun crashes at start-up on Python 3.11, so it is not used). The batches do not
 * split evenly: 10 samples in batches of 3 leave a last batch of 1, so one worker's shard is
 * empty; 7 training samples in batches of 5 split 2/3 and 1/1. Only rank 0 prints.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeNumbers, Discrepancies, runCli, type CliJson } from '../oracle/oracle';
import { compareRuns, exportAll, freePort, runProcess } from './support';

const SPEC = `
fn mish(z) = z * tanh(softplus(z))

network uneven {
  input x[2]
  dense h[3] mish
  dense y[2] linear
  loss mse
  init xavier seed 5
}
data ten {
  [0.1, -1.2] -> [0.5, -0.3]
  [1.5, 0.4] -> [-0.2, 0.8]
  [-0.7, 0.9] -> [0.1, 0.1]
  [0.3, 0.3] -> [0.9, -0.6]
  [-1.1, -0.5] -> [-0.4, 0.2]
  [0.8, -0.9] -> [0.3, 0.7]
  [-0.2, 1.7] -> [-0.8, -0.1]
  [1.9, -0.1] -> [0.6, 0.4]
  [-1.6, 1.1] -> [0.2, -0.9]
  [0.5, 0.6] -> [-0.5, 0.5]
}
train uneven on ten {
  optimizer momentum(0.9)
  learning_rate 0.05
  epochs 12
  batch 3
  seed 77
  l2 0.01
}

network split_net {
  input x[2]
  dense h[4] relu
  dense y[1] sigmoid
  loss binary_cross_entropy
  init he seed 2
}
data nine {
  [0.1, -1.2] -> [1]
  [1.5, 0.4] -> [0]
  [-0.7, 0.9] -> [1]
  [0.3, 0.3] -> [0]
  [-1.1, -0.5] -> [1]
  [0.8, -0.9] -> [0]
  [-0.2, 1.7] -> [1]
  [1.9, -0.1] -> [0]
  [-1.6, 1.1] -> [1]
}
train split_net on nine {
  optimizer adam(0.9, 0.99)
  learning_rate 0.03
  epochs 12
  batch 5
  seed 3
  split 0.8
}
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ddp-'));
const spec = path.join(tmp, 'ddp.netspec');
fs.writeFileSync(spec, SPEC);
const scripts = exportAll(spec, SPEC).map((e) => {
  const p = path.join(tmp, `${e.network}.py`);
  fs.writeFileSync(p, e.source);
  return p;
});
const cli = runCli(['train', spec, '--json']);

test('--processes 2 (spawned gloo workers) gives netspec train\'s run, with an empty shard in the last batch', async () => {
  assert.equal(cli.status, 0, cli.stderr);
  const want = cli.json.runs[0];
  assert.deepEqual([want.train_samples, want.batch, want.steps], [10, 3, 48], 'four batches an epoch, the last of one sample');
  const r = await runProcess([scripts[0], '--json', '--processes', '2', '--checkpoint', path.join(tmp, 'uneven.pt')]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `only rank 0 prints: ${r.stdout}`);
  const got = decodeNumbers(JSON.parse(lines[0])) as CliJson;
  const found = new Discrepancies();
  compareRuns(found, 'uneven, 2 processes', got.runs[0], want);
  found.assertNone('--processes 2');
  assert.ok(fs.existsSync(path.join(tmp, 'uneven.pt')), 'rank 0 saved the checkpoint');
});

test('two processes started by hand with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (as torchrun) give netspec train\'s run', async () => {
  assert.equal(cli.status, 0, cli.stderr);
  const want = cli.json.runs[1];
  assert.deepEqual([want.train_samples, want.test_samples, want.batch], [7, 2, 5], 'batches of 5 and 2 over 7 training samples');
  const port = await freePort();
  const env = (rank: number) => ({ RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
  const args = [scripts[1], '--json', '--checkpoint', ''];
  const [r0, r1] = await Promise.all([runProcess(args, env(0)), runProcess(args, env(1))]);
  assert.equal(r0.code, 0, r0.stderr);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, '', 'rank 1 prints nothing');
  const got = decodeNumbers(JSON.parse(r0.stdout)) as CliJson;
  const found = new Discrepancies();
  compareRuns(found, 'split_net, RANK 0 and 1', got.runs[0], want);
  found.assertNone('launcher variables');
});
