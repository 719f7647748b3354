import { syntaxDiagnostic } from '../semantics/checker';
import { shifted, type Diagnostic } from '../semantics/diagnostic';
import { statementRefs, type CheckMemo } from '../semantics/memo';
import { reportsLieIn } from '../semantics/fn-closures';
import type { Declaration, Program } from '../semantics/program';
import type * as ast from '../syntax/ast';
import type { SyntaxError } from '../syntax/lexer';
import type { LineIndex } from '../syntax/text';
import { evalOnLine, evalResult, failureKey, newFailures, probeOnLine, probeOutcome, toRanged, type AnalysisParts, type EvalResult, type EvaluationCaches, type FileAnalysis, type ProbeOutcome } from './analyze';
import { evalNumerics, probeNumerics, WARNINGS_NAMING_A_LINE } from './numeric';
import { countWhile } from './search';

/**
 * The statements one incremental parse replaced (incremental.ts): the old text's
 * [oldFrom, oldTo) held `removed` (whose nodes keep the old offsets) and `removedErrors` syntax
 * errors; the new text's [newFrom, newTo) holds `added` and `addedErrors`. Everything before is
 * as it was; everything after is the same nodes, moved by newTo − oldTo. A replaced statement's
 * syntax error may lie past its text, at the next statement's keyword (`let` alone on a line:
 * "expected a name, but `eval` is a reserved word"): `removedErrorsTo` is where the removed ones
 * end, oldTo or past it.
 */
