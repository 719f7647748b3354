import * as E from '../engine/expr';
import { probe, type Network, type ProbeResult, type Standardization } from '../engine/network';
import type { Value } from '../engine/value';
import { capitalise, type Diagnostic, type DiagnosticCode, type Severity } from '../semantics/diagnostic';
import { analyzeText } from '../semantics/checker';
import type { EvalInfo, ProbeInfo, Program } from '../semantics/program';
import type { EvalStmt, ProbeStmt, Statement } from '../syntax/ast';
import { LineIndex, ownSlice, type Range, type Span } from '../syntax/text';
import { fingerprint } from './fingerprint';
import { evalNumerics, numericCaches, probeNumerics, type NumericCaches, type TrainedNetworks } from './numeric';

/**
 * What the editor and the CLI ask of one file, as plain data in the editor's terms (ranges,
 * labels, values). Nothing here knows LSP or JSON; the server and the CLI translate.
 */
export interface RangedDiagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  range: Range;
  span: Span;
  suggestion?: { title: string; range: Range; newText: string };
}

export interface EvalResult {
  stmt: EvalStmt;
  /** 1-based line of the `eval` keyword. */
  line: number;
  /** The expression's source text. */
  expr: string;
  value?: Value;
  error?: string;
}

export interface ProbeOutcome {
  stmt: ProbeStmt;
  line: number;
  network: string;
  input?: number[];
  target?: number[];
  result?: ProbeResult;
  error?: string;
}

export interface FileAnalysis {
  text: string;
  lines: LineIndex;
  program: Program;
  diagnostics: RangedDiagnostic[];
  evals: EvalResult[];
  probes: ProbeOutcome[];
  /**
   * Networks given trained parameters (`AnalyzeOptions.trained`) whose definition is no longer
   * the one they were trained from: the parameters were not applied, and the caller should
   * drop them.
   */
  staleTrained: string[];
}

/** A network's trained parameters: each dense layer's W (row-major [inputs][units]) and b. */
export interface TrainedParameters {
  /** The fingerprint (fingerprint.ts) of the network the run started from, as the file defined it. */
  definition: string;
  layers: { W: ArrayLike<number>; b: ArrayLike<number> }[];
  /** The input standardization the run used (a CSV file's statistics are known only from a run). */
  standardize?: Standardization;
}

export interface AnalyzeOptions {
  /**
   * Parameters a training run in this editor session produced, by network name. Where a network
   * still has the definition they were trained from (the same fingerprint: layers, activations,
   * loss, init, explicit weights), its probes, network calls and hovers use them instead of the
   * initial ones; after an edit to the definition they never apply, even when the shapes still
   * match, and the network is listed in `FileAnalysis.staleTrained`.
   */
  trained?: ReadonlyMap<string, TrainedParameters>;
}

/** Parses, checks, evaluates every `eval` and runs every `probe` of a file. */
export function analyze(text: string, options: AnalyzeOptions = {}): FileAnalysis {
  return analyzeProgram(text, analyzeText(text).program, options);
}

/**
 * What an incremental analysis (incremental.ts) keeps between versions: each lowered `eval`'s
 * outcome and each checked probe's. The checker's memo hands back the same lowered expression
 * (or probe) only while everything it depends on is unchanged, so an outcome found here is the
 * one evaluating it again would give.
 */
export interface EvaluationCaches {
  evals: WeakMap<E.Expr, EvalOutcome>;
  probes: WeakMap<ProbeInfo, ProbeRun>;
  numeric: NumericCaches;
  /**
   * The last result made for each statement, with what it was made from: handed out again while
   * the statement node (so its text), its line and its outcome are the same objects, so that an
   * edit elsewhere builds nothing for it.
   */
  evalResults: WeakMap<EvalStmt, { line: number; outcome?: EvalOutcome; result: EvalResult }>;
  probeResults: WeakMap<ProbeStmt, { line: number; info: ProbeInfo; net?: Network; outcome?: ProbeRun; result: ProbeOutcome }>;
}

type EvalOutcome = { value?: Value; err?: unknown };
type ProbeRun = { result?: ProbeResult; err?: unknown };

export function evaluationCaches(): EvaluationCaches {
  return { evals: new WeakMap(), probes: new WeakMap(), numeric: numericCaches(), evalResults: new WeakMap(), probeResults: new WeakMap() };
}

/** The evaluation half of `analyze`: evals, probes and numeric warnings of a checked program. */
export function analyzeProgram(text: string, program: Program, options: AnalyzeOptions = {}, caches?: EvaluationCaches, lineIndex?: LineIndex): FileAnalysis {
  return analyzeParts(text, program, options, caches, lineIndex).analysis;
}

