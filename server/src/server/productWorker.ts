import { parentPort } from 'worker_threads';
import { serveProducts } from '../engine/kernels/pool';

/**
 * A helper thread of the engine's matrix products (engine/kernels/pool.ts): `dist/productWorker.js`,
 * started by threads-node.ts for the CLI, the training worker and the bench.
 */
serveProducts((handler) => parentPort!.on('message', handler));
