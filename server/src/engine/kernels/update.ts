import type { Floats } from './floats';
import type { WasmSteps } from './step-simd';

/**
 * One optimiser step on a band of a parameter tensor (optimizers.ts says which arithmetic, after
 * torch.optim), over offsets into the arena, so that the run's thread and its helpers (pool.ts)
 * can each update a band of the same tensor. Imports nothing of the engine, so a helper thread
 * can run it alone.
 */

/** Adam's eps, as torch.optim.Adam's default. */
export const ADAM_EPS = 1e-8;

/** The optimisers by the number a step's scalars carry (to a helper thread, pool.ts). */
export const OPT_SGD = 0;
export const OPT_MOMENTUM = 1;
export const OPT_ADAM = 2;

/**
 * What every element's update in one step reads besides its own p, g and state: the optimiser,
 * the batch size b, −lr, the tensor's λ₁, λ₂, momentum's m and whether it is the first step, and
 * Adam's b1, b2, 1 − b1, 1 − b2, −lr/bc1 and √bc2. Packed in this order for a helper thread.
 */
export interface StepScalars {
  kind: number;
  b: number;
  neglr: number;
  l1: number;
  l2: number;
  mu: number;
  first: number;
  b1: number;
  b2: number;
  c1: number;
  c2: number;
  negStep: number;
  bc2sqrt: number;
}

/** Scalars of sgd with every value 0, to be filled in. */
export function newStepScalars(): StepScalars {
  return { kind: OPT_SGD, b: 0, neglr: 0, l1: 0, l2: 0, mu: 0, first: 0, b1: 0, b2: 0, c1: 0, c2: 0, negStep: 0, bc2sqrt: 0 };
}

/** The fields of StepScalars, in their packed order. */
export const STEP_SCALARS = ['kind', 'b', 'neglr', 'l1', 'l2', 'mu', 'first', 'b1', 'b2', 'c1', 'c2', 'negStep', 'bc2sqrt'] as const;

/** sign(x) with sign(0) = 0 (and NaN for NaN), as torch.sgn. */
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x);

/**
 * Elements i0 … i1 − 1 of one parameter tensor: with g = sum/b, g ← g + λ₁·sign(p) (l1),
 * g ← g + λ₂·p (l2), then sgd p ← p + (−lr)·g; momentum buf ← g on the first step, else
 * buf·m + g, and p ← p + (−lr)·buf; Adam m ← m·b1 + (1 − b1)·g, v ← v·b2 + ((1 − b2)·g)·g,
 * p ← p + ((−lr/bc1)·m) / (√v/√bc2 + eps) — optimizers.ts says why each is torch.optim's. The
 * parameters are at p, their gradient sums at g, the state at m (momentum's buf, Adam's m) and v
 * (Adam's v), offsets in h (−1: none). Each element reads only its own values and the step's
 * scalars, so any cut of a tensor between threads gives the same bits.
 */