export interface StatementChange {
  removed: ast.Statement[];
  added: ast.Statement[];
  removedErrors: number;
  removedErrorsTo: number;
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
 * The analysis of an edited version made from the previous version's, by checking and evaluating
 * only what the edit changed: the statements it replaced and, by name, what reads them (a `let`
 * whose value another let, an eval, a probe or a network uses, directly or through a fn's body).
 * Typing into an eval or a probe — what the editor does most — then costs what the statement
 * costs; typing into a let, a network, a data set, a fn or a network's first train, what its
 * readers cost (a fn's, what calls it, directly or through other fns, and the fns' phase).
 * Everything else keeps its check, its value and its diagnostics (those after the edit moved),
 * with no pass over every statement.
 *
 * The result is exactly what a full analysis gives (test/unit/incremental.test.ts compares the
 * two after every keystroke), and undefined — the caller then checks the whole file — whenever
 * that could not be promised:
 * - a statement other than a let, network, data set, fn, eval, probe or train was replaced, or
 *   the replaced ones do not declare the same names in the same order (but for lets, networks
 *   and fns that come, go or change names, on `renamedDeclarations`' conditions), or are trains
 *   not of the same networks and data sets in the same order, or data sets that standardize where they did
 *   not (or the other way), or fns where what the fns' last check or this one reported lies
 *   outside the replaced fns (inside, it is theirs); or what changed is read by a data set (whose
 *   order among data sets a train's check depends on) or by a second declaration of a name;
 * - an eval or probe failed at a node inside another eval or probe that failed there too, one
 *   that stays lies in the edit, or one shares its start with another local diagnostic (a failure
 *   at one node is reported once, for whichever statement came first: those at nodes outside
 *   their statements are kept by statement, `AnalysisParts.outside`, and a node keeps its
 *   diagnostic while some statement still fails there, `keptFailures`);
 * - a statement checked again is not a clean unit (memo.ts), or the diagnostics where it stands
 *   are not exactly its own.
 * Probes' numeric warnings (which lie in networks too, and whose dead-unit detection draws on
 * every probe of a network) are computed again, from caches, for the networks of the probes and
 * networks replaced or checked again; every other network's are kept (`editedProbeWarnings`).
 */
export function reanalyze(prev: Analysed, change: StatementChange, file: ast.SourceFile, lines: LineIndex, memo: CheckMemo, caches: EvaluationCaches): Analysed | undefined {
  const { removed, added, oldFrom, oldTo, newTo } = change;
  const delta = newTo - oldTo;
  // Where the records of the statements before the edit end (`patched`): they lie before it in the
  // old text and in the new, while a list's other records are the replaced statements' (old
  // offsets, from oldFrom) and the moved ones' (new offsets, from newTo). Not oldFrom alone: where
  // the segments parsed again begin with some that came out the same (a blank line typed before
  // the first statement), the replaced text begins before the old statements' place.
  const splice = Math.min(oldFrom, change.newFrom);
  const checker = memo.last;
  if (!checker || !prev.parts.outside) return undefined;
  // An edit that adds or removes lines (Enter, or deleting a line break) moves every later eval
  // and probe to another line: their records are renumbered (`renumbered`), and the probes'
  // warnings that name a line are made again (`editedProbeWarnings`).
  const linesBy = lines.lineCount - prev.analysis.lines.lineCount;
  const linesMoved = linesBy !== 0;
  if (!removed.every(isReplaceable) || !added.every(isReplaceable)) return undefined;
  const old = prev.analysis.program;
  const declaredHere = (r: Declaring) => declares(old, r);
  const declaredBefore = removed.filter(isDeclaration);
  const declared = added.filter(isDeclaration);
  // Lets, networks and fns that come, go or change names (a let typed on a new line, its name as it grows): see `renamedDeclarations`.
  const renamed = pairedUp(declaredBefore, declared, (r, a) => a.kind === r.kind && a.name.text === r.name.text && declaredHere(r)) ? undefined : renamedDeclarations(declaredBefore, declared, old, checker, delta, oldFrom, oldTo, file.statements);
  if (renamed === null) return undefined;
  // Data sets: replaced by ones of the same names that standardize as they did (the conflicts
  // between trains read that); what trains on them is checked again (`dependents`).
  const dataBefore = removed.filter(isData);
  const dataSets = added.filter(isData);
  if (!pairedUp(dataBefore, dataSets, (r, a) => a.name.text === r.name.text && declaredHere(r) && !a.standardize === !r.standardize)) return undefined;
  // Fns: declarations above (of the same names, or on `renamedDeclarations`' conditions), what the
  // fns' last check reported lying in the replaced ones (checker.ts `fnReports`; `recheck` asks the
  // same of the new check, in the new ones, running the fns' phase again where any fn was replaced
  // or went); what calls them, directly or through other fns, is checked again.
  const fnsBefore = removed.filter(isFn);
  const fns = added.filter(isFn);
  const fnReports = checker.fnReports;
  if (fns.length && !reportsLieIn(fnReports, fnsBefore)) return undefined;
  // Train statements: replaced by ones of the same network and data set, so that which train is a
  // network's first, and the standardization conflicts between trains (checker.ts
  // `reportStandardizationConflicts`), stay as they were. A network's first train on a data set
  // that standardizes decides the network's standardization (by its split and seed): that network
  // is checked again, with what reads it; on any other, the network reads nothing of it.
  const trainsBefore = removed.filter(isTrain);
  if (!pairedUp(trainsBefore, added.filter(isTrain), (r, a) => a.network.text === r.network.text && a.data.text === r.data.text)) return undefined;
  const retrained = trainsBefore.flatMap((r) => {
    const net = old.declarations.get(r.network.text);
    const data = old.declarations.get(r.data.text);
    return net?.kind === 'network' && data?.kind === 'data' && data.stmt.standardize && firstTrain(old.file.statements, r.network.text) === r ? [net.stmt] : [];
  });
  // What reads the changed lets, networks and data sets, and the networks of replaced first trains
  // (evals and probes change nothing another statement reads).
  const changed = declared.length + retrained.length + dataSets.length + fns.length + (renamed ? renamed.names.length : 0) > 0;
  const index = changed ? (memo.readers ??= readersIndex(old.file.statements)) : memo.readers;
  const names = [...declared, ...dataSets].map((d) => d.name.text).concat(callersOf(fns, file.statements), renamed?.names ?? []);
  const readers = index && changed ? dependents(index, names, new Set(removed), checker.closures, old.declarations, [...retrained, ...(renamed?.unknowing ?? [])]) : { statements: [], names: [] };
  if (!readers) return undefined;
  const again = readers.statements;

  // The diagnostics where the replaced statements stood must be theirs (their syntax errors and
  // what their checks reported); so must those where each statement checked again stands.
  let owned = change.removedErrors;
  for (const stmt of removed) {
    if (stmt.kind === 'fn') {
      // Its syntax errors, and what the fns' phase reported in it (above).
      owned += fnReports?.get(stmt) ?? 0;
      continue;
    }
    const entry = memo.units.get(stmt);
    if (!entry) return undefined;
    owned += entry.diagnostics.length;
  }
  let ownedAgain = 0;
  for (const stmt of again) {
    const entry = memo.units.get(stmt);
    if (!entry) return undefined;
    ownedAgain += entry.diagnostics.length;
  }
  // The removed syntax errors that lie past the replaced text, at the next statement's keyword, are
  // the edit's too (a let typed on a new line is one, from `let` to its `=`); a diagnostic of the
  // next statement there would make the count differ, and the whole file is checked.
  const kept = around(old.diagnostics, oldFrom, Math.max(oldTo, change.removedErrorsTo));
  if (!kept || kept.inside !== owned) return undefined;
  // Likewise a new syntax error past the new text: a fresh analysis lists it before any diagnostic
  // of the next statement that starts where it does, which the merge below would not.
  const errorsPast = change.addedErrors.reduce((at, e) => (e.start >= newTo ? Math.max(at, e.start) : at), -1);
  if (errorsPast >= 0 && kept.after.length && kept.after[0].span.start + delta <= errorsPast) return undefined;
  const outside = without(outsideEdit(kept, delta), again);
  if (outside.dropped !== ownedAgain) return undefined;
  const locals = around(prev.parts.local, oldFrom, oldTo);
  if (!locals) return undefined;
  const touched = [...removed, ...added, ...again];
  const probeChanged = touched.some((s) => s.kind === 'probe' || s.kind === 'network');
  const probeWarnings = probeChanged ? undefined : around(prev.parts.probes, oldFrom, oldTo);
  if (!probeChanged && (!probeWarnings || probeWarnings.inside)) return undefined;
  const gone = { let: 0, eval: 0, probe: 0 };
  for (const s of removed) if (s.kind === 'let' || s.kind === 'eval' || s.kind === 'probe') gone[s.kind]++;

  const rechecked = checker.recheck(file, added, again, readers.names.concat(declared.map((d) => d.name.text), renamed?.gone ?? []), renamed?.gone, fnsBefore.length > 0);
  if (!rechecked) return undefined;
  const fresh = change.addedErrors.map(syntaxDiagnostic).concat(rechecked.diagnostics).sort(byStart);
  const diagnostics = outside.kept.concat(fresh).sort(byStart);
  const lets = patched(old.lets, rechecked.lets, splice, gone.let, change);
  const evalInfos = patched(old.evals, rechecked.evals, splice, gone.eval, change);
  const probeInfos = patched(old.probes, rechecked.probes, splice, gone.probe, change);
  if (!lets || !evalInfos || !probeInfos) return undefined;
  const program: Program = {
    ...old,
    file,
    diagnostics,
    declarations: rechecked.declarations,
    networks: rechecked.networks,
    fns: rechecked.fns,
    data: rechecked.data,
    env: rechecked.env,
    lets,
    trains: rechecked.trains ?? old.trains,
    evals: evalInfos,
    probes: probeInfos,
  };

  // The failures at nodes outside their statements that the evals and probes not evaluated again
  // still have: evaluated again, a statement reports one of those only where none of them does.
  const failedOutside = keptFailures(prev.parts.outside, new Set([...removed, ...again]), oldFrom, oldTo, delta);
  if (!failedOutside) return undefined;
  const failures = newFailures(failedOutside.diagnostics.keys());
  const newEvals = new Map<ast.Statement, EvalResult>();
  const newProbes = new Map<ast.Statement, ProbeOutcome>();
  for (const info of rechecked.evals.values()) newEvals.set(info.stmt, evalResult(info, file.text, program, lines, failures, caches));
  for (const info of rechecked.probes.values()) newProbes.set(info.stmt, probeOutcome(info, program, lines, failures, caches));
  if (failures.tangled) return undefined;
  const evals = patched(prev.analysis.evals, newEvals, splice, gone.eval, change);
  const probes = patched(prev.analysis.probes, newProbes, splice, gone.probe, change);
  if (!evals || !probes) return undefined;
  if (linesMoved) {
    renumbered(evals, newTo, linesBy, newEvals, caches.evalResults, evalOnLine);
    renumbered(probes, newTo, linesBy, newProbes, caches.probeResults, probeOnLine);
  }

  // The last analysis's failures outside their statements give way to those still had (above) and
  // the new ones, one diagnostic for each node and message, as a fresh analysis has them.
  const localOutside = without(outsideEdit(locals, delta), again);
  const ownLocal = failedOutside.before.size ? localOutside.kept.filter((d) => !failedOutside.before.has(failureKey(d))) : localOutside.kept;
  const local = ownLocal.concat([...failedOutside.diagnostics.values()], failures.out, evalNumerics([...newEvals.values()], caches.numeric));
  const outsideNow = new Map([...failedOutside.kept, ...failures.outside]);
  if (outsideNow.size && !placedApart(local, outsideNow)) return undefined;
  const probeDiagnostics = probeWarnings && !linesMoved ? outsideEdit(probeWarnings, delta) : editedProbeWarnings(prev.parts.probes, touched, linesMoved, change, delta, file, program, probes, caches);
  const all = diagnostics.concat(local, probeDiagnostics).sort(byStart);
  const analysis: FileAnalysis = { text: file.text, lines, program, diagnostics: all.map((d) => toRanged(d, lines)), evals, probes, staleTrained: [] };
  if (index) {
    for (const s of removed) for (const name of statementRefs(s)) index.get(name)?.delete(s);
    for (const s of added) for (const name of statementRefs(s)) addTo(index, name, s);
  }
  return { analysis, parts: { local, probes: probeDiagnostics, outside: outsideNow } };
}

/**
 * The failures at nodes outside their statements (`AnalysisParts.outside`) of the evals and
 * probes an edit leaves as they were (not in `redone`), moved with the text (`delta` after the
 * edit [from, to)), and the diagnostics they make, by `failureKey`; and `before`, the keys of all
 * the last analysis's such failures outside the edit, moved: the diagnostics to take out of its
 * local ones. Undefined when one that stays lies in the edit (what lay there is gone).
 */
function keptFailures(outside: ReadonlyMap<ast.Statement, readonly Diagnostic[]>, redone: ReadonlySet<ast.Statement>, from: number, to: number, delta: number): { kept: Map<ast.Statement, Diagnostic[]>; diagnostics: Map<string, Diagnostic>; before: Set<string> } | undefined {
  const kept = new Map<ast.Statement, Diagnostic[]>();
  const diagnostics = new Map<string, Diagnostic>();
  const before = new Set<string>();
  for (const [stmt, list] of outside) {
    const moved: Diagnostic[] = [];
    for (const d of list) {
      const clear = (d.span.end <= from && d.span.start < from) || d.span.start >= to;
      if (!clear && !redone.has(stmt)) return undefined;
      if (!clear) continue;
      const m = d.span.start >= to ? shifted(d, delta) : d;
      before.add(failureKey(m));
      moved.push(m);
    }
    if (redone.has(stmt)) continue;
    kept.set(stmt, moved);
    for (const m of moved) diagnostics.set(failureKey(m), m);
  }
  return { kept, diagnostics, before };
}

/**
 * Whether no failure outside its statement shares its start with another local diagnostic: where
 * two do, a fresh analysis's order between them (by which statement reported first) is not known here.
 */
function placedApart(local: readonly Diagnostic[], outside: ReadonlyMap<ast.Statement, readonly Diagnostic[]>): boolean {
  const keys = new Set<string>();
  for (const list of outside.values()) for (const d of list) keys.add(failureKey(d));
  const starts = new Map<number, number>();
  for (const d of local) starts.set(d.span.start, (starts.get(d.span.start) ?? 0) + 1);
  for (const d of local) if (keys.has(failureKey(d)) && starts.get(d.span.start)! > 1) return false;
  return true;
}

/**
 * The probes' warnings after an edit that changed a probe or a network, or the number of lines:
 * those of the networks the replaced and re-checked statements concern computed again, and, where
 * lines were added or removed (`linesMoved`), those of every network with a warning that names a
 * line (numeric.ts `WARNINGS_NAMING_A_LINE`: the probe it names may have moved); every other
 * network's kept (moved with the text after the edit), since a warning depends only on its own
 * network, its probes and its data (numeric.ts `probeNumerics`). In file order, as the analysis
 * sorts them (two warnings at one place are of one network, so they keep the order they were
 * computed in). All of them computed again where a kept one does not lie in a network or a probe.
 */
function editedProbeWarnings(previous: readonly Diagnostic[], touched: readonly ast.Statement[], linesMoved: boolean, change: StatementChange, delta: number, file: ast.SourceFile, program: Program, probes: ProbeOutcome[], caches: EvaluationCaches): Diagnostic[] {
  const everything = () => probeNumerics(program, probes, caches.numeric);
  const networks = new Set<string>();
  for (const s of touched) {
    if (s.kind === 'probe' || s.kind === 'train') networks.add(s.network.text);
    else if (s.kind === 'network') networks.add(s.name.text);
  }
  const old = around(previous, change.oldFrom, change.oldTo);
  if (!old) return everything();
  const outside = outsideEdit(old, delta);
  const owners: string[] = [];
  for (const d of outside) {
    const owner = networkOf(file.statements, d.span.start);
    if (owner === undefined) return everything();
    owners.push(owner);
    if (linesMoved && WARNINGS_NAMING_A_LINE.has(d.code)) networks.add(owner);
  }
  const kept = outside.filter((_, i) => !networks.has(owners[i]));
  if (networks.size === 0) return kept;
  return kept.concat(probeNumerics(program, probes, caches.numeric, undefined, networks)).sort(byStart);
}

/** The network of the network or probe statement at `offset`, or undefined where there is none. */
function networkOf(statements: readonly ast.Statement[], offset: number): string | undefined {
  const s = statements[countWhile(statements.length, (i) => statements[i].start <= offset) - 1];
  if (!s || offset >= s.end) return undefined;
  return s.kind === 'probe' ? s.network.text : s.kind === 'network' ? s.name.text : undefined;
}

type Editable = ast.LetStmt | ast.NetworkStmt | ast.EvalStmt | ast.ProbeStmt;
const isEditable = (s: ast.Statement): s is Editable => s.kind === 'let' || s.kind === 'network' || s.kind === 'eval' || s.kind === 'probe';
const isTrain = (s: ast.Statement): s is ast.TrainStmt => s.kind === 'train';
const isData = (s: ast.Statement): s is ast.DataStmt => s.kind === 'data';
const isFn = (s: ast.Statement): s is ast.FnStmt => s.kind === 'fn';
/** What an edit may replace and still be analysed from the previous analysis (train statements, data sets and fns on conditions, `reanalyze`). */
const isReplaceable = (s: ast.Statement): boolean => isEditable(s) || isTrain(s) || isData(s) || isFn(s);

/** A statement that declares a name `renamedDeclarations` lets come, go or change. */
type Renamable = ast.LetStmt | ast.NetworkStmt | ast.FnStmt;
const isDeclaration = (s: ast.Statement): s is Renamable => s.kind === 'let' || s.kind === 'network' || s.kind === 'fn';
const byStart = (a: Diagnostic, b: Diagnostic) => a.span.start - b.span.start;

/**
 * Where the lets, networks and fns an edit replaced (`before`, each its name's declaration) and
 * those it put in their place (`after`) do not declare the same names: the names no longer declared
 * (`gone`), those that changed (`names`: what reads them, by name, is checked again), and every
 * statement that reported an unknown name (`unknowing`: its "did you mean" draws on the declared
 * names). Null when that could not give a fresh analysis's result: a new name another statement
 * declares, or two that are the same; any declaration reported as a second one (it may become
 * the first); a fn that reports something (an unknown name in a body may be one of these),
 * reaches a name that goes, or has a parameter named as a network that comes or goes; a
 * statement reporting an unknown name that is not a clean unit of a let, network, eval, probe
 * or train.
 */
function renamedDeclarations(before: readonly Renamable[], after: readonly Renamable[], old: Program, checker: NonNullable<CheckMemo['last']>, delta: number, from: number, to: number, statements: readonly ast.Statement[]): { gone: string[]; names: string[]; unknowing: ast.Statement[] } | null {
  if (!before.every((r) => declares(old, r))) return null;
  const newNames = after.map((a) => a.name.text);
  if (new Set(newNames).size !== newNames.length) return null;
  for (const name of newNames) {
    const d = old.declarations.get(name);
    if (d && !before.includes(d.stmt as Renamable)) return null;
  }
  const gone = before.map((r) => r.name.text).filter((n) => !newNames.includes(n));
  const added = newNames.filter((n) => !before.some((r) => r.name.text === n));
  if (checker.fnReports?.size !== 0) return null;
  // A fn's parameter may not have a network's name (the fns' phase reports it): a network's name
  // that comes or goes (a let's name too may become a network's) where a parameter has it
  // changes what that phase reports.
  const networkIn = (list: readonly Declaring[], name: string) => list.some((s) => s.kind === 'network' && s.name.text === name);
  const networkNames = new Set(before.concat(after).filter((s) => s.kind === 'network' && !(networkIn(before, s.name.text) && networkIn(after, s.name.text))).map((s) => s.name.text));
  if (networkNames.size && statements.some((s) => s.kind === 'fn' && networkNames.has(s.param.text))) return null;
  for (const reached of checker.closures?.values() ?? []) if (reached.some((n) => gone.includes(n))) return null;
  const unknowing: ast.Statement[] = [];
  for (const d of old.diagnostics) {
    if (d.code === 'duplicate-name') return null;
    if (!d.code.startsWith('unknown')) continue;
    if (d.span.start >= from && d.span.start < to) continue; // a replaced statement's
    const at = d.span.start >= to ? d.span.start + delta : d.span.start;
    const s = statements[countWhile(statements.length, (i) => statements[i].start <= at) - 1];
    if (!s || at >= s.end || !['let', 'network', 'eval', 'probe', 'train'].includes(s.kind)) return null;
    if (!unknowing.includes(s)) unknowing.push(s);
  }
  return { gone, names: gone.concat(added), unknowing };
}

type Declaring = ast.LetStmt | ast.NetworkStmt | ast.DataStmt | ast.FnStmt;

/** Whether `r` is its name's declaration in `program` (not a second one, nor a refused one). */
function declares(program: Program, r: Declaring): boolean {
  return program.declarations.get(r.name.text)?.stmt === r;
}

/** Whether the statements an edit replaced (`before`) and those it put in their place (`after`) pair up one to one, in order, each pair `same`. */
function pairedUp<T>(before: readonly T[], after: readonly T[], same: (replaced: T, added: T) => boolean): boolean {
  return before.length === after.length && before.every((r, i) => same(r, after[i]));
}

/** The first train statement of the network `name`, in file order (the one that decides its standardization, checker.ts `standardized`). */
function firstTrain(statements: readonly ast.Statement[], name: string): ast.Statement | undefined {
  return statements.find((s) => s.kind === 'train' && s.network.text === name);
}

/** Every statement but the fns, by the names it mentions (memo.ts `readers`). */
function readersIndex(statements: readonly ast.Statement[]): Map<string, Set<ast.Statement>> {
  const index = new Map<string, Set<ast.Statement>>();
  for (const s of statements) for (const name of statementRefs(s)) addTo(index, name, s);
  return index;
}

/**
 * The names of the fns `fns` and of every fn whose body calls one of them, directly or through
 * others: what reads any of them reads what changed. From the names the fns' bodies mention
 * (`statementRefs`), over the file's fns.
 */
function callersOf(fns: readonly ast.FnStmt[], statements: readonly ast.Statement[]): string[] {
  if (fns.length === 0) return [];
  const mentionedBy = new Map<string, string[]>();
  for (const s of statements) {
    if (s.kind !== 'fn') continue;
    for (const name of statementRefs(s)) {
      const by = mentionedBy.get(name);
      if (by) by.push(s.name.text);
      else mentionedBy.set(name, [s.name.text]);
    }
  }
  const found = new Set(fns.map((f) => f.name.text));
  const queue = [...found];
  for (let i = 0; i < queue.length; i++) {
    for (const caller of mentionedBy.get(queue[i]) ?? []) {
      if (found.has(caller)) continue;
      found.add(caller);
      queue.push(caller);
    }
  }
  return [...found];
}

/** `s` among the readers of `name`, unless it is a fn: its body is lowered without the values it reads; what calls it reads them (`closures`). */
function addTo(index: Map<string, Set<ast.Statement>>, name: string, s: ast.Statement): void {
  if (s.kind === 'fn') return;
  const set = index.get(name);
  if (set) set.add(s);
  else index.set(name, new Set([s]));
}

/**
 * The statements that read the lets, networks and data sets `names` (directly, or through a fn whose body
 * reaches them: `closures`), and what reads those in turn, in file order, with the names of the
 * lets and networks among them: from `index`, skipping the statements an edit removed. Undefined
 * when a data set or a second declaration of a name is among them (what those read is not
 * checked again here). A train statement is read by its network (its standardization), which is
 * checked again with it. The statements `also` (networks whose first train was replaced) are
 * among them from the start, with what reads them.
 */
function dependents(index: ReadonlyMap<string, ReadonlySet<ast.Statement>>, names: string[], removed: ReadonlySet<ast.Statement>, closures: ReadonlyMap<string, readonly string[]> | undefined, declarations: ReadonlyMap<string, Declaration>, also: readonly ast.Statement[] = []): { statements: ast.Statement[]; names: string[] } | undefined {
  const reaching = new Map<string, string[]>();
  for (const [fn, reached] of closures ?? []) {
    for (const name of reached) {
      const fns = reaching.get(name);
      if (fns) fns.push(fn);
      else reaching.set(name, [fn]);
    }
  }
  const seen = new Set<ast.Statement>();
  const found: ast.Statement[] = [];
  const more: string[] = [];
  const queue = [...names];
  const visit = (s: ast.Statement): boolean => {
    if (seen.has(s) || removed.has(s)) return true;
    seen.add(s);
    if (s.kind === 'let' || s.kind === 'network') {
      if (declarations.get(s.name.text)?.stmt !== s) return false;
      queue.push(s.name.text);
      more.push(s.name.text);
    } else if (s.kind !== 'eval' && s.kind !== 'probe' && s.kind !== 'train') return false;
    found.push(s);
    // The network a train trains takes its standardization from its first train's check: it is
    // computed again with the train's (reusing its own check when nothing it reads changed).
    if (s.kind === 'train') {
      const net = declarations.get(s.network.text);
      if (net?.kind === 'network' && !visit(net.stmt)) return false;
    }
    return true;
  };
  for (const s of also) if (!visit(s)) return undefined;
  for (let i = 0; i < queue.length; i++) {
    for (const s of index.get(queue[i]) ?? []) if (!visit(s)) return undefined;
    for (const fn of reaching.get(queue[i]) ?? []) for (const s of index.get(fn) ?? []) if (!visit(s)) return undefined;
  }
  return { statements: found.sort((a, b) => a.start - b.start), names: more };
}

/** `list` without the diagnostics inside any of `statements`, and how many those were. */
function without(list: readonly Diagnostic[], statements: readonly ast.Statement[]): { kept: Diagnostic[]; dropped: number } {
  if (!statements.length) return { kept: list.slice(), dropped: 0 };
  const kept: Diagnostic[] = [];
  let dropped = 0;
  for (const d of list) {
    if (statements.some((s) => d.span.start >= s.start && d.span.end <= s.end)) dropped++;
    else kept.push(d);
  }
  return { kept, dropped };
}

/**
 * A list of per-statement records in file order, edited: those of the replaced statements (the
 * `gone` records from the first at or after `from`) give way to those of the added ones found in
 * `fresh`, and every other record `fresh` has a replacement for is replaced; undefined when the
 * records at `from` are not the replaced statements'.
 */
function patched<T extends { stmt: ast.Statement }>(list: readonly T[], fresh: ReadonlyMap<ast.Statement, T>, from: number, gone: number, change: StatementChange): T[] | undefined {
  const { removed, added } = change;
  const i0 = firstAt(list, from);
  for (let i = i0; i < i0 + gone; i++) if (!removed.includes(list[i]?.stmt)) return undefined;
  const inserted: T[] = [];
  for (const s of added) {
    const r = fresh.get(s);
    if (r) inserted.push(r);
  }
  const out = list.slice(0, i0).concat(inserted, list.slice(i0 + gone));
  if (fresh.size > inserted.length) {
    for (let i = 0; i < out.length; i++) {
      const r = fresh.get(out[i].stmt);
      if (r) out[i] = r;
    }
  }
  return out;
}

/**
 * The records of `list` (in file order, after `patched`) that the edit moved, renumbered: every
 * line after the edit moved by the same `by` lines (the new line count less the old), so each
 * record from offset `from` on that was not made anew for this version (`fresh`) is replaced by a
 * copy `by` lines further on (`onLine`), and the cache a fresh analysis would keep it from
 * (analyze.ts `evalResult`, `probeOutcome`) is told, so that it finds the copy.
 */
function renumbered<S extends ast.Statement, T extends { stmt: S; line: number }>(list: T[], from: number, by: number, fresh: ReadonlyMap<ast.Statement, T>, cache: WeakMap<S, { line: number; result: T }>, onLine: (r: T, line: number) => T): void {
  for (let i = firstAt(list, from); i < list.length; i++) {
    const r = list[i];
    if (fresh.get(r.stmt) === r) continue;
    const moved = onLine(r, r.line + by);
    list[i] = moved;
    const kept = cache.get(r.stmt);
    if (kept?.result === r) {
      kept.line = moved.line;
      kept.result = moved;
    }
  }
}

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
  return countWhile(infos.length, (i) => infos[i].stmt.start < offset);
}

/** The diagnostics outside an edit (`around`), those after it moved by `delta`, in their order. */
function outsideEdit(parts: { before: Diagnostic[]; after: Diagnostic[] }, delta: number): Diagnostic[] {
  return parts.before.concat(parts.after.map((d) => shifted(d, delta)));
}
