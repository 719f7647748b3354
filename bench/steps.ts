// The engine's training speed on one of the bench's networks, as one piece of code for every
// side: bundled into the Node bench (training.ts, web.js) and into the browser bench's worker
// (web-worker.ts), so that Node and Chromium time exactly the same loop over the same Trainer.
// Imports only the engine and the cases, and nothing of Node, so it bundles for the browser.
import { kernelBackend, setKernelMode, type KernelMode, type Precision } from '../server/src/engine/kernels/gemm';
import type { Network } from '../server/src/engine/network';
import { Trainer, type Sample } from '../server/src/engine/train';
import { makeData, makeNetwork, type Case } from './cases';

/** Steps taken and the wall-clock milliseconds they took. */
export interface Timed {
  steps: number;
  ms: number;
}

/** A case's trainer, epoch after epoch: a new run of the same network starts when one ends. */
export interface TrainerSteps {
  /** Which kernels computed the current run's matrix products (Trainer.kernelProducts), for people. */
  kernels(): string;
  /** One epoch; returns the optimiser steps it took. */
  epoch(): number;
}

/**
 * Case `c`'s network trained with sgd at its learning rate and batch on its data, for ever, in
 * float64 unless asked. The network and the data default to the case's own (cases.ts), the same
 * numbers on every side.
 */
export function trainerSteps(c: Case, net: Network = makeNetwork(c), data: Sample[] = makeData(c), precision: Precision = 'float64'): TrainerSteps {
  const start = () => new Trainer(net, data, { batch: c.batch, epochs: 1e9, learningRate: c.lr, optimizer: { kind: 'sgd' }, precision });
  let t = start();
  return {
    kernels: () => kernelShare(t.kernelProducts),
    epoch() {
      if (t.done) t = start();
      return t.runEpoch().steps;
    },
  };
}

/** Calls `chunk` (which returns the steps it took) until `ms` milliseconds have passed (performance.now, in Node and browsers alike). */
export function timedSteps(ms: number, chunk: () => number): Timed {
  let steps = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    steps += chunk();
    now = performance.now();
  }
  return { steps, ms: now - t0 };
}

/** "WebAssembly for 67 % of the products, JavaScript for the rest", "JavaScript only", … */
export function kernelShare(products: { wasm: number; js: number }): string {
  const all = products.wasm + products.js;
  if (all === 0) return 'no product yet';
  if (products.js === 0) return 'WebAssembly only';
  if (products.wasm === 0) return 'JavaScript only';
  return `WebAssembly for ${Math.round((100 * products.wasm) / all)} % of the products, JavaScript for the rest`;
}

/** Sets the kernels of the trainers made from now on, and says what they are, for people (gemm.ts kernelBackend). */
export function useKernels(mode: KernelMode): string {
  setKernelMode(mode);
  return kernelBackend();
}

/** What the browser bench's worker (web-worker.ts) is asked: the kernels to use, or a timed run of a case. */
export type StepsRequest = { kind: 'kernels'; mode: KernelMode } | { kind: 'time'; id: string; ms: number };

/** Its answers, in order. */
export type StepsReply = { kind: 'kernels'; kernels: string } | ({ kind: 'timed'; kernels: string } & Timed) | { kind: 'error'; message: string };