export function updateRange(s: StepScalars, h: Floats, p: number, g: number, m: number, v: number, i0: number, i1: number): void {
  const { b, neglr, l1, l2 } = s;
  if (s.kind === OPT_ADAM) {
    const { b1, b2, c1, c2, negStep, bc2sqrt } = s;
    for (let i = i0; i < i1; i++) {
      const pi = h[p + i];
      const gi = l1 !== 0 ? h[g + i] / b + l1 * sign(pi) : h[g + i] / b;
      const d = l2 !== 0 ? gi + l2 * pi : gi;
      h[m + i] = h[m + i] * b1 + c1 * d;
      h[v + i] = h[v + i] * b2 + c2 * d * d;
      const denom = Math.sqrt(h[v + i]) / bc2sqrt + ADAM_EPS;
      h[p + i] = pi + (negStep * h[m + i]) / denom;
    }
    return;
  }
  if (s.kind === OPT_MOMENTUM && s.mu !== 0) {
    const { mu } = s;
    const first = s.first !== 0;
    for (let i = i0; i < i1; i++) {
      const pi = h[p + i];
      const gi = l1 !== 0 ? h[g + i] / b + l1 * sign(pi) : h[g + i] / b;
      const d = l2 !== 0 ? gi + l2 * pi : gi;
      h[m + i] = first ? d : h[m + i] * mu + d;
      h[p + i] = pi + neglr * h[m + i];
    }
    return;
  }
  // sgd, and momentum 0 (plain SGD, as in torch).
  if (s.kind === OPT_SGD && l1 === 0 && l2 === 0) {
    // The same arithmetic without the penalties' tests: the common case, kept tight. In float32,
    // 1/b is folded into the rate, one multiply instead of a division: a float64 rounding apart,
    // below what the float32 store keeps (torch folds 1/B in earlier still).
    if (h instanceof Float32Array) {
      const rate = neglr / b;
      for (let i = i0; i < i1; i++) h[p + i] = h[p + i] + rate * h[g + i];
    } else for (let i = i0; i < i1; i++) h[p + i] = h[p + i] + neglr * (h[g + i] / b);
    return;
  }
  for (let i = i0; i < i1; i++) {
    const pi = h[p + i];
    const gi = l1 !== 0 ? h[g + i] / b + l1 * sign(pi) : h[g + i] / b;
    h[p + i] = pi + neglr * (l2 !== 0 ? gi + l2 * pi : gi);
  }
}

/**
 * `updateRange`, taken by the kernels' SIMD steps (step-simd.ts: the same operations, so the
 * same bits) where the caller has them (an instance of the module of h's precision) and λ₁ is 0,
 * two elements at a time; the odd one, and every other step, by `updateRange`. Even a small
 * network's tensors of 8 to 64 values step faster there (the 2-8-8-1 network's step 1.06× with
 * every tensor there, 1.00× with those under 64 values left here). Allocates nothing: an array
 * of the four addresses made per call cost that network 8 % of its step.
 */
export function updateRangeWith(steps: WasmSteps | undefined, s: StepScalars, h: Floats, p: number, g: number, m: number, v: number, i0: number, i1: number): void {
  const n = (i1 - i0) & ~1;
  // Momentum 0 is plain sgd, but in float32 not in the form of the kind sgd (updateRange): left to it.
  if (!steps || n === 0 || s.l1 !== 0 || (s.kind === OPT_MOMENTUM && s.mu === 0 && h instanceof Float32Array)) {
    updateRange(s, h, p, g, m, v, i0, i1);
    return;
  }
  const e = h.BYTES_PER_ELEMENT;
  const inv = exactInverse(s.b);
  if (s.kind === OPT_ADAM) steps.adam(e * (p + i0), e * (g + i0), e * (m + i0), e * (v + i0), e * n, s.b, inv, s.l2, s.b1, s.b2, s.c1, s.c2, s.negStep, s.bc2sqrt);
  else if (s.kind === OPT_MOMENTUM && s.mu !== 0) steps.momentum(e * (p + i0), e * (g + i0), e * (m + i0), e * n, s.b, inv, s.neglr, s.l2, s.mu, s.first);
  else steps.sgd(e * (p + i0), e * (g + i0), e * n, s.b, inv, s.neglr, s.l2);
  if (i0 + n < i1) updateRange(s, h, p, g, m, v, i0 + n, i1);
}

/**
 * 1/b where g·(1/b) is g/b for every g, else 0: b a power of two (2^−k is exact, and both are
 * the correctly rounded g·2^−k), from 2^−1022 to 2^1022 so that 1/b is neither subnormal nor
 * infinite. The SIMD steps multiply by it instead of dividing (step-simd.ts `stepFunction`).
 * The last answer is kept: every call of a step asks it of the same b, and a small network's
 * step makes a few calls of a few values each.
 */
export function exactInverse(b: number): number {
  if (b === lastB) return lastInverse;
  const inv = b >= 2 ** -1022 && b <= 2 ** 1022 && 2 ** Math.round(Math.log2(b)) === b ? 1 / b : 0;
  lastB = b;
  lastInverse = inv;
  return inv;
}

let lastB = NaN;
let lastInverse = 0;
