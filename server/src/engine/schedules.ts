/**
 * Learning-rate schedules (`schedule …` in a `train` block), stepped once at the end of every
 * epoch, as torch.optim.lr_scheduler steps them. torch computes each rate from the previous one
 * (its "recursive" form, `get_lr`), not from the closed form; the two differ in the last bits, and
 * a run's numbers follow the rate, so this is the recursive form, operation for operation.
 */

export type Schedule =
  /** StepLR(step_size = N, gamma = G): the rate times G every N epochs. */
  | { kind: 'step'; stepSize: number; gamma: number }
  /** ExponentialLR(gamma = G): the rate times G every epoch. */
  | { kind: 'exponential'; gamma: number }
  /** CosineAnnealingLR(T_max = T, eta_min = 0): half a cosine from the base rate down to 0 over T epochs, then back up. */
  | { kind: 'cosine'; tMax: number };

/**
 * The learning rate of epoch e (0-based) for e ≥ 1, from the rate of epoch e − 1 (`lr`) and the
 * base rate: torch's `scheduler.step()` after epoch e − 1, with `last_epoch` = e.
 * - step(N, G): lr·G when e mod N = 0, else lr.
 * - exponential(G): lr·G.
 * - cosine(T) (η_min = 0): when (e − 1 − T) mod 2T = 0, lr + base·(1 − cos(π/T))/2; otherwise
 *   (1 + cos(π·e/T)) / (1 + cos(π·(e − 1)/T)) · lr. (The closed form is base·(1 + cos(π·e/T))/2.)
 */
export function nextLearningRate(s: Schedule, base: number, lr: number, e: number): number {
  switch (s.kind) {
    case 'step':
      return e % s.stepSize === 0 ? lr * s.gamma : lr;
    case 'exponential':
      return lr * s.gamma;
    case 'cosine': {
      const T = s.tMax;
      // (e − 1 − T) may be negative: JavaScript's % then gives −0 where Python's gives 0, equal to 0 alike.
      if ((e - 1 - T) % (2 * T) === 0) return lr + (base * (1 - Math.cos(Math.PI / T))) / 2;
      return ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * lr;
    }
  }
}

/** The schedule as the language writes it: `step(10, 0.5)`, `exponential(0.95)`, `cosine(50)`. */
export function scheduleText(s: Schedule): string {
  return s.kind === 'step' ? `step(${s.stepSize}, ${s.gamma})` : s.kind === 'exponential' ? `exponential(${s.gamma})` : `cosine(${s.tMax})`;
}
