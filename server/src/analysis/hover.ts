import { isVectorName, scalarFunction } from '../engine/activations';
import { CONSTANTS, isConstantName } from '../engine/constants';
import * as E from '../engine/expr';
import { LOSS_FORMULAS, type LossName } from '../engine/losses';
import { parameterCount } from '../engine/network';
import type { Value } from '../engine/value';
import { constantValue } from '../semantics/lowering';
import type { NetworkInfo } from '../semantics/program';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import type { FileAnalysis, ProbeOutcome } from './analyze';
import { formatNumber, formatValue } from './format';
import { locate } from './locate';
import { markdownImage, plotFunction, plotJacobianTable } from './plot';
import { cachedPlot } from './plot-cache';
import { VECTOR_DOCS } from './vector-docs';
import { derivativeFormula } from './formula';
import { softmax, softmaxJacobian } from '../engine/softmax';

export interface Hover {
  /** Markdown. */
  markdown: string;
  span: Span;
}

/** The hover at `offset`, or undefined where there is nothing to say. */
export function hoverAt(a: FileAnalysis, offset: number): Hover | undefined {
  const t = locate(a.program.file, offset);
  if (!t) return undefined;
  switch (t.kind) {
    case 'activation': {
      const lines = activationDoc(t.name.text, a);
      if (!lines) return undefined;
      const plot = plotOf(a, t.name.text, t.ref.args.map((x) => constantValue(a.program, x)));
      if (plot) lines.push('', plot);
      const info = a.program.networks.get(t.network.name.text);
      const layer = t.network.items.find((i): i is ast.DenseItem => i.kind === 'dense' && i.activation === t.ref);
      if (layer && info) lines.push('', ...probeValuesForLayer(a, info, layer.name.text));
      return { markdown: lines.join('\n'), span: t.name };
    }
    case 'call': {
      const lines = functionDoc(t.name.text, a);
      if (!lines) return undefined;
      const at = pointValues(a, t.call);
      if (at) lines.push('', at);
      const args = t.call.args.map((x) => constantValue(a.program, x));
      // The Jacobian has n² entries: only for vectors whose Jacobian the engine computes at all.
      if (t.name.text === 'softmax' && Array.isArray(args[0]) && args[0].length > 0 && args[0].length <= E.MAX_JACOBIAN_SIZE && args[0].every((x) => typeof x === 'number')) {
        const p = softmax(args[0] as number[]);
        lines.push('', `Jacobian at z = \`${formatValue(args[0])}\`:`, '', plotJacobianTable(softmaxJacobian(p), p));
      } else {
        const plot = plotOf(a, t.name.text, args.slice(1), typeof args[0] === 'number' ? args[0] : undefined);
        if (plot) lines.push('', plot);
      }
      // The primes written right after the name (`f''`), not across white space or a line break.
      let end = t.name.end;
      while (end < t.name.end + t.call.primes && a.text[end] === "'") end++;
      return { markdown: lines.join('\n'), span: { start: t.name.start, end } };
    }
    case 'name-ref': {
      const d = a.program.declarations.get(t.name.text);
      if (d?.kind === 'let') return { markdown: letDoc(a, d.stmt), span: t.name };
      if (t.stmt.kind === 'fn' && t.name.text === t.stmt.param.text) return { markdown: `\`${t.name.text}\`: the parameter of \`${t.stmt.name.text}\``, span: t.name };
      if (!d && isConstantName(t.name.text)) return { markdown: `\`${t.name.text}\` = ${CONSTANTS[t.name.text].value}\n\n${CONSTANTS[t.name.text].doc}`, span: t.name };
      return undefined;
    }
    case 'let':
      return { markdown: letDoc(a, t.stmt), span: t.stmt.name };
    case 'fn': {
      const lines = functionDoc(t.stmt.name.text, a) ?? [];
      const plot = plotOf(a, t.stmt.name.text, []);
      if (plot) lines.push('', plot);
      return { markdown: lines.join('\n'), span: t.stmt.name };
    }
    case 'fn-param':
      return { markdown: `\`${t.stmt.param.text}\`: the parameter of \`${t.stmt.name.text}\``, span: t.stmt.param };
    case 'eval': {
      const r = a.evals.find((e) => e.stmt === t.stmt);
      if (!r) return undefined;
      return { markdown: evalDoc(a, t.stmt, r.value, r.error), span: t.stmt };
    }
    case 'network':
    case 'network-ref': {
      const info = a.program.networks.get(t.name.text);
      if (!info) return undefined;
      return { markdown: networkDoc(info), span: t.name };
    }
    case 'layer': {
      const info = a.program.networks.get(t.network.name.text);
      if (!info) return undefined;
      return { markdown: layerDoc(a, info, t.name.text), span: t.name };
    }
    case 'loss': {
      const f = LOSS_FORMULAS[t.name.text as LossName];
      return f ? { markdown: `**${t.name.text}** (per sample)\n\n\`${f}\`\n\nOver a batch, the loss is the mean of the per-sample losses.`, span: t.name } : undefined;
    }
    case 'data': {
      const info = a.program.data.get(t.name.text);
      const n = info?.samples?.length;
      const shape = info?.inputWidth !== undefined ? ` · ${info.inputWidth} input${info.inputWidth === 1 ? '' : 's'}${info.targetWidth !== undefined ? ` → ${info.targetWidth} target${info.targetWidth === 1 ? '' : 's'}` : ''}` : '';
      return { markdown: `**data ${t.name.text}**${n !== undefined ? ` · ${n} sample${n === 1 ? '' : 's'}` : ''}${shape}`, span: t.name };
    }
    case 'data-ref':
      return undefined;
  }
}

