import { syntaxDiagnostic } from '../semantics/checker';
import { shifted, type Diagnostic } from '../semantics/diagnostic';
import type { CheckMemo } from '../semantics/memo';
import type { Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import type { SyntaxError } from '../syntax/lexer';
import type { LineIndex } from '../syntax/text';
import { evalResult, probeOutcome, toRanged, type AnalysisParts, type EvaluationCaches, type Failures, type FileAnalysis } from './analyze';
import { evalNumerics, probeNumerics } from './numeric';

/**
 * The statements one incremental parse replaced (incremental.ts): the old text's
 * [oldFrom, oldTo) held `removed` (whose nodes keep the old offsets) and `removedErrors` syntax
 * errors; the new text's [newFrom, newTo) holds `added` and `addedErrors`. Everything before is
 * as it was; everything after is the same nodes, moved by newTo − oldTo.
 */
export interface StatementChange {
  removed: ast.Statement[];
  added: ast.Statement[];
  removedErrors: number;
  addedErrors: SyntaxError[];
  oldFrom: number;
  oldTo: number;
  newFrom: number;
  newTo: number;
}

/** An analysis, and the parts its diagnostics came in (analyze.ts `analyzeParts`). */
export interface Analysed {
  analysis: FileAnalysis;
  parts: AnalysisParts;
}

/**
 * The analysis of a version whose edit replaced only evals and probes, made from the previous
 * version's by checking and evaluating just the new statements: the most common edit (typing a
 * question into an `eval` or a `probe`) then costs what the statement costs, not a pass over the
 * whole file. Evals and probes are the leaves of a file: no statement reads one, so every other
 * statement's check, value and diagnostics stay what they were (those after the edit moved).
 *
 * The result is exactly what a full analysis gives (test/unit/incremental.test.ts compares the
 * two after every keystroke), and undefined whenever that could not be promised: another kind of
 * statement changed; the number of lines changed (every later eval's line would); the previous
 * analysis had an eval or probe fail at a node outside itself (failures at one node are reported
 * once, for whichever statement came first); the diagnostics in the replaced text are not exactly
 * the replaced statements' own; or a new statement's check is not a clean unit (memo.ts). Probes'
 * numeric warnings (which lie in networks too, and which dead-unit detection draws from every
 * probe of a network) are recomputed from all probes when a probe changed, from caches.
 */
export function reanalyzeLeaves(prev: Analysed, change: StatementChange, file: ast.SourceFile, lines: LineIndex, memo: CheckMemo, caches: EvaluationCaches): Analysed | undefined {
  const { removed, added, oldFrom, oldTo, newFrom, newTo } = change;
  const delta = newTo - oldTo;
  const checker = memo.last;
  if (!checker || prev.parts.foreign || lines.lineCount !== prev.analysis.lines.lineCount) return undefined;
  if (!removed.every(isLeaf) || !added.every(isLeaf)) return undefined;
  const old = prev.analysis.program;

  // The diagnostics in the replaced text must be the removed statements' own: their syntax errors
  // and what their checks (clean units, so each has a memo entry) reported.
  let owned = change.removedErrors;
  for (const stmt of removed) {
    const entry = memo.units.get(stmt);
    if (!entry) return undefined;
    owned += entry.diagnostics.length;
  }
  const kept = around(old.diagnostics, oldFrom, oldTo);
  if (!kept || kept.inside !== owned) return undefined;
  const locals = around(prev.parts.local, oldFrom, oldTo);
  if (!locals) return undefined;
  const probeChanged = removed.some(isProbe) || added.some(isProbe);
  const probeWarnings = probeChanged ? undefined : around(prev.parts.probes, oldFrom, oldTo);
  if (!probeChanged && (!probeWarnings || probeWarnings.inside)) return undefined;

  const e0 = firstAt(old.evals, oldFrom);
  const p0 = firstAt(old.probes, oldFrom);
  const evalsGone = removed.filter((s) => s.kind === 'eval').length;
  const probesGone = removed.length - evalsGone;
  const gone = [...old.evals.slice(e0, e0 + evalsGone), ...old.probes.slice(p0, p0 + probesGone)];
  if (gone.some((info) => !removed.includes(info.stmt))) return undefined;

  const rechecked = checker.recheck(file, added);
  if (!rechecked) return undefined;
  const region = change.addedErrors.map(syntaxDiagnostic).concat(rechecked.diagnostics).sort(byStart);
  const diagnostics = kept.before.concat(region, kept.after.map((d) => shifted(d, delta)));

  const program: Program = {
    ...old,
    file,
    diagnostics,
    evals: old.evals.slice(0, e0).concat(rechecked.evals, old.evals.slice(e0 + evalsGone)),
    probes: old.probes.slice(0, p0).concat(rechecked.probes, old.probes.slice(p0 + probesGone)),
  };
  const failures: Failures = { out: [], reported: new Set(), foreign: false };
  const newEvals = rechecked.evals.map((info) => evalResult(info, file.text, program, lines, failures, caches));
  const newProbes = rechecked.probes.map((info) => probeOutcome(info, program, lines, failures, caches));
  if (failures.foreign || failures.out.some((d) => d.span.start < newFrom || d.span.end > newTo)) return undefined;
  const evals = prev.analysis.evals.slice(0, e0).concat(newEvals, prev.analysis.evals.slice(e0 + evalsGone));
  const probes = prev.analysis.probes.slice(0, p0).concat(newProbes, prev.analysis.probes.slice(p0 + probesGone));

  const local = locals.before.concat(failures.out, evalNumerics(newEvals, caches.numeric), locals.after.map((d) => shifted(d, delta)));
  const probeDiagnostics = probeWarnings ? probeWarnings.before.concat(probeWarnings.after.map((d) => shifted(d, delta))) : probeNumerics(program, probes, caches.numeric);
  const all = diagnostics.concat(local, probeDiagnostics).sort(byStart);
  const analysis: FileAnalysis = { text: file.text, lines, program, diagnostics: all.map((d) => toRanged(d, lines)), evals, probes, staleTrained: [] };
  return { analysis, parts: { local, probes: probeDiagnostics, foreign: false } };
}

const isLeaf = (s: ast.Statement) => s.kind === 'eval' || s.kind === 'probe';
const isProbe = (s: ast.Statement) => s.kind === 'probe';
const byStart = (a: Diagnostic, b: Diagnostic) => a.span.start - b.span.start;

/**
 * Diagnostics before [from, to), how many inside, and those at or after `to`, each in its order;
 * undefined when one straddles an end (its span or its suggestion's), which no statement's own does.
 */
function around(list: readonly Diagnostic[], from: number, to: number): { before: Diagnostic[]; inside: number; after: Diagnostic[] } | undefined {
  const before: Diagnostic[] = [];
  const after: Diagnostic[] = [];
  let inside = 0;
  for (const d of list) {
    const start = Math.min(d.span.start, d.suggestion?.span.start ?? Infinity);
    const end = Math.max(d.span.end, d.suggestion?.span.end ?? -Infinity);
    if (end <= from && d.span.start < from) before.push(d);
    else if (start >= to && d.span.start >= to) after.push(d);
    else if (start >= from && end <= to) inside++;
    else return undefined;
  }
  return { before, inside, after };
}

/** How many of `infos` (in statement order) start before `offset`. */
function firstAt(infos: readonly { stmt: ast.Statement }[], offset: number): number {
  let lo = 0;
  let hi = infos.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (infos[mid].stmt.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
