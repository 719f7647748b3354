/**
 * The hovers of a network, its layers and a layer's activation at a probe. Each one puts the
 * numbers at the probe first and the explanation after (a hover is read top down and cut at
 * VS Code's default size, ≈500 px wide and a few hundred high), names the indices with Unicode
 * subscripts (Markdown would show `w_{j,k}` raw), and calls a layer's input by what it is: xⱼ for
 * the network's input, aⱼ for the output of the layer before.
 */
import { LOSS_FORMULAS } from '../engine/losses';
import { parameterCount } from '../engine/network';
import { groupDigits } from '../engine/value';
import type { LayerInfo, NetworkInfo } from '../semantics/program';
import type * as ast from '../syntax/ast';
import type { FileAnalysis, ProbeOutcome } from './analyze';
import { formatList, formatNumber, subscript } from './format';
import { standardizationLines } from './data-hover';

/** Rows of a hover table (weights or matrix rows) before "… N more". */
export const MAX_HOVER_ROWS = 8;
/** Columns of the dE/dW table before "…": six numbers fit the default hover width. */
export const MAX_HOVER_COLUMNS = 6;

/** The first probe of a network in this file that ran. */
function firstProbe(a: FileAnalysis, network: string): ProbeOutcome | undefined {
  return a.probes.find((p) => p.network === network && p.result);
}

/**
 * What a dense layer reads, as the hover names it: the network's input is x, any other layer's
 * output is a (the activations of the layer before).
 */
function inputOf(info: NetworkInfo, layer: LayerInfo): { symbol: 'x' | 'a'; says: string } {
  const before = info.layers[info.layers.indexOf(layer) - 1];
  const features = info.network?.features;
  if (before?.kind === 'input' && features) return { symbol: 'x', says: `feature j of the network's input \`${before.name.text}\` (${features.texts.join(', ')})` };
  if (!before || before.kind === 'input') return { symbol: 'x', says: `the network's input \`${before?.name.text ?? 'x'}\`` };
  return { symbol: 'a', says: `the output of \`${before.name.text}\`` };
}

/** A network: at its first probe the output and loss, then its layers, loss and size. */
export function networkDoc(a: FileAnalysis | undefined, info: NetworkInfo): string {
  const name = info.stmt.name.text;
  const chain = info.layers.map((l) => `${l.name.text}[${l.units}]${l.activation ? ` ${l.activation}` : ''}`).join(' → ');
  // The first dense layer's fan-in: the inputs, or their derived features.
  const inputs = info.network?.layers[0]?.inputs ?? info.layers.find((l) => l.kind === 'input')?.units ?? 0;
  const dense = info.layers.filter((l) => l.kind === 'dense').map((l) => ({ units: l.units, hasBias: !(l.item as ast.DenseItem).nobias }));
  const lines = [`**network ${name}**`];
  const p = a && firstProbe(a, name);
  if (p?.result) lines.push('', `At the probe on line ${p.line}: output \`${formatList(p.result.output)}\`${p.target ? ` · loss E = ${formatNumber(p.result.loss)}` : ''}`);
  lines.push(
    '',
    `\`${chain}\``,
    '',
    `loss \`${info.loss}\`: \`${LOSS_FORMULAS[info.loss]}\` · ${groupDigits(parameterCount(inputs, dense))} parameters`,
  );
  if (info.standardization) lines.push('', ...standardizationLines(info));
  return lines.join('\n');
}

/** z, g(z) and g'(z) of a layer at the network's first probe, for the hover on its activation. */
export function probeValuesForLayer(a: FileAnalysis, info: NetworkInfo, layer: string): string[] {
  const p = firstProbe(a, info.stmt.name.text);
  const g = p?.result?.layers.find((l) => l.name === layer);
  if (!p || !g) return [];
  const lines = [`At the probe on line ${p.line}, layer \`${layer}\`:`, '', `- z = \`${formatList(g.trace.z)}\``, `- g(z) = \`${formatList(g.trace.y)}\``];
  if (g.trace.gprime) lines.push(`- g'(z) = \`${formatList(g.trace.gprime)}\``);
  return lines;
}

/**
 * A layer: with a probe, first its numbers — δ, dE/db, dE/dW and, at the output layer, each
 * weight's gradient as the chain rule factors it, dE/dwⱼₖ = (g(zₖ) − tₖ) · g'(zₖ) · aⱼ under
 * squared_error (dE/dyₖ · g'(zₖ) · aⱼ under the other losses) — then what they are:
 * zₖ = Σⱼ aⱼ wⱼₖ + bₖ, δ = dE/dz, dE/dwⱼₖ = aⱼ δₖ.
 */
