/**
 * Numbers of a training run for people, shared by the extension (its notifications) and the
 * training panel's page script (bundled with it): pure functions, no imports, so both builds and
 * the unit tests can take them.
 */

/**
 * A figure in a sentence: 3 significant digits, exponential from 1e4 (where 3 digits would print
 * trailing zeros that look exact) or below 1e-3; not finite as itself.
 */
export function shortNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/**
 * "the loss rose from 0.42 to 68" when a run ended with a loss above its first epoch's (a final
 * loss that is not finite — `null` on the wire — rose too); undefined when it did not rise or the
 * first loss is unknown.
 */
export function lossRose(first: number | null | undefined, final: number | null | undefined): string | undefined {
  if (typeof first !== 'number' || !Number.isFinite(first)) return undefined;
  const last = typeof final === 'number' ? final : Infinity;
  if (!(last > first) && Number.isFinite(last)) return undefined;
  return `the loss rose from ${shortNumber(first)} to ${shortNumber(last)}`;
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight w ∈ [0, 1), bias-corrected
 * so the first points are not pulled toward 0:
 *   m_i = w·m_{i−1} + (1 − w)·v_i (m_0 = 0),  s_i = m_i / (1 − w^{n_i}),
 * n_i the number of finite values so far. A missing or non-finite value stays a gap and does not
 * enter the average.
 */
export function smoothed(values: readonly (number | null)[], w: number): (number | null)[] {
  let m = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    m = w * m + (1 - w) * v;
    n++;
    return w === 0 ? v : m / (1 - Math.pow(w, n));
  });
}

/**
 * The ticks of a log-10 axis from lo to hi (both > 0): powers of ten 10^k, every s-th decade with
 * s the smallest step giving at most `max` ticks, so that a loss spanning 300 decades (a run that
 * diverged) still has a few readable labels; within one decade, lo and hi themselves.
 */
export function logTicks(lo: number, hi: number, max = 6): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return [];
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  if (b < a) return lo === hi ? [lo] : [lo, hi];
  const step = Math.max(1, Math.ceil((b - a + 1) / max));
  const out: number[] = [];
  for (let k = a; k <= b; k += step) out.push(Number('1e' + k));
  return out;
}

/** The log-10 range [10^⌊log lo⌋, 10^⌈log hi⌉] of the finite positive values (undefined when there are none). */
export function logRange(values: Iterable<number | null>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return undefined;
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b === a) b = a + 1;
  return [Math.max(Number('1e' + a), Number.MIN_VALUE), Math.min(Number('1e' + b), Number.MAX_VALUE)];
}
