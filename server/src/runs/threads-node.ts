import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { setThreads, threadsOf } from '../engine/kernels/parallel';

/**
 * The engine's threads on Node, for an entry point (CLI, training worker, bench): as many as
 * NETSPEC_THREADS says (a whole number; 1 for one thread), or else one per core, each helper a
 * worker thread running `script` (dist/productWorker.js, server/productWorker.ts, beside the entry's own bundle).
 */
export function useNodeThreads(setting: string | undefined, script = path.join(__dirname, 'productWorker.js'), minWork?: number): number {
  const threads = threadsOf(setting, os.availableParallelism?.() ?? os.cpus().length);
  setThreads({ threads, minWork, spawn: () => new Worker(script) });
  return threads;
}