/** An activation's formula and its derivative written in terms of the forward value. */
function activationDoc(name: string, a: FileAnalysis): string[] | undefined {
  if (name === 'softmax') return [...VECTOR_DOCS.softmax.hover];
  const f = scalarFunction(name);
  if (f) {
    const alias = f.name !== name ? ` (another name for ${f.name})` : '';
    return [
      `**${name}**${alias} · ${f.activation ? 'activation' : 'function'}`,
      '',
      `\`${f.formula}\``,
      '',
      `\`${f.derivativeFormula}\`${f.activation ? ' — from the forward value, which backpropagation already has' : ''}`,
      ...(f.params.length ? ['', `Parameter: ${f.params.map((p) => `\`${p.name}\` (default ${p.default})`).join(', ')}`] : []),
    ];
  }
  return userFunctionDoc(name, a);
}

function functionDoc(name: string, a: FileAnalysis): string[] | undefined {
  if (isVectorName(name)) return [...VECTOR_DOCS[name].hover];
  const d = a.program.declarations.get(name);
  if (d?.kind === 'network') return [networkDoc(a.program.networks.get(name)!)];
  return activationDoc(name, a);
}

function userFunctionDoc(name: string, a: FileAnalysis): string[] | undefined {
  const info = a.program.fns.get(name);
  if (!info) return undefined;
  const { stmt, fn } = info;
  const body = a.program.file.text.slice(stmt.body.start, stmt.body.end);
  const lines = [`**fn ${name}**`, '', `\`${name}(${stmt.param.text}) = ${body}\``];
  if (fn) {
    try {
      const isScalar = (f: string) => a.program.env.fns.has(f) || !!scalarFunction(f);
      lines.push('', `\`${name}'(${fn.param}) = ${derivativeFormula(fn.body, fn.param, isScalar)}\` — derived exactly (chain rule), not by finite differences`);
    } catch (err) {
      if (err instanceof E.EvalError) lines.push('', `No derivative: ${err.message}.`);
      else throw err;
    }
  }
  return lines;
}

/** Width of hover plots, in CSS pixels. */
const PLOT_WIDTH = 240;

/**
 * A plot of a scalar function and its derivative over [-6, 6] as an SVG the server draws, with
 * `mark` shown on both curves; undefined for anything that is not a scalar function of one
 * variable, or whose parameters are not numbers.
 */
export function activationPlot(a: FileAnalysis, name: string, params: (Value | undefined)[], mark?: number): string | undefined {
  if (params.some((p) => typeof p !== 'number')) return undefined;
  const isUser = !!a.program.fns.get(name)?.fn;
  if (!isUser && !scalarFunction(name)) return undefined;
  const rest = (params as number[]).map(E.num);
  const at = (order: number) => (z: number) => E.scalarOrNaN(E.call(name, order, [E.num(z), ...rest]), a.program.env);
  return cachedPlot(a.program, name, params as number[], mark, () => plotFunction({ f: at(0), df: at(1), label: name, mark }));
}

/** The plot as a Markdown image for a hover. */
function plotOf(a: FileAnalysis, name: string, params: (Value | undefined)[], mark?: number): string | undefined {
  const svg = activationPlot(a, name, params, mark);
  return svg ? markdownImage(svg, `${name} and ${name}' over [-6, 6]`, PLOT_WIDTH) : undefined;
}

/** "Show plot" for the statement at `line`: a fn, or each distinct scalar activation of a network. */
export function plotsAt(a: FileAnalysis, line: number): { title: string; items: { label: string; svg: string; caption: string }[] } | undefined {
  const offset = a.lines.offset({ line, character: 0 });
  const stmt = a.program.file.statements.find((s) => s.end >= offset && a.lines.position(s.start).line <= line);
  if (!stmt) return undefined;
  const caption = (name: string) => (activationDoc(name, a) ?? []).filter((l) => l.startsWith('`')).map((l) => l.replace(/`/g, '').replace(/ — .*$/, '')).join('   ');
  if (stmt.kind === 'fn') {
    const svg = activationPlot(a, stmt.name.text, []);
    return svg ? { title: `fn ${stmt.name.text}`, items: [{ label: stmt.name.text, svg, caption: caption(stmt.name.text) }] } : undefined;
  }
  if (stmt.kind !== 'network') return undefined;
  const items: { label: string; svg: string; caption: string }[] = [];
  const seen = new Set<string>();
  for (const item of stmt.items) {
    if (item.kind !== 'dense') continue;
    const key = a.program.file.text.slice(item.activation.start, item.activation.end);
    if (seen.has(key)) continue;
    seen.add(key);
    const svg = activationPlot(a, item.activation.name.text, item.activation.args.map((x) => constantValue(a.program, x)));
    if (svg) items.push({ label: `${key} (layer ${item.name.text})`, svg, caption: caption(item.activation.name.text) });
  }
  return { title: `Activations of ${stmt.name.text}`, items };
}

/** "At z = 0.5: g = …, g' = …" for a scalar call whose argument is a constant. */
function pointValues(a: FileAnalysis, call: ast.CallExpr): string | undefined {
  const fn = call.callee.text;
  const isScalar = !!scalarFunction(fn) || !!a.program.fns.get(fn)?.fn;
  if (!isScalar || call.args.length === 0) return undefined;
  const env = a.program.env;
  const arg = constantValue(a.program, call.args[0]);
  if (typeof arg !== 'number') return undefined;
  const params = call.args.slice(1).map((x) => constantValue(a.program, x));
  if (params.some((p) => typeof p !== 'number')) return undefined;
  const rest = (params as number[]).map(E.num);
  const at = (order: number) => {
    const r = E.tryEvaluate(E.call(fn, order, [E.num(arg), ...rest]), env);
    return 'value' in r && typeof r.value === 'number' ? formatNumber(r.value) : undefined;
  };
  const parts = [0, 1, 2].map((n) => [n, at(n)] as const).filter(([, v]) => v !== undefined).map(([n, v]) => `${fn}${"'".repeat(n)} = ${v}`);
  return parts.length ? `At z = ${formatNumber(arg)}: ${parts.join(', ')}` : undefined;
}

function letDoc(a: FileAnalysis, stmt: ast.LetStmt): string {
  const value = a.program.env.vars.get(stmt.name.text);
  return `**let ${stmt.name.text}**${value !== undefined ? ` = \`${formatValue(value)}\`` : ' (has errors)'}`;
}

function evalDoc(a: FileAnalysis, stmt: ast.EvalStmt, value: Value | undefined, error: string | undefined): string {
  const src = a.program.file.text.slice(stmt.value.start, stmt.value.end);
  if (value === undefined) return `\`${src}\`: ${error ?? 'no value'}`;
  const lines = [`\`${src}\` = \`${formatValue(value)}\``];
  if (stmt.value.kind === 'call' && stmt.value.primes === 0) {
    const at = pointValues(a, stmt.value);
    if (at) lines.push('', at);
  }
  return lines.join('\n');
}

function networkDoc(info: NetworkInfo): string {
  const chain = info.layers.map((l) => `${l.name.text}[${l.units}]${l.activation ? ` ${l.activation}` : ''}`).join(' → ');
  const inputs = info.layers.find((l) => l.kind === 'input')?.units ?? 0;
  const dense = info.layers.filter((l) => l.kind === 'dense').map((l) => ({ units: l.units, hasBias: !(l.item as ast.DenseItem).nobias }));
  return [
    `**network ${info.stmt.name.text}**`,
    '',
    `\`${chain}\``,
    '',
    `loss \`${info.loss}\`: \`${LOSS_FORMULAS[info.loss]}\` · ${parameterCount(inputs, dense).toLocaleString('en-US')} parameters`,
  ].join('\n');
}

/** The probes of a network in this file, in order. */
function probesOf(a: FileAnalysis, network: string): ProbeOutcome[] {
  return a.probes.filter((p) => p.network === network && p.result);
}

function probeValuesForLayer(a: FileAnalysis, info: NetworkInfo, layer: string): string[] {
  const p = probesOf(a, info.stmt.name.text)[0];
  const g = p?.result?.layers.find((l) => l.name === layer);
  if (!p || !g) return [];
  const lines = [`At the probe on line ${p.line}:`, '', `- z = \`${formatValue(Array.from(g.trace.z))}\``, `- g(z) = \`${formatValue(Array.from(g.trace.y))}\``];
  if (g.trace.gprime) lines.push(`- g'(z) = \`${formatValue(Array.from(g.trace.gprime))}\``);
  return lines;
}

const MAX_ROWS = 16;

/**
 * A layer: its shape, and with a probe, δ, dE/db and dE/dW; at the output layer, each weight's
 * gradient as the chain rule factors it: dE/dw_{j,k} = dE/dy_k · g'(z_k) · x_j, where dE/dy_k is
 * (g(z_k) − t_k) under squared_error.
 */
function layerDoc(a: FileAnalysis, info: NetworkInfo, layerName: string): string {
  const layer = info.layers.find((l) => l.name.text === layerName);
  if (!layer) return `\`${layerName}\`: not a layer of \`${info.stmt.name.text}\``;
  const index = info.layers.indexOf(layer);
  const fanIn = index > 0 ? info.layers[index - 1].units : 0;
  const head = layer.kind === 'input'
    ? `**input ${layerName}[${layer.units}]** of \`${info.stmt.name.text}\``
    : `**dense ${layerName}[${layer.units}] ${layer.activation ?? ''}** of \`${info.stmt.name.text}\` · W is ${fanIn}×${layer.units} ([fan-in][units]), z_k = Σ_j x_j w_{j,k} + b_k`;
  const lines = [head];
  const p = probesOf(a, info.stmt.name.text)[0];
  const g = p?.result?.layers.find((l) => l.name === layerName);
  if (!p || !g || !p.result || !p.target) {
    if (layer.kind === 'dense') lines.push('', `Add \`probe ${info.stmt.name.text} [inputs] -> [targets]\` to see dE/dW for this layer.`);
    return lines.join('\n');
  }
  lines.push('', `From the probe on line ${p.line} (loss E = ${formatNumber(p.result.loss)}):`, '');
  lines.push(`- δ = dE/dz = \`${formatValue(g.delta)}\``);
  if (g.db) lines.push(`- dE/db = δ = \`${formatValue(g.db)}\``);
  lines.push(`- dE/dW = xᵀδ, dE/dw_{j,k} = x_j δ_k:`, '', matrixTable(g.dW));

  const isOutput = p.result.layers[p.result.layers.length - 1] === g;
  if (isOutput && g.trace.gprime) {
    const t = p.target;
    const y = g.trace.y;
    const gp = g.trace.gprime;
    const x = g.trace.x;
    const squared = info.loss === 'squared_error';
    const fused = (info.loss === 'binary_cross_entropy' && layer.activation === 'sigmoid');
    if (!fused) {
      const factor = squared ? '(g(z_k) − t_k)' : 'dE/dy_k';
      lines.push('', `At the output layer, by the chain rule: dE/dw_{j,k} = ${factor} · g'(z_k) · x_j`, '');
      lines.push(`| w | ${factor} | g'(z_k) | x_j | dE/dw |`, '|---|---:|---:|---:|---:|');
      let rows = 0;
      for (let j = 0; j < x.length && rows < MAX_ROWS; j++) {
        for (let k = 0; k < y.length && rows < MAX_ROWS; k++, rows++) {
          const first = gp[k] === 0 ? NaN : g.delta[k] / gp[k];
          const shown = squared ? y[k] - t[k] : first;
          lines.push(`| w_{${j},${k}} | ${formatNumber(shown)} | ${formatNumber(gp[k])} | ${formatNumber(x[j])} | ${formatNumber(g.dW[j][k])} |`);
        }
      }
      const total = x.length * y.length;
      if (total > MAX_ROWS) lines.push('', `… and ${total - MAX_ROWS} more weights.`);
    }
  }
  return lines.join('\n');
}

function matrixTable(m: number[][]): string {
  const rows = m.slice(0, MAX_ROWS);
  const cols = m[0]?.length ?? 0;
  const shownCols = Math.min(cols, 8);
  const header = `| j \\ k | ${Array.from({ length: shownCols }, (_, k) => String(k)).join(' | ')}${cols > shownCols ? ' | …' : ''} |`;
  const sep = `|---|${'---:|'.repeat(shownCols)}${cols > shownCols ? '---|' : ''}`;
  const body = rows.map((r, j) => `| ${j} | ${r.slice(0, shownCols).map((v) => formatNumber(v)).join(' | ')}${cols > shownCols ? ' | …' : ''} |`);
  if (m.length > rows.length) body.push(`| … | ${m.length - rows.length} more rows |`);
  return [header, sep, ...body].join('\n');
}
