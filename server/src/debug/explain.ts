import { formatNumber, subscript } from '../analysis/format';
import { LOSS_FORMULAS } from '../engine/losses';
import type { Stage } from './stages';
import { weightRows, type ProbeStages } from './stages';

/**
 * `explain` in the debug console: the current stage's formula, then the same formula with the
 * stage's numbers, unit by unit and weight by weight, as a learner would write it out.
 */

/** Units and weights written out per stage; the rest is counted. */
export const EXPLAIN_MAX_ITEMS = 12;

const n = (x: number) => formatNumber(x, 6);
/** A factor in a product: negative numbers in parentheses. */
const f = (x: number) => (x < 0 || Object.is(x, -0) ? `(${n(x)})` : n(x));
const sub = (...i: number[]) => subscript(i.join(','));

/** The lines of `explain` at `stage`. */
export function explain(p: ProbeStages, stage: Stage): string[] {
  switch (stage.kind) {
    case 'entry': return explainEntry(p);
    case 'forward': return explainForward(p, stage.layer!);
    case 'loss': return explainLoss(p);
    case 'backward': return explainBackward(p, stage.layer!);
    case 'epoch': return [stage.name]; // a training run's: training.ts explains those
  }
}

/** At most EXPLAIN_MAX_ITEMS lines of `items`, then how many more there are. */
function capped(items: string[]): string[] {
  if (items.length <= EXPLAIN_MAX_ITEMS) return items;
  return [...items.slice(0, EXPLAIN_MAX_ITEMS), `  … ${items.length - EXPLAIN_MAX_ITEMS} more`];
}

function explainEntry(p: ProbeStages): string[] {
  const names = p.network.layers.map((l) => l.name);
  return [
    `probe ${p.network.name}: one forward pass (${names.join(', ')}), the loss, then one backward pass (${[...names].reverse().join(', ')}).`,
    'Step Over (F10) walks the stages; a breakpoint on a layer\'s line stops at its forward and backward stages, on the loss line at the loss.',
  ];
}

/** z_k = Σ_j x_j w_{j,k} + b_k, y_k = g(z_k). */
function explainForward(p: ProbeStages, l: number): string[] {
  const layer = p.network.layers[l];
  const { x, z, y } = p.probe.result.layers[l].trace;
  const W = weightRows(layer);
  const g = layer.activation.name;
  const lines = [`forward ${layer.name}: zₖ = Σⱼ xⱼ·wⱼₖ${layer.hasBias ? ' + bₖ' : ''}, then g(zₖ) = ${g}(zₖ)${layer.activation.kind === 'softmax' ? ' over the whole layer' : ''}`];
  const units: string[] = [];
  for (let k = 0; k < layer.units; k++) {
    const terms = Array.from(x, (xj, j) => `${f(xj)}·${f(W[j][k])}`);
    const bias = layer.hasBias ? ` + ${f(layer.b[k])}` : '';
    units.push(`  z${sub(k)} = ${terms.join(' + ')}${bias} = ${n(z[k])};  g(z${sub(k)}) = ${n(y[k])}`);
  }
  return [...lines, ...capped(units)];
}

/** The loss's formula and its value; dE/dy_k per output, by the loss's own derivative. */
function explainLoss(p: ProbeStages): string[] {
  const { output: y, loss } = p.probe.result;
  const t = p.probe.target!;
  const K = y.length;
  const lines = [`loss ${p.network.loss}: ${LOSS_FORMULAS[p.network.loss]} = ${n(loss)}`];
  const rule: Record<typeof p.network.loss, (k: number) => string> = {
    squared_error: (k) => `y${sub(k)} − t${sub(k)} = ${n(y[k])} − ${f(t[k])}`,
    mse: (k) => `2·(y${sub(k)} − t${sub(k)})/${K} = 2·(${n(y[k])} − ${f(t[k])})/${K}`,
    cross_entropy: (k) => `−t${sub(k)}/y${sub(k)} = −${f(t[k])}/${f(y[k])}`,
    binary_cross_entropy: (k) => `−t${sub(k)}/y${sub(k)} + (1 − t${sub(k)})/(1 − y${sub(k)}) with t = ${n(t[k])}, y = ${n(y[k])}`,
  };
  const units = y.map((_, k) => `  dE/dy${sub(k)} = ${rule[p.network.loss](k)} = ${n(p.dEdy[k])}`);
  const out = p.network.layers[p.network.layers.length - 1].activation;
  const fused = (p.network.loss === 'cross_entropy' && out.kind === 'softmax') || (p.network.loss === 'binary_cross_entropy' && out.name === 'sigmoid');
  if (fused) units.push(`  (with ${out.name} outputs the backward pass takes δ = dE/dz directly: ${p.network.loss === 'cross_entropy' ? 'δₖ = yₖ·Σⱼ tⱼ − tₖ' : 'δₖ = yₖ − tₖ'}, the stable form)`);
  return [...lines, ...capped(units)];
}

