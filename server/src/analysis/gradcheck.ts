import { probe, type Network } from '../engine/network';

export interface GradientCheck {
  /** Parameters compared. */
  count: number;
  /** The largest relative error between the exact gradient and central differences. */
  worst: number;
  /** Where the worst one is: layer, and `W[j][k]` or `b[k]`. */
  at: string;
  exact: number;
  numeric: number;
}

/**
 * Checks backpropagation against central finite differences, parameter by parameter:
 * dE/dθ ≈ (E(θ + h) − E(θ − h)) / 2h with h = 1e-6 · max(1, |θ|). The relative error is
 * |exact − numeric| / max(|exact|, |numeric|, 1e-8): differences below 1e-8 in absolute terms
 * are rounding, not bugs. The network is restored exactly afterwards.
 */
export function gradientCheck(net: Network, x: readonly number[], t: readonly number[]): GradientCheck {
  const exact = probe(net, x, t);
  const result: GradientCheck = { count: 0, worst: 0, at: '', exact: 0, numeric: 0 };
  const loss = () => probe(net, x, t).loss;
  net.layers.forEach((layer, l) => {
    const g = exact.layers[l];
    const check = (params: Float64Array, i: number, analytic: number, where: string) => {
      const saved = params[i];
      const h = 1e-6 * Math.max(1, Math.abs(saved));
      params[i] = saved + h;
      const up = loss();
      params[i] = saved - h;
      const down = loss();
      params[i] = saved;
      const numeric = (up - down) / (2 * h);
      const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-8);
      result.count++;
      if (rel > result.worst || result.at === '') Object.assign(result, { worst: rel, at: `${layer.name}.${where}`, exact: analytic, numeric });
    };
    for (let j = 0; j < layer.inputs; j++) for (let k = 0; k < layer.units; k++) check(layer.W, j * layer.units + k, g.dW[j][k], `W[${j}][${k}]`);
    if (layer.hasBias) for (let k = 0; k < layer.units; k++) check(layer.b, k, g.delta[k], `b[${k}]`);
  });
  return result;
}
