/** Bounds that keep one file from exhausting the editor's memory or time. Documented in docs/LANGUAGE.md. */
export const LIMITS = {
  /** Units in one layer. */
  maxUnits: 100_000,
  /** Weights and biases in one network. */
  maxParameters: 10_000_000,
  /** Samples written inline in one data block. */
  maxInlineSamples: 100_000,
  /** Epochs of one training run. */
  maxEpochs: 10_000_000,
  /** Largest integer seed: every integer up to it is exact in a float64. */
  maxSeed: Number.MAX_SAFE_INTEGER,
} as const;
