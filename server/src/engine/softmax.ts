/**
 * Softmax, p_k = e^{z_k} / Σ_j e^{z_j}, evaluated after subtracting max(z) so no exponent
 * overflows; and its Jacobian dp_i/dz_j = p_i (δ_ij - p_j).
 */
export function softmax(z: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]);
  // Dividing by the sum, rather than subtracting logsumexp, keeps each p_k to a few ulps.
  const e = Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** ln Σ_j e^{z_j} = m + ln Σ_j e^{z_j - m}, m = max(z). */
export function logSumExp(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]);
  if (m === Infinity || m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.exp(z[i] - m);
  return m + Math.log(s);
}

/** J_ij = dp_i/dz_j = p_i (δ_ij - p_j) = diag(p) - p pᵀ. */
export function softmaxJacobian(p: readonly number[]): number[][] {
  return p.map((pi, i) => p.map((pj, j) => pi * ((i === j ? 1 : 0) - pj)));
}

/** Jᵀe for the softmax Jacobian: (Jᵀe)_j = p_j (e_j - Σ_i p_i e_i), without forming J. */
export function softmaxBackward(p: ArrayLike<number>, e: ArrayLike<number>, out: Float64Array | Float32Array): void {
  let dot = 0;
  for (let i = 0; i < p.length; i++) dot += p[i] * e[i];
  for (let j = 0; j < p.length; j++) out[j] = p[j] * (e[j] - dot);
}