/**
 * The diagnostics an analysis added to its program's, in two parts, for an incremental analysis
 * that redoes only some evals and probes (incremental.ts): `local`, the failures of evals and
 * probes and the evals' numeric warnings, each inside the statement it comes from unless it is
 * one of `outside`; and `probes`, the probes' numeric warnings, which lie in networks too.
 */
export interface AnalysisParts {
  local: Diagnostic[];
  probes: Diagnostic[];
  /**
   * Each eval's or probe's failures at nodes outside itself (in a fn's body, say), as diagnostics,
   * of which `local` holds one for each node and message, whichever statement came first; undefined
   * where two statements failed at a node inside one of them, which this does not tell.
   */
  outside?: ReadonlyMap<Statement, readonly Diagnostic[]>;
}

/** `analyzeProgram`, and the parts its diagnostics came in. */
export function analyzeParts(text: string, program: Program, options: AnalyzeOptions = {}, caches?: EvaluationCaches, lineIndex?: LineIndex): { analysis: FileAnalysis; parts: AnalysisParts } {
  const staleTrained: string[] = [];
  const trained = new Map<Network, Network>() satisfies TrainedNetworks;
  for (const [name, params] of options.trained ?? []) {
    const net = program.networks.get(name)?.network;
    // A network in error has no definition to compare: the parameters wait, unapplied.
    if (!net) continue;
    if (fingerprint(net) !== params.definition) {
      staleTrained.push(name);
      continue;
    }
    // The initial parameters, kept to tell a warning the run caused from one the file had.
    trained.set(net, { ...net, layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b.slice() })) });
    net.layers.forEach((l, i) => {
      l.W.set(params.layers[i].W);
      if (l.hasBias) l.b.set(params.layers[i].b);
    });
    // Only where the check could not know them (a CSV file's); otherwise they are the same.
    if (params.standardize && !net.standardize && params.standardize.mean.length === net.inputs) net.standardize = params.standardize;
  }
  const lines = lineIndex ?? new LineIndex(text);
  const failures = newFailures();
  const evals = program.evals.map((info) => evalResult(info, text, program, lines, failures, caches));
  const probes = program.probes.map((info) => probeOutcome(info, program, lines, failures, caches));
  const local = failures.out.concat(evalNumerics(evals, caches?.numeric));
  const probeWarnings = probeNumerics(program, probes, caches?.numeric, trained);
  // concat, not push(...): a file may have more diagnostics than a call has room for arguments.
  const all = program.diagnostics.concat(local, probeWarnings).sort((a, b) => a.span.start - b.span.start);
  return {
    analysis: { text, lines, program, diagnostics: all.map((d) => toRanged(d, lines)), evals, probes, staleTrained },
    parts: { local, probes: probeWarnings, outside: failures.tangled ? undefined : failures.outside },
  };
}

/**
 * Where evaluation failures go: their diagnostics, one per node and message (`failureKey`, those
 * reported); each statement's at nodes outside itself; and whether a statement failed at a node
 * inside another that failed there too (`AnalysisParts.outside` cannot tell that).
 */
export interface Failures {
  out: Diagnostic[];
  reported: Set<string>;
  outside: Map<Statement, Diagnostic[]>;
  tangled: boolean;
}

/** No failures yet, but for those already `reported` elsewhere (by their `failureKey`). */
export function newFailures(reported: Iterable<string> = []): Failures {
  return { out: [], reported: new Set(reported), outside: new Map(), tangled: false };
}

/** What tells a failure's diagnostic from another's: its node's place and its message. */
export function failureKey(d: Diagnostic): string {
  return `${d.span.start}:${d.span.end}:${d.message}`;
}

/** An eval's result: its value, kept while its lowered expression is the same, or its error. */
export function evalResult(info: EvalInfo, text: string, program: Program, lines: LineIndex, failures: Failures, caches?: EvaluationCaches): EvalResult {
  const line = lines.lineOf(info.stmt.start) + 1;
  let outcome: EvalOutcome | undefined;
  if (info.expr) {
    outcome = caches?.evals.get(info.expr);
    if (!outcome) {
      try {
        outcome = { value: E.evaluate(info.expr, program.env) };
      } catch (err) {
        outcome = { err };
      }
      caches?.evals.set(info.expr, outcome);
    }
  }
  // A failure reports its diagnostic on every version, kept result or not.
  const error = !outcome ? 'the expression has errors' : 'err' in outcome ? failure(outcome.err, program, info.stmt.value, info.stmt, failures) : undefined;
  const kept = caches?.evalResults.get(info.stmt);
  if (kept && kept.line === line && kept.outcome === outcome) return kept.result;
  const r = evalRecord(info.stmt, line, ownSlice(text, info.stmt.value.start, info.stmt.value.end), error, error === undefined ? outcome!.value : undefined);
  caches?.evalResults.set(info.stmt, { line, outcome, result: r });
  return r;
}

