/**
 * The colours of classes in the training panel's picture: a classifier's decision regions and its
 * samples. Pure (no imports, no DOM), so the page bundles it and the unit tests read it.
 */

export type RGB = [number, number, number];

/**
 * Class k's colour: class 0 and class 1 are the TensorFlow Playground's orange and blue (a
 * two-class boundary looks as it always did); classes 2… take green, purple, red, brown, pink,
 * grey, olive and cyan (matplotlib's tab10, less its orange and blue), then repeat.
 */
export const CLASS_PALETTE: readonly RGB[] = [
  [245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

export function classColor(k: number): RGB {
  const n = CLASS_PALETTE.length;
  return CLASS_PALETTE[((Math.trunc(k) % n) + n) % n];
}

/**
 * A cell of a K-class boundary (K ≥ 2): `probs` the network's class probabilities there. The cell
 * takes the colour of the winning class k = argmax pₖ (the first of equals) over the background,
 * at opacity a = 0.6·u^0.8 with u = (pₖ − 1/K)/(1 − 1/K) ∈ [0, 1]: the background where the
 * classes are tied, the class's colour at 60% where the network is sure — as `heat` colours two
 * classes. A probability that is not a number gives the background.
 */
export function classHeat(probs: readonly number[], bg: RGB): RGB {
  const K = probs.length;
  let best = 0;
  for (let k = 1; k < K; k++) if (probs[k] > probs[best]) best = k;
  const p = probs[best];
  if (K < 2 || !Number.isFinite(p) || probs.some((q) => !Number.isFinite(q))) return bg;
  const u = Math.max(0, Math.min(1, (p - 1 / K) / (1 - 1 / K)));
  const a = 0.6 * Math.pow(u, 0.8);
  const c = classColor(best);
  return [0, 1, 2].map((i) => Math.round(bg[i] + (c[i] - bg[i]) * a)) as RGB;
}
