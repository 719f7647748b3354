import type { ScalarName } from '../engine/activations';
import { forward, type Network, type ProbeResult } from '../engine/network';
import { flatten, type Value } from '../engine/value';
import type { Diagnostic, DiagnosticCode } from '../semantics/diagnostic';
import type { Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import { formatNumber } from './format';

/**
 * Numeric trouble, found in what the file computes: the warnings that teach why a network
 * would not learn. Each carries the numbers that show it, and a code documented (with the
 * same name as its anchor) in docs/LANGUAGE.md, section "Numeric warnings".
 */

/** Below this, g'(z) has vanished: a gradient through the unit is a millionth of what it could be. */
export const SATURATION = 1e-6;
/** Above this, ‖dE/dW‖ (all layers) signals an exploding gradient for one sample. */
export const EXPLODING = 1e4;

/**
 * Activations whose derivative vanishes at both ends, so a tiny g' means saturation (relu's and
 * gelu's vanish on one side, where a tiny g' is just the negative side). Named as built-ins, so
 * a renamed one is a compile error; docs/LANGUAGE.md, `saturated`, names the same two.
 */
const SATURATING = new Set<string>(['sigmoid', 'tanh'] satisfies ScalarName[]);

export interface ProbeForCheck {
  stmt: ast.ProbeStmt;
  line: number;
  /** The probe's raw input (before any transform the network applies). */
  input?: readonly number[];
  result?: ProbeResult;
}

export interface EvalForCheck {
  stmt: ast.EvalStmt;
  value?: Value;
}

/**
 * What the checks below computed for a network and the samples it saw, kept by the incremental
 * analysis: the network object and the sample arrays are the same objects only while the
 * statements they come from are unchanged, so the dead units found for them still hold.
 */
export interface NumericCaches {
  dead: WeakMap<Network, { sources: unknown[]; dead: number[][] }>;
  /** Eval values known to be all finite. */
  finite: WeakMap<object, true>;
  /** Per probe result: whether every number is finite, ‖dE/dW‖, the saturated units, and what the loss checks read. */
  probes: WeakMap<ProbeResult, ProbeFacts>;
}

interface ProbeFacts {
  finite: boolean;
  norm: number;
  small: number[][];
  /** Whether an output is ≤ 0 or ≥ 1 (binary cross-entropy's domain), and whether one is ≤ 0 (cross-entropy's). */
  edge: boolean;
  zero: boolean;
}

export function numericCaches(): NumericCaches {
  return { dead: new WeakMap(), finite: new WeakMap(), probes: new WeakMap() };
}

/**
 * Networks whose parameters a training run replaced (analyze.ts), each with a copy holding the
 * file's own initial parameters: a warning the trained network shows and the initial one did
 * not was caused by the run, and says so.
 */
export type TrainedNetworks = ReadonlyMap<Network, Network>;

export function numericDiagnostics(program: Program, evals: EvalForCheck[], probes: ProbeForCheck[], caches?: NumericCaches, trained: TrainedNetworks = new Map()): Diagnostic[] {
  return [...evalNumerics(evals, caches), ...probeNumerics(program, probes, caches, trained)];
}

/** A warning of `code` at `span`, pushed onto `out`. */
function warnInto(out: Diagnostic[]): (code: DiagnosticCode, span: { start: number; end: number }, message: string) => void {
  return (code, span, message) => out.push({ severity: 'warning', code, message, span: { start: span.start, end: span.end } });
}

/** Evals whose value is not finite; each warning lies in its own eval. */
export function evalNumerics(evals: EvalForCheck[], caches?: NumericCaches): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = warnInto(out);
  for (const e of evals) {
    if (e.value === undefined) continue;
    if (typeof e.value === 'number' ? Number.isFinite(e.value) : caches?.finite.get(e.value)) continue;
    const bad = flatten(e.value).filter((x) => !Number.isFinite(x));
    if (typeof e.value !== 'number' && bad.length === 0) caches?.finite.set(e.value, true);
    if (bad.length) {
      const what = typeof e.value === 'number' ? `This evaluates to ${e.value}` : `${bad.length} of ${flatten(e.value).length} values are ${[...new Set(bad.map(String))].join(' or ')}`;
      warn('not-finite', e.stmt.value, `${what}: the result is not a finite number (e.g. log of a negative number, a division by 0, or an overflow past 1.8e308).`);
    }
  }

  return out;
}

