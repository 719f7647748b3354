/**
 * A worker thread that drives the engine's thread pool (server/src/engine/kernels/pool.ts) hard
 * for test/unit/threads.test.ts: tanh over 4 and over 64 rows in turn (4 and 8 parts on 2
 * threads), as fast as they go, each checked, with a heartbeat the test watches. A pool that
 * loses count of its parts stops here for good, inside Atomics.wait, and the test, which is not
 * blocked, says so. Bundled to out/test/support/pool-stress.js by esbuild.js.
 */
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { INLINED } from '../../server/src/engine/kernels/activate';
import { Arena } from '../../server/src/engine/kernels/gemm';
import { setThreads } from '../../server/src/engine/kernels/parallel';
import { tanh } from '../../server/src/engine/kernels/tanh';

const { beat, tasks, helper } = workerData as { beat: Int32Array; tasks: number; helper: string };
setThreads({ threads: 2, minWork: 0, spawn: () => new Worker(helper) });
const rows = 64;
const K = 4;
const arena = new Arena(3 * rows * K + 64, 'wasm', 'float64', true);
if (!arena.threaded) throw new Error('the arena is not shared: no threads to test');
const z = arena.alloc(rows * K);
const y = arena.alloc(rows * K);
const gp = arena.alloc(rows * K);
for (let i = 0; i < rows * K; i++) arena.heap[z + i] = (i % 13) / 4 - 1.5;
for (let t = 0; t < tasks; t++) {
  const n = t % 2 === 0 ? 4 : rows;
  const last = y + (n - 1) * K + K - 1;
  arena.heap[last] = NaN;
  arena.activate(INLINED.tanh, z, y, gp, n, K, K);
  if (arena.heap[last] !== tanh(arena.heap[z + (n - 1) * K + K - 1])) throw new Error(`task ${t}: row ${n - 1} not activated`);
  Atomics.store(beat, 0, t + 1);
}
parentPort!.postMessage({ done: tasks, threadedActivations: arena.products.threadedActivations });