export function layerDoc(a: FileAnalysis, info: NetworkInfo, layerName: string): string {
  const network = info.stmt.name.text;
  const layer = info.layers.find((l) => l.name.text === layerName);
  if (!layer) return `\`${layerName}\`: not a layer of \`${network}\``;
  if (layer.kind === 'input') return inputDoc(a, info, layer);
  const before = info.layers[info.layers.indexOf(layer) - 1];
  const fanIn = before?.kind === 'input' ? (info.network?.layers[0]?.inputs ?? before.units) : (before?.units ?? 0);
  const { symbol: s, says } = inputOf(info, layer);
  const sj = `${s}${subscript('j')}`;
  const head = `**dense ${layerName}[${layer.units}] ${layer.activation ?? ''}** of \`${network}\``;
  const explain = [
    '---',
    `W is ${fanIn}×${layer.units} ([fan-in][units]); unit k computes z${subscript('k')} = Σ${subscript('j')} ${sj} w${subscript('jk')} + b${subscript('k')}, where ${sj} is ${says}.`,
  ];
  const p = firstProbe(a, network);
  const g = p?.result?.layers.find((l) => l.name === layerName);
  if (!p || !g || !p.result || !p.target) {
    return [head, '', `Add \`probe ${network} [inputs] -> [targets]\` to see dE/dW for this layer.`, '', ...explain].join('\n');
  }
  const lines = [`${head} · at the probe on line ${p.line}, loss E = ${formatNumber(p.result.loss)}`, ''];
  lines.push(`- δ = dE/dz = \`${formatList(g.delta)}\``);
  if (g.db) lines.push(`- dE/db = δ = \`${formatList(g.db)}\``);
  lines.push(`- dE/dW (row j: ${sj}, column k: unit):`, '', matrixTable(g.dW));

  const isOutput = p.result.layers[p.result.layers.length - 1] === g;
  const fused = info.loss === 'binary_cross_entropy' && layer.activation === 'sigmoid';
  let chainRule: string | undefined;
  if (isOutput && g.trace.gprime && !fused) {
    const t = p.target;
    const { y, gprime: gp, x } = g.trace;
    const squared = info.loss === 'squared_error';
    const factor = squared ? `(g(z${subscript('k')}) − t${subscript('k')})` : `dE/dy${subscript('k')}`;
    chainRule = `dE/dw${subscript('jk')} = ${factor} · g'(z${subscript('k')}) · ${sj}`;
    lines.push('', `At the output layer, by the chain rule: ${chainRule}`, '');
    lines.push(`| w | ${factor} | g'(z${subscript('k')}) | ${sj} | dE/dw |`, '|---|---:|---:|---:|---:|');
    const total = x.length * y.length;
    for (let r = 0; r < Math.min(total, MAX_HOVER_ROWS); r++) {
      const j = Math.floor(r / y.length);
      const k = r % y.length;
      const first = squared ? y[k] - t[k] : gp[k] === 0 ? NaN : g.delta[k] / gp[k];
      lines.push(`| w${subscript(`${j},${k}`)} | ${formatNumber(first)} | ${formatNumber(gp[k])} | ${formatNumber(x[j])} | ${formatNumber(g.dW[j][k])} |`);
    }
    if (total > MAX_HOVER_ROWS) lines.push('', `… and ${total - MAX_HOVER_ROWS} more weights.`);
  }
  lines.push('', ...explain, `δ = dE/dz; dE/dW = ${s}ᵀδ, dE/dw${subscript('jk')} = ${sj} δ${subscript('k')}.`);
  return lines.join('\n');
}

/** The input layer: its width and, with derived features, each feature and its value at the first probe beside the raw input. */
function inputDoc(a: FileAnalysis, info: NetworkInfo, layer: LayerInfo): string {
  const head = `**input ${layer.name.text}[${layer.units}]** of \`${info.stmt.name.text}\`: the network's input x, ${layer.units} number${layer.units === 1 ? '' : 's'} per sample`;
  const features = info.network?.features;
  if (!features) return head;
  const lines = [head, '', `The first layer takes ${features.texts.length} feature${features.texts.length === 1 ? '' : 's'} of it: ${features.texts.map((t) => `\`${t}\``).join(', ')}.`];
  const p = firstProbe(a, info.stmt.name.text);
  const x = p?.result?.layers[0]?.trace.x;
  if (p?.input && x) lines.push('', `At the probe on line ${p.line}: input \`${formatList(p.input)}\` → features \`${formatList(x)}\``);
  return lines.join('\n');
}

/** dE/dW as a table, rows j (inputs) by columns k (units), cut to what a hover shows. */
function matrixTable(m: number[][]): string {
  const rows = m.slice(0, MAX_HOVER_ROWS);
  const cols = m[0]?.length ?? 0;
  const shownCols = Math.min(cols, MAX_HOVER_COLUMNS);
  const more = cols > shownCols ? ` | … ${cols - shownCols} more` : '';
  const header = `| j \\ k | ${Array.from({ length: shownCols }, (_, k) => String(k)).join(' | ')}${more} |`;
  const sep = `|---|${'---:|'.repeat(shownCols)}${more ? '---|' : ''}`;
  const body = rows.map((r, j) => `| ${j} | ${r.slice(0, shownCols).map((v) => formatNumber(v)).join(' | ')}${more ? ' | … |' : ' |'}`);
  if (m.length > rows.length) body.push(`| … ${m.length - rows.length} more rows |${' |'.repeat(shownCols)}${more ? ' |' : ''}`);
  return [header, sep, ...body].join('\n');
}