/**
 * The codes of the probes' warnings whose message names a line (a saturated layer's names the
 * probe it was seen at): an edit that adds or removes lines makes them again (reanalysis.ts
 * `editedProbeWarnings`); every other warning stays what it was, moved with its text.
 */
export const WARNINGS_NAMING_A_LINE: ReadonlySet<string> = new Set(['saturated']);

/**
 * What the probes show: NaN, saturated units (warned at the layer, outside the probe), exploding
 * gradients, outputs at the edge of the loss's domain, and dead relu units (which depend on every
 * probe of a network and on the data it trains on). Each warning is about one network: it lies in
 * the network's statement or in a probe of it, and depends on nothing but the network, its probes
 * and its data. `only`: the warnings of these networks alone (an edit's, reanalysis.ts), the same
 * ones in the same order as among all of them.
 */
export function probeNumerics(program: Program, probes: ProbeForCheck[], caches?: NumericCaches, trained: TrainedNetworks = new Map(), only?: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = warnInto(out);
  for (const p of probes) {
    const r = p.result;
    if (!r || (only && !only.has(p.stmt.network.text))) continue;
    const net = program.networks.get(p.stmt.network.text);
    let facts = caches?.probes.get(r);
    if (!facts) {
      const values = [...r.output, r.loss, ...r.layers.flatMap((l) => [...l.delta, ...l.dW.flat()])];
      facts = {
        finite: values.every((x) => Number.isFinite(x)),
        norm: Math.sqrt(r.layers.reduce((s, l) => s + l.dW.flat().reduce((a, x) => a + x * x, 0), 0)),
        small: r.layers.map((g) => (g.trace.gprime ? [...g.trace.gprime.keys()].filter((k) => Math.abs(g.trace.gprime![k]) < SATURATION) : [])),
        edge: r.output.some((y) => y <= 0 || y >= 1),
        zero: r.output.some((y) => y <= 0),
      };
      caches?.probes.set(r, facts);
    }
    // Most probes warn of nothing: said without a pass over their layers (every keystroke meets them all).
    if (facts.finite && facts.norm <= EXPLODING && !facts.small.some((u) => u.length) && !(facts.edge && net?.loss === 'binary_cross_entropy') && !(facts.zero && net?.loss === 'cross_entropy')) continue;
    if (!facts.finite) {
      warn('not-finite', p.stmt, `This probe computes NaN or Infinity (output ${fmtVec(r.output)}, loss ${formatNumber(r.loss)}): the gradients below are meaningless.`);
      continue;
    }
    // Saturated units: g'(z) has vanished, so δ through them vanishes too.
    for (const [index, g] of r.layers.entries()) {
      const units = facts.small[index];
      if (units.length === 0) continue;
      const info = net?.layers.find((l) => l.name.text === g.name);
      const gp = g.trace.gprime;
      if (!info?.activation || !gp || !SATURATING.has(info.activation)) continue;
      const z = units.map((k) => formatNumber(g.trace.z[k], 3));
      const d = units.map((k) => formatNumber(gp[k], 2));
      const counted = `${units.length} of ${gp.length} unit${gp.length === 1 ? '' : 's'} of \`${g.name}\` ${units.length === 1 ? 'is' : 'are'} saturated at the probe on line ${p.line}: z = ${list(z)}, ${info.activation}'(z) = ${list(d)}.`;
      const initial = net?.network && trained.get(net.network);
      if (initial && p.input && units.some((k) => !saturatedInitially(initial, index, k, p.input!))) {
        warn('saturated', info.name, `After training, ${counted} With the file's own initial weights ${units.length === 1 ? 'it was' : 'they were'} not: the run produced it, by steps large enough to push z far out. Their gradient vanishes, so they have stopped learning; try a smaller learning_rate and train again, and if the inputs are large, rescale them (\`standardize\` after the data definition).`);
      } else {
        warn('saturated', info.name, `${counted} Their gradient vanishes, so the weights into them barely learn; scale the inputs or the initial weights down.`);
      }
    }
    // Exploding gradients.
    const norm = facts.norm;
    if (norm > EXPLODING) {
      warn('exploding-gradient', p.stmt, `‖dE/dW‖ = ${formatNumber(norm, 3)} at this probe: the gradient is exploding, and a step of learning_rate · ${formatNumber(norm, 3)} would overshoot. Lower the learning rate or the initial weights.`);
    }
    // Outputs at the edge of the loss's domain.
    if (net?.loss === 'binary_cross_entropy') {
      const edge = r.output.filter((y) => y <= 0 || y >= 1);
      if (edge.length) warn('loss-domain', p.stmt, `binary_cross_entropy needs outputs strictly between 0 and 1, but this probe's output is ${fmtVec(r.output)}: ln y or ln(1 − y) is infinite there${net.layers.at(-1)?.activation === 'sigmoid' ? ' (the loss is computed from z, so it stays finite, but the output has saturated)' : ''}.`);
    }
    if (net?.loss === 'cross_entropy') {
      const zero = r.output.filter((y) => y <= 0);
      if (zero.length) warn('loss-domain', p.stmt, `cross_entropy takes ln of the outputs, but ${zero.length} output${zero.length === 1 ? ' is' : 's are'} 0 at this probe (${fmtVec(r.output)}).`);
    }
  }
  for (const d of deadRelus(program, probes, caches, only)) out.push(d);
  return out;
}

