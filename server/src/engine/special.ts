/**
 * The error function and the normal distribution, to full float64 accuracy, for the exact
 * (erf-based) gelu. Two regimes, each without cancellation:
 * - |x| < 2: erf x = 2/√π · e^{-x²} · Σ_n 2^n x^{2n+1} / (1·3·5···(2n+1)), a series of positive terms;
 * - |x| ≥ 2: erfc x = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), a continued fraction
 *   evaluated by the modified Lentz method.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const ONE_OVER_SQRT_2PI = 0.3989422804014327;

/** The positive series for erf, |x| < 2 (about 40 terms at x = 2). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** The continued fraction for erfc, x ≥ 2. */
function erfcFraction(x: number): number {
  if (x > 27) return 0; // e^{-x²} underflows below the smallest float64 here.
  const tiny = 1e-300;
  // erfc x = e^{-x²}/√π · 1/(x + a1/(x + a2/(x + …))), a_n = n/2.
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** erf x = 2/√π ∫₀ˣ e^{-t²} dt */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const r = a < 2 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** erfc x = 1 - erf x, accurate in the tail where 1 - erf x would cancel. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcFraction(x);
  if (x <= -2) return 2 - erfcFraction(-x);
  return 1 - erf(x);
}

/** Φ(z) = P(Z ≤ z) = erfc(-z/√2)/2, the standard normal distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** φ(z) = e^{-z²/2}/√(2π), the standard normal density. */
export function normalPdf(z: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
}
