const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);

/** How many doubles apart two finite numbers of the same sign are (0: the same double). */
export function ulps(a: number, b: number): number {
  f64[0] = a;
  const x = bits[0];
  f64[0] = b;
  const d = x - bits[0];
  return Number(d < 0n ? -d : d);
}
