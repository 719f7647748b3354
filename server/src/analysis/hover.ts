import { isVectorName, scalarFunction } from '../engine/activations';
import { CONSTANTS, isConstantName } from '../engine/constants';
import * as E from '../engine/expr';
import { LOSS_FORMULAS, type LossName } from '../engine/losses';
import type { Value } from '../engine/value';
import { constantValue } from '../semantics/lowering';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import type { FileAnalysis } from './analyze';
import { layerDoc, networkDoc, probeValuesForLayer } from './hover-network';
import { dataDoc, functionInputDoc } from './data-hover';
import { formatNumber, formatValue } from './format';
import { locate } from './locate';
import { networkPlots, trainingSamples } from './network-plot';
import { markdownImage, plotFunction, plotJacobianTable } from './plot';
import { textPlot } from './text-plot';
import { cachedPlot } from './plot-cache';
import { trainWordHover } from './train-docs';
import { VECTOR_DOCS } from './vector-docs';
import { derivativeFormula } from './formula';
import { softmax, softmaxJacobian } from '../engine/softmax';

export interface Hover {
  /** Markdown. */
  markdown: string;
  span: Span;
}

/** The hover at `offset`, or undefined where there is nothing to say. */
/**
 * What a hover may contain. `images`: the plots as inline SVG pictures (VS Code, or a client that
 * says it shows them); without, each plot is a few lines of braille text (text-plot.ts), which a
 * terminal editor shows as it is instead of a line of base64.
 */
export interface HoverOptions {
  images?: boolean;
}

export function hoverAt(a: FileAnalysis, offset: number, options: HoverOptions = { images: true }): Hover | undefined {
  const images = options.images !== false;
  // A train block's option words and schedule names are the language's, not declarations.
  const word = trainWordHover(a.program, offset);
  if (word) return word;
  const t = locate(a.program.file, offset);
  if (!t) return undefined;
  switch (t.kind) {
    case 'activation': {
      const lines = activationDoc(t.name.text, a);
      if (!lines) return undefined;
      // The numbers at the probe go right under the title, before the formulas and the plot.
      const info = a.program.networks.get(t.network.name.text);
      const layer = t.network.items.find((i): i is ast.DenseItem => i.kind === 'dense' && i.activation === t.ref);
      const values = layer && info ? probeValuesForLayer(a, info, layer.name.text) : [];
      if (values.length) lines.splice(1, 0, '', ...values);
      const plot = plotOf(a, t.name.text, t.ref.args.map((x) => constantValue(a.program, x)), images);
      if (plot) lines.push('', plot);
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
        const plot = plotOf(a, t.name.text, args.slice(1), images, typeof args[0] === 'number' ? args[0] : undefined);
        if (plot) lines.push('', plot);
      }
      // The primes written right after the name (`f''`), not across white space or a line break.
      let end = t.name.end;
      while (end < t.name.end + t.call.primes && a.text[end] === "'") end++;
      return { markdown: lines.join('\n'), span: { start: t.name.start, end } };
    }
    case 'name-ref': {
      const input = t.stmt.kind === 'data' ? functionInputDoc(a.program, t.stmt, t.name.text) : undefined;
      if (input) return { markdown: input, span: t.name };
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
      const plot = plotOf(a, t.stmt.name.text, [], images);
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
      return { markdown: networkDoc(a, info), span: t.name };
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
    case 'data':
    case 'data-ref': {
      const markdown = dataDoc(a.program, t.name.text);
      return markdown ? { markdown, span: t.name } : undefined;
    }
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
  if (d?.kind === 'network') return [networkDoc(a, a.program.networks.get(name)!)];
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
  const at = scalarOf(a, name, params);
  if (!at) return undefined;
  return cachedPlot(a.program, name, params as number[], mark, () => plotFunction({ f: at(0), df: at(1), label: name, mark }));
}

/** The plot for a hover: a Markdown image, or (`images` false) a text plot in a code block. */
function plotOf(a: FileAnalysis, name: string, params: (Value | undefined)[], images: boolean, mark?: number): string | undefined {
  if (!images) {
    const f = scalarOf(a, name, params);
    return f ? ['```text', textPlot({ f: f(0), df: f(1), label: name }), '```'].join('\n') : undefined;
  }
  const svg = activationPlot(a, name, params, mark);
  return svg ? markdownImage(svg, `${name} and ${name}' over [-6, 6]`, PLOT_WIDTH) : undefined;
}

/** g^(order) of a scalar function of one variable with numeric parameters, as activationPlot draws it; else undefined. */
function scalarOf(a: FileAnalysis, name: string, params: (Value | undefined)[]): ((order: number) => (z: number) => number) | undefined {
  if (params.some((p) => typeof p !== 'number')) return undefined;
  if (!a.program.fns.get(name)?.fn && !scalarFunction(name)) return undefined;
  const rest = (params as number[]).map(E.num);
  return (order) => (z) => E.scalarOrNaN(E.call(name, order, [E.num(z), ...rest]), a.program.env);
}

/**
 * "Show plot" for the statement at `line`: a fn; or a network's own function (y(x), or a heatmap
 * for two inputs, with its training samples) followed by each distinct scalar activation.
 */
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
  const info = a.program.networks.get(stmt.name.text);
  if (info?.network) {
    const output = info.layers[info.layers.length - 1].name.text;
    const K = info.network.layers[info.network.layers.length - 1].units;
    items.push(...networkPlots(info.network, output, trainingSamples(a, stmt.name.text, K)));
  }
  const seen = new Set<string>();
  for (const item of stmt.items) {
    if (item.kind !== 'dense') continue;
    const key = a.program.file.text.slice(item.activation.start, item.activation.end);
    if (seen.has(key)) continue;
    seen.add(key);
    const svg = activationPlot(a, item.activation.name.text, item.activation.args.map((x) => constantValue(a.program, x)));
    if (svg) items.push({ label: `${key} (layer ${item.name.text})`, svg, caption: caption(item.activation.name.text) });
  }
  return { title: `Network ${stmt.name.text}`, items };
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