/**
 * The output layer: δ_k = dE/dy_k · g'(z_k), and dE/dw_{j,k} = dE/dy_k · g'(z_k) · x_j, the three
 * factors. A hidden layer: δ_j = g'(z_j) · Σ_k w_{j,k} δ_k, and dE/dw_{i,j} = x_i · δ_j.
 */
function explainBackward(p: ProbeStages, l: number): string[] {
  const layers = p.network.layers;
  const layer = layers[l];
  const g = p.probe.result.layers[l];
  const { x } = g.trace;
  const delta = g.delta;
  const output = l === layers.length - 1;
  const softmax = layer.activation.kind === 'softmax';
  const lines: string[] = [];
  const units: string[] = [];
  if (output) {
    lines.push(softmax
      ? `backward ${layer.name} (output, softmax): δ = Jᵀ·dE/dy with J = g'(z), Jᵢₖ = yᵢ(δᵢₖ − yₖ); dE/dwⱼₖ = xⱼ·δₖ`
      : `backward ${layer.name} (output): δₖ = dE/dyₖ · g'(zₖ); dE/dwⱼₖ = dE/dyₖ · g'(zₖ) · xⱼ`);
    for (let k = 0; k < layer.units; k++) {
      units.push(softmax
        ? `  δ${sub(k)} = ${n(delta[k])}`
        : `  δ${sub(k)} = ${f(p.dEdy[k])} · ${f(g.trace.gprime![k])} = ${n(delta[k])}`);
    }
  } else {
    const next = layers[l + 1];
    const Wn = weightRows(next);
    const dn = p.probe.result.layers[l + 1].delta;
    lines.push(softmax
      ? `backward ${layer.name} (softmax): δ = Jᵀ·(W_next·delta_next), J = g'(z); dE/dwᵢⱼ = xᵢ·δⱼ`
      : `backward ${layer.name}: δⱼ = g'(zⱼ) · Σₖ wⱼₖ·δₖ, with W_next and delta_next of ${next.name}; dE/dwᵢⱼ = xᵢ·δⱼ`);
    for (let j = 0; j < layer.units; j++) {
      const sum = dn.map((dk, k) => `${f(Wn[j][k])}·${f(dk)}`).join(' + ');
      const s = dn.reduce((acc, dk, k) => acc + Wn[j][k] * dk, 0);
      units.push(softmax
        ? `  (W_next·delta_next)${sub(j)} = ${sum} = ${n(s)};  δ${sub(j)} = ${n(delta[j])}`
        : `  δ${sub(j)} = ${f(g.trace.gprime![j])} · (${sum}) = ${n(delta[j])}`);
    }
  }
  const weights: string[] = [];
  for (let j = 0; j < layer.inputs; j++) {
    for (let k = 0; k < layer.units; k++) {
      const factors = output && !softmax ? `${f(p.dEdy[k])} · ${f(g.trace.gprime![k])} · ${f(x[j])}` : `${f(x[j])} · ${f(delta[k])}`;
      weights.push(`  dE/dw${sub(j, k)} = ${factors} = ${n(g.dW[j][k])}`);
    }
  }
  const bias = g.db ? [`  dE/db = δ = [${g.db.map(n).join(', ')}]`] : [];
  return [...lines, ...capped(units), ...capped(weights), ...bias];
}
