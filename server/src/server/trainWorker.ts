import { parentPort, workerData } from 'worker_threads';
import { kernelModeOf, setKernelMode } from '../engine/kernels/gemm';
import { diskFiles } from '../runs/files-node';
import type { RunControl, RunMessage, RunRequest } from './runs';
import { useNodeThreads } from '../runs/threads-node';
import { runTraining } from './training-run';

/** A training run in a Node worker thread (training-run.ts), started by the Node server's `Runs`. */
setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
useNodeThreads(process.env.NETSPEC_THREADS);

// For tests only (test/protocol/trust.test.ts): a worker that dies of an exception no handler
// catches, to prove the server reports it and keeps running. Never set outside a test.
if (process.env.NETSPEC_TEST_WORKER_CRASH === '1') throw new Error('NETSPEC_TEST_WORKER_CRASH is set: the training worker crashes on purpose');

void runTraining(workerData as RunRequest, diskFiles, (m: RunMessage) => parentPort!.postMessage(m), {
  listen: (listener) => void parentPort!.on('message', (c: RunControl) => listener(c)),
  yieldToMessages: () => new Promise((resolve) => setImmediate(resolve)),
});
