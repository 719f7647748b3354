/**
 * A worker thread that drives the engine's thread pool (server/src/engine/kernels/pool.ts) hard
 * for test/unit/threads.test.ts: gathers of 4 and of 64 rows in turn (4 and 8 parts on 2
 * threads), as fast as they go, each checked, with a heartbeat the test watches. A pool that
 * loses count of its parts stops here for good, inside Atomics.wait, and the test, which is not
 * blocked, says so. Bundled to out/test/support/pool-stress.js by esbuild.js.
 */
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { Arena } from '../../server/src/engine/kernels/gemm';
import { int32Room } from '../../server/src/engine/kernels/gather';
import { setThreads } from '../../server/src/engine/kernels/parallel';

const { beat, tasks, helper } = workerData as { beat: Int32Array; tasks: number; helper: string };
setThreads({ threads: 2, minWork: 0, spawn: () => new Worker(helper) });
const rows = 64;
const stride = 4;
const arena = new Arena(4 * rows * stride + int32Room(rows, 'float64') + 64, 'wasm', 'float64', true);
if (!arena.threaded) throw new Error('the arena is not shared: no threads to test');
const src = arena.alloc(rows * stride);
const dst = arena.alloc(rows * stride);
const order = arena.alloc(int32Room(rows, 'float64'));
const ints = arena.int32View(order, rows);
for (let r = 0; r < rows; r++) {
  ints[r] = (17 * r + 5) % rows;
  for (let j = 0; j < stride; j++) arena.heap[src + r * stride + j] = r * stride + j;
}
for (let t = 0; t < tasks; t++) {
  const n = t % 2 === 0 ? 4 : rows;
  arena.heap[dst + (n - 1) * stride] = -1;
  arena.gather(dst, src, stride, order, n);
  if (arena.heap[dst + (n - 1) * stride] !== ints[n - 1] * stride) throw new Error(`task ${t}: row ${n - 1} not gathered`);
  Atomics.store(beat, 0, t + 1);
}
parentPort!.postMessage({ done: tasks, threadedGathers: arena.products.threadedGathers });
