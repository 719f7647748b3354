/**
 * The bench's pinning of the kernel to each core (bench/cores.ts): the list of cores this process
 * may use, read from taskset, and a process started on each of them really runs there (it reads
 * the core it is on from /proc/self/stat and prints that in place of a kernel sample).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { coreKernels, parseCpuList, pinnableCores } from '../../bench/cores';

/**
 * The cores a process may be pinned to, and a script file of `source` beside them; elsewhere than
 * Linux undefined, once pinnableCores has said why.
 */
function pinning(name: string, source: string): { cpus: number[]; script: string } | undefined {
  const cpus = pinnableCores();
  if (process.platform !== 'linux') {
    assert.match(String(cpus), /needs Linux/);
    return undefined;
  }
  assert.ok(Array.isArray(cpus), `no cores to pin to: ${String(cpus)} (Debian: apt-get install util-linux)`);
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-cores-')), name);
  fs.writeFileSync(script, source);
  return { cpus, script };
}

test('a taskset affinity list reads as the cores it names', () => {
  assert.deepEqual(parseCpuList(' 0,2-3\n'), [0, 2, 3]);
  assert.deepEqual(parseCpuList('5'), [5]);
  assert.deepEqual(parseCpuList('0-1,4-5'), [0, 1, 4, 5]);
});

test('each sample runs on the core it was pinned to, alone and all at once', async () => {
  // /proc/self/stat's 39th field is the core the process last ran on; after the busy loop it is
  // the one it runs on, and pinned it can be no other.
  const pinned = pinning('where.js', `let x = 0; for (let i = 0; i < 1e7; i++) x += i; process.stdout.write(String(Number(require('fs').readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[36]) + (x < 0 ? 1 : 0)));`);
  if (!pinned) return;
  const { cpus, script } = pinned;
  assert.equal(cpus.length, os.availableParallelism());
  const runs = await coreKernels(script, cpus, 1);
  assert.deepEqual(runs.cpus, cpus);
  assert.deepEqual(runs.alone, cpus);
  assert.deepEqual(runs.together, cpus);
});

test('a sample whose process fails rejects, naming the core', async () => {
  const pinned = pinning('fails.js', 'process.stdout.write("not a number"); process.exit(3);');
  if (!pinned) return;
  const { cpus, script } = pinned;
  await assert.rejects(coreKernels(script, cpus.slice(0, 1), 1), new RegExp(`core ${cpus[0]} exited with 3: not a number`));
});