/** An eval's record: its error, or else its value (the one place its shape is made). */
function evalRecord(stmt: EvalStmt, line: number, expr: string, error: string | undefined, value: Value | undefined): EvalResult {
  const r: EvalResult = { stmt, line, expr };
  if (error !== undefined) r.error = error;
  else r.value = value;
  return r;
}

/**
 * An eval's result moved to another line, otherwise the same, made field by field (an edit that
 * adds a line renumbers every later eval, and a spread's copy of records of several shapes made
 * that about three times as slow, reanalysis.ts `renumbered`).
 */
export function evalOnLine(r: EvalResult, line: number): EvalResult {
  return evalRecord(r.stmt, line, r.expr, r.error, r.value);
}

/** A probe's record: its error, or else its result (the one place its shape is made). */
function probeRecord(stmt: ProbeStmt, line: number, network: string, input: number[] | undefined, target: number[] | undefined, error: string | undefined, result: ProbeResult | undefined): ProbeOutcome {
  const r: ProbeOutcome = { stmt, line, network, input, target };
  if (error !== undefined) r.error = error;
  else r.result = result;
  return r;
}

/** A probe's outcome moved to another line, otherwise the same (`evalOnLine`). */
export function probeOnLine(r: ProbeOutcome, line: number): ProbeOutcome {
  return probeRecord(r.stmt, line, r.network, r.input, r.target, r.error, r.result);
}

/** A probe's outcome: its result, kept while its check and network are the same, or its error. */
export function probeOutcome(info: ProbeInfo, program: Program, lines: LineIndex, failures: Failures, caches?: EvaluationCaches): ProbeOutcome {
  const name = info.stmt.network.text;
  const line = lines.lineOf(info.stmt.start) + 1;
  const net = program.networks.get(name)?.network;
  let outcome: ProbeRun | undefined;
  if (net && info.input && info.target) {
    outcome = caches?.probes.get(info);
    if (!outcome) {
      try {
        outcome = { result: probe(net, info.input, info.target) };
      } catch (err) {
        outcome = { err };
      }
      caches?.probes.set(info, outcome);
    }
  }
  const error = !outcome ? 'the probe or its network has errors' : 'err' in outcome ? failure(outcome.err, program, info.stmt, info.stmt, failures) : undefined;
  const kept = caches?.probeResults.get(info.stmt);
  if (kept && kept.line === line && kept.info === info && kept.net === net && kept.outcome === outcome) return kept.result;
  const r = probeRecord(info.stmt, line, name, info.input, info.target, error, error === undefined ? outcome!.result : undefined);
  caches?.probeResults.set(info.stmt, { line, info, net, outcome, result: r });
  return r;
}

/**
 * Turns an evaluation failure into a diagnostic at the node it names, and its message. Several
 * evals and probes can fail at the same node (a fn's body that reads a let in error, say): the
 * node gets one diagnostic.
 */
function failure(err: unknown, program: Program, fallback: Span, owner: Statement, failures: Failures): string {
  if (err instanceof E.EvalError) {
    const message = capitalise(err.message) + '.';
    const span = program.spans.get(err.node) ?? fallback;
    const d: Diagnostic = { severity: 'error', code: 'eval', message, span: { start: span.start, end: span.end } };
    const key = failureKey(d);
    const outside = span.start < owner.start || span.end > owner.end;
    if (!failures.reported.has(key)) failures.out.push(d);
    else if (!outside) failures.tangled = true; // another statement failed at a node inside this one
    if (outside) {
      const list = failures.outside.get(owner);
      if (list) list.push(d);
      else failures.outside.set(owner, [d]);
    }
    failures.reported.add(key);
    return err.message;
  }
  // A bug of ours, not the user's: say so, and keep going.
  const message = `Internal error while evaluating: ${err instanceof Error ? err.message : String(err)}`;
  failures.out.push({ severity: 'error', code: 'internal', message, span: { start: fallback.start, end: fallback.end } });
  return message;
}

export function toRanged(d: Diagnostic, lines: LineIndex): RangedDiagnostic {
  const r: RangedDiagnostic = { severity: d.severity, code: d.code, message: d.message, range: lines.range(d.span), span: d.span };
  if (d.suggestion) r.suggestion = { title: d.suggestion.title, range: lines.range(d.suggestion.span), newText: d.suggestion.newText };
  return r;
}