/**
 * Dead ReLU units: z ≤ 0, so relu'(z) = 0, for every sample the file gives the network (its
 * probes and the inline data it trains on). One inactive sample is normal; all of them means the
 * unit never passes a gradient and never learns. Needs at least two samples to say so.
 */
function deadRelus(program: Program, probes: ProbeForCheck[], caches?: NumericCaches, only?: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const wanted = (name: string) => !only || only.has(name);
  // Probes and trains by network, so that each network's samples are found without a scan of all.
  const probesOf = new Map<string, ProbeForCheck[]>();
  for (const p of probes) if (p.result && wanted(p.stmt.network.text)) push(probesOf, p.stmt.network.text, p);
  const trainsOf = new Map<string, Program['trains']>();
  for (const t of program.trains) if (wanted(t.stmt.network.text)) push(trainsOf, t.stmt.network.text, t);
  for (const [name, info] of program.networks) {
    if (!wanted(name)) continue;
    const net = info.network;
    if (!net || !info.layers.some((l) => l.activation === 'relu')) continue;
    const sources: ArrayLike<number>[] = [];
    for (const p of probesOf.get(name) ?? []) sources.push(p.result!.layers[0].trace.x);
    for (const t of trainsOf.get(name) ?? []) {
      for (const s of program.data.get(t.stmt.data.text)?.samples ?? []) if (s.input.length === net.inputs) sources.push(s.input);
    }
    if (sources.length < 2) continue;
    let found = caches?.dead.get(net);
    if (!found || found.sources.length !== sources.length || found.sources.some((x, i) => x !== sources[i])) {
      const traces = sources.map((x) => forward(net, Array.from(x)));
      const dead = net.layers.map((layer, l) => layer.activation.kind !== 'scalar' || layer.activation.name !== 'relu' ? []
        : [...Array(layer.units).keys()].filter((k) => traces.every((tr) => tr[l].z[k] <= 0)));
      found = { sources, dead };
      caches?.dead.set(net, found);
    }
    const inputs = sources;
    const deadByLayer = found.dead;
    net.layers.forEach((layer, l) => {
      const dead = deadByLayer[l];
      if (dead.length === 0) return;
      const decl = info.layers.find((x) => x.name.text === layer.name)!;
      out.push({
        severity: 'warning',
        code: 'dead-relu',
        span: { start: decl.name.start, end: decl.name.end },
        message: `${dead.length} of ${layer.units} relu unit${layer.units === 1 ? '' : 's'} of \`${layer.name}\` ${dead.length === 1 ? 'is' : 'are'} dead (unit${dead.length === 1 ? '' : 's'} ${dead.join(', ')}): z ≤ 0 for all ${inputs.length} samples, so relu'(z) = 0 and no gradient ever reaches ${dead.length === 1 ? 'it' : 'them'}. Change the initial weights or biases, or use leaky_relu.`,
      });
    });
  }
  return out;
}

/** Appends `item` to the list of `key`. */
function push<T>(lists: Map<string, T[]>, key: string, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

/** Whether unit k of layer l had g'(z) below SATURATION for input x with the initial parameters. */
function saturatedInitially(initial: Network, l: number, k: number, x: readonly number[]): boolean {
  const gp = forward(initial, x)[l].gprime;
  return !!gp && Math.abs(gp[k]) < SATURATION;
}

function fmtVec(v: readonly number[]): string {
  return `[${v.map((x) => formatNumber(x, 4)).join(', ')}]`;
}

function list(items: string[]): string {
  return items.length === 1 ? items[0] : `[${items.join(', ')}]`;
}
