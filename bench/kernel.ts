// The engine's own matrix product alone, on large square products: the ceiling a training step's
// products can reach on one core (PERFORMANCE.md: about 20 GFLOP/s for the f64x2 kernel here).
// Each run of the bench prints it, and each network's share of it.
import { Arena, type Precision } from '../server/src/engine/kernels/gemm';
import { timedSteps } from './steps';

/**
 * GFLOP/s of C = A·B (n×n, 2n³ FLOP) through Arena.gemm, the best of n = 64, 128, 256, each timed
 * for about `ms` milliseconds after a short warm-up; the f64x2 kernel, or the f32x4 one; with
 * `threaded`, each product cut between the threads the settings give (parallel.ts `setThreads`),
 * as a training run's large products are.
 */
export function kernelGflops(ms: number, precision: Precision = 'float64', threaded = false): number {
  let best = 0;
  for (const n of [64, 128, 256]) {
    const arena = new Arena(3 * n * n + 16, undefined, precision, threaded);
    const a = arena.alloc(n * n);
    const b = arena.alloc(n * n);
    const c = arena.alloc(n * n);
    for (let i = 0; i < 2 * n * n; i++) arena.heap[a + i] = Math.sin(i) * 0.5;
    const product = () => {
      arena.gemm(a, n, 1, b, n, c, n, -1, n, n, n);
      return 1;
    };
    timedSteps(Math.min(200, ms / 3), product);
    const { steps, ms: took } = timedSteps(ms, product);
    best = Math.max(best, (steps * 2 * n ** 3) / (took / 1000) / 1e9);
  }
  return best;
}
