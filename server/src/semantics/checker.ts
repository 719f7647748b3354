import * as E from '../engine/expr';
import { predict, type Standardization } from '../engine/network';
import type { Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import type { SyntaxError } from '../syntax/lexer';
import { parse } from '../syntax/parser';
import type { Span } from '../syntax/text';
import { shifted, type Diagnostic, type DiagnosticCode, type Severity, type Suggestion } from './diagnostic';
import { constant, FnParams, NO_PARAMS, RESERVED_FOR_BUILTINS, tryLower } from './lowering';
import { CheckMemo, copyEntries, DATA_KIND, declares, DATA_NOT_YET, FN_MISSING, LET_FAILED, NETWORK_FAILED, sameDeps, statementRefs, UNDECLARED, type Recheck, type UnitEntry } from './memo';
import { fnClosures, reportsByFn, reportsLieIn } from './fn-closures';
import { checkNetwork } from './networks';
import type { DataInfo, Declaration, EvalInfo, FnInfo, LetInfo, NetworkInfo, ProbeInfo, Program, TrainInfo } from './program';
import { dataInputs, trainingStandardization } from './data-sets';
import { checkData, checkProbe, checkTrain } from './runs';
import { Spoiled, type CheckContext } from './scope';
import { suggest } from './suggest';

/** Parses and checks a file. */
export function analyzeText(text: string): { program: Program; syntaxErrors: number } {
  return programOf(parse(text));
}

export interface IncrementalCheck {
  memo: CheckMemo;
  /** Networks whose parameters the caller will overwrite (trained ones): never reused from the memo. */
  volatile?: ReadonlySet<string>;
}

/**
 * Checks a parsed file; with `incremental`, reuses what an earlier check of a previous version
 * left in its memo (see memo.ts). The result is the same either way.
 */
export function programOf(parsed: { file: ast.SourceFile; errors: readonly SyntaxError[] }, incremental?: IncrementalCheck): { program: Program; syntaxErrors: number } {
  let program: Program;
  if (incremental) {
    const memo = incremental.memo;
    memo.pending = [];
    const checker = new Checker(parsed.file, memo, incremental.volatile);
    program = checker.run();
    memo.last = undefined;
    // A cycle is reported where the check happened to enter it, which the memo may change: redo it plainly.
    if (program.diagnostics.some((d) => d.code === 'cycle')) {
      memo.pending = [];
      program = check(parsed.file);
    } else {
      memo.commit();
      memo.last = checker;
    }
  } else program = check(parsed.file);
  const syntax = parsed.errors.map(syntaxDiagnostic);
  // concat, not unshift(...): a file may have more errors than a call has room for arguments.
  program.diagnostics = syntax.concat(program.diagnostics).sort((a, b) => a.span.start - b.span.start);
  return { program, syntaxErrors: syntax.length };
}

/** A syntax error, as the diagnostic a Program lists. */
export function syntaxDiagnostic(e: SyntaxError): Diagnostic {
  return { severity: 'error', code: e.code, message: e.message, span: { start: e.start, end: e.end } };
}

export function check(file: ast.SourceFile): Program {
  return new Checker(file).run();
}

const EMPTY_DATA: ReadonlyMap<string, DataInfo> = new Map();

/** What a unit's check yields when it is spoiled (its diagnostic already reported). */
const SPOILED = Symbol('spoiled');

/**
 * One check of one file. It computes lets and networks on demand, in whatever order statements
 * need them (with cycle detection), and memoises each statement's check as a unit (memo.ts).
 * The checks themselves live by concern: lowering.ts (expressions, constants), networks.ts,
 * runs.ts (data, probes, training); this class holds the state they share.
 */
class Checker implements CheckContext {
  private diagnostics: Diagnostic[] = [];
  readonly declarations = new Map<string, Declaration>();
  readonly spans: WeakMap<E.Expr, Span>;
  private readonly letValues = new Map<string, Value>();
  private readonly letState = new Map<string, 'busy' | 'done' | 'failed'>();
  private readonly networks = new Map<string, NetworkInfo>();
  private readonly networkState = new Map<string, 'busy' | 'done'>();
  private readonly fns = new Map<string, FnInfo>();
  /** The data sets checked so far, by name (the first declaration of each), as `run` meets them. */
  private readonly data = new Map<string, DataInfo>();
  /** Each data and train statement's check, once per check however many ask for it. */
  private readonly dataChecks = new Map<ast.DataStmt, DataInfo>();
  private readonly trainChecks = new Map<ast.TrainStmt, TrainInfo | undefined>();
  /** Each network's first `train` statement, by network name: found once per check (`firstTrains`). */
  private firstTrainOf?: Map<string, ast.TrainStmt>;
  readonly userFns = new Map<string, E.UserFunction>();
  /** The environment constants evaluate in while checking: lets and networks are computed on demand. */
  readonly env: E.Environment;
  readonly activeEnv: { current?: E.Environment };

  /** Descriptor lists by nesting depth of `unit`, reused from unit to unit (see `unit`). */
  private readonly depsScratch: unknown[][] = [];
  private depsDepth = 0;
  /** While `recheck` checks: the statements whose unit was replayed from the memo (clean, as stored). */
  private replayed?: Set<ast.Statement>;
  /** Units entered so far: a unit that enters another while it runs is not memoised. */
  private entries = 0;
  /** The declared names, for a memoised unit that reported an unknown name; computed once. */
  private namesKey?: string;

  constructor(public file: ast.SourceFile, private readonly memo?: CheckMemo, private readonly volatile?: ReadonlySet<string>) {
    this.spans = memo?.spans ?? new WeakMap();
    this.env = {
      vars: { get: (name) => this.letValue(name) },
      fns: this.userFns,
      network: (name) => {
        const net = this.network(name)?.network;
        return net ? (x: number[]) => predict(net, x) : undefined;
      },
      derivedCache: new Map(),
    };
    this.activeEnv = memo?.env ?? {};
    this.activeEnv.current = this.env;
  }

  run(): Program {
    this.declare();
    // Functions first: their bodies are lowered before anything calls them. Every fn is
    // registered before any body is lowered, so bodies may call fns declared further down.
    this.fnPhase();
    const lets: LetInfo[] = [];
    const evals: EvalInfo[] = [];
    const probes: ProbeInfo[] = [];
    const trains: TrainInfo[] = [];
    const data = this.data;
    for (const stmt of this.file.statements) {
      switch (stmt.kind) {
        case 'let':
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) lets.push({ stmt, value: this.guard(() => this.letValue(stmt.name.text)) });
          else lets.push({ stmt, value: constant(this, stmt.value, NO_PARAMS) }); // a duplicate is still checked
          break;
        case 'network':
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) this.guard(() => this.network(stmt.name.text));
          else checkNetwork(this, stmt);
          break;
        case 'data': {
          const info = this.guard(() => this.dataOf(stmt, data)) ?? { stmt };
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) data.set(stmt.name.text, info);
          break;
        }
        case 'eval':
          evals.push({ stmt, expr: this.unit('eval', stmt, data, () => tryLower(this, stmt.value, NO_PARAMS)) });
          break;
        case 'probe':
          probes.push(this.guard(() => this.unit('probe', stmt, data, () => checkProbe(this, stmt))) ?? { stmt });
          break;
        case 'train': {
          const info = this.trainOf(stmt);
          if (info) trains.push(info);
          break;
        }
        case 'fn':
          break;
      }
    }
    this.reportStandardizationConflicts();
    const env = this.inertEnv();
    this.activeEnv.current = env;
    return {
      file: this.file,
      diagnostics: this.diagnostics,
      declarations: this.declarations,
      networks: this.networks,
      fns: this.fns,
      data,
      lets,
      evals,
      probes,
      trains,
      env,
      spans: this.spans,
    };
  }

  /**
   * A check of a later version of the file, made from this one by checking only some statements
   * again: `added`, those the edit put in place of others that declared the same names (in the
   * same order), and `again`, those that read what changed; `stale` names the lets and networks
   * among them, whose values are computed anew. Everything else (declarations, let values,
   * networks, fns, data sets) is this check's, in copies, so this check's Program stays as it
   * was; but when the edit removed a fn (`fnsRemoved`) or added one, the fns' phase runs again, whole.
   * The caller (analysis/reanalysis.ts) has made sure that nothing else reads what changed:
   * only lets, networks, data sets, evals, probes and trains are checked here, each a clean unit
   * (memo.ts), so that their diagnostics are their own. Undefined, nothing kept, when that fails.
   */
  recheck(file: ast.SourceFile, added: readonly ast.Statement[], again: readonly ast.Statement[], stale: readonly string[], gone?: readonly string[], fnsRemoved = false): Recheck | undefined {
    const memo = this.memo;
    if (!memo) return undefined;
    // A replaced train is a new node: each network's first train is looked for again.
    const firstTrainOf = added.some((s) => s.kind === 'train') ? undefined : this.firstTrainOf;
    const fnsReplaced = fnsRemoved || added.some((s) => s.kind === 'fn');
    if (stale.length === 0 && !added.some(declares) && !fnsReplaced) {
      // Only evals, probes and trains, which change no value another statement reads: this check's
      // state serves as it is (checking them only reads it), with no copy of it per keystroke.
      this.file = file;
      this.diagnostics = [];
      this.firstTrainOf = firstTrainOf;
      return this.checkAgain(added, again, memo);
    }
    const next = new Checker(file, memo, this.volatile);
    // Names that went or came: declared again in file order (a "did you mean" takes the first of equals).
    if (gone) next.declare(false);
    else copyEntries(this.declarations, next.declarations);
    if (!gone) for (const stmt of added) if (declares(stmt) || stmt.kind === 'fn') next.declarations.set(stmt.name.text, { kind: stmt.kind, name: stmt.name, stmt } as Declaration);
    if (fnsReplaced) {
      // The fns' phase again, whole (every body lowered, recursion refused, the closures), before
      // any let state is copied, as in a whole check (where it comes before any let is computed);
      // and only where what it reports lies in the fns the edit put in place (the caller counts it there).
      next.fnPhase();
      if (!reportsLieIn(next.fnReports, added)) return undefined;
    } else {
      copyEntries(this.fns, next.fns);
      copyEntries(this.userFns, next.userFns);
      next.closures = this.closures;
      next.fnReports = this.fnReports;
    }
    const forget = new Set(stale);
    copyEntries(this.letValues, next.letValues, forget);
    copyEntries(this.letState, next.letState, forget);
    copyEntries(this.networks, next.networks, forget);
    copyEntries(this.networkState, next.networkState, forget);
    copyEntries(this.data, next.data);
    copyEntries(this.dataChecks, next.dataChecks);
    copyEntries(this.trainChecks, next.trainChecks, new Set<ast.Statement>(again));
    next.firstTrainOf = firstTrainOf;
    if (!gone) next.namesKey = this.namesKey; // the same names: else made again, when a unit asks
    return next.checkAgain(added, again, memo);
  }

  /** `recheck`'s checks, by this checker: of `added` and `again`, in file order. */
  private checkAgain(added: readonly ast.Statement[], again: readonly ast.Statement[], memo: CheckMemo): Recheck | undefined {
    memo.pending = [];
    const replayed = (this.replayed = new Set());
    const lets = new Map<ast.Statement, LetInfo>();
    const evals = new Map<ast.Statement, EvalInfo>();
    const probes = new Map<ast.Statement, ProbeInfo>();
    const statements = [...added, ...again].sort((a, b) => a.start - b.start);
    let ok = true;
    for (const stmt of statements) {
      if (declares(stmt) && this.declarations.get(stmt.name.text)?.stmt !== stmt) ok = false;
      else if (stmt.kind === 'data') this.data.set(stmt.name.text, this.guard(() => this.dataOf(stmt, this.data)) ?? { stmt });
      else if (stmt.kind === 'let') lets.set(stmt, { stmt, value: this.guard(() => this.letValue(stmt.name.text)) });
      else if (stmt.kind === 'network') this.guard(() => this.network(stmt.name.text));
      else if (stmt.kind === 'eval') evals.set(stmt, { stmt, expr: this.unit('eval', stmt, this.data, () => tryLower(this, stmt.value, NO_PARAMS)) });
      else if (stmt.kind === 'probe') probes.set(stmt, this.guard(() => this.unit('probe', stmt, this.data, () => checkProbe(this, stmt))) ?? { stmt });
      else if (stmt.kind === 'train') this.trainOf(stmt);
      else if (stmt.kind !== 'fn') ok = false; // a fn was checked in its phase (`recheck`)
      if (!ok) break;
    }
    this.replayed = undefined;
    const units = new Set(memo.pending.flatMap(([stmt, entry]) => (entry ? [stmt] : [])));
    if (!ok || statements.some((stmt) => stmt.kind !== 'fn' && !units.has(stmt) && !replayed.has(stmt)) || this.diagnostics.some((d) => d.code === 'cycle')) {
      memo.pending = [];
      return undefined;
    }
    memo.commit();
    const env = this.inertEnv();
    this.activeEnv.current = env;
    memo.last = this;
    // A train checked again may have become spoiled, or stopped being: the list is made anew, in file order.
    const trains = statements.some((stmt) => stmt.kind === 'train') ? this.file.statements.flatMap((stmt) => (stmt.kind === 'train' && this.trainChecks.get(stmt)) || []) : undefined;
    return { lets, evals, probes, trains, diagnostics: this.diagnostics, declarations: this.declarations, networks: this.networks, fns: this.fns, data: this.data, env };
  }

  /**
   * The environment the Program hands out once the check is done: every let is computed (or in
   * error) and every network built by now, so it reads maps and calls nothing back here.
   */
  private inertEnv(): E.Environment {
    const networks = this.networks;
    return {
      vars: this.letValues,
      fns: this.userFns,
      network: (name) => {
        const net = networks.get(name)?.network;
        return net ? (x: number[]) => predict(net, x) : undefined;
      },
      derivedCache: this.env.derivedCache,
    };
  }

  // ---- the memo (incremental checking; see memo.ts) -----------------------------------------

  /**
   * Checks one statement's unit with `compute`, or replays what an earlier check recorded for the
   * same statement node when every name it mentions still means the same (`descriptor`). Throws
   * Spoiled when the unit is spoiled, as `compute` would.
   */
  private unit<T>(kind: string, stmt: ast.Statement, data: ReadonlyMap<string, DataInfo>, compute: () => T): T {
    const memo = this.memo;
    if (!memo) return compute();
    if (kind === 'network' && this.volatile?.has((stmt as ast.NetworkStmt).name.text)) {
      this.entries++;
      memo.pending.push([stmt, undefined]);
      return compute();
    }
    const entry = memo.units.get(stmt);
    const refs = entry ? entry.refs : statementRefs(stmt);
    // The descriptors go into a list of this nesting depth, reused: a unit replayed (most of them,
    // on every keystroke) allocates none. Computing one may check another unit, one level deeper.
    const depth = this.depsDepth++;
    const scratch = (this.depsScratch[depth] ??= []);
    scratch.length = 0;
    try {
      for (const name of refs) this.descriptor(name, kind === 'train' ? data : undefined, scratch);
    } finally {
      this.depsDepth--;
    }
    this.entries++;
    if (entry && sameDeps(entry.deps, scratch) && (entry.names === undefined || entry.names === this.declaredNames())) {
      this.replayed?.add(stmt);
      const shift = stmt.start - entry.at;
      for (const d of entry.diagnostics) this.diagnostics.push(shifted(d, shift));
      if (entry.spoiled) throw new Spoiled();
      return entry.result as T;
    }
    const deps = scratch.slice(); // before `compute`, whose own units reuse the scratch list of this depth
    const mark = this.entries;
    const before = this.diagnostics.length;
    let result: T | typeof SPOILED = SPOILED;
    try {
      result = compute();
    } catch (err) {
      if (!(err instanceof Spoiled)) throw err;
    }
    const reported = this.diagnostics.slice(before);
    const inside = (s: Span) => s.start >= stmt.start && s.end <= stmt.end;
    if (this.entries === mark && reported.every((d) => inside(d.span) && (!d.suggestion || inside(d.suggestion.span)))) {
      const e: UnitEntry = {
        refs, deps, at: stmt.start, diagnostics: reported, result: result === SPOILED ? undefined : result, spoiled: result === SPOILED,
        names: reported.some((d) => d.code.startsWith('unknown')) ? this.declaredNames() : undefined,
      };
      memo.pending.push([stmt, e]);
    } else memo.pending.push([stmt, undefined]);
    if (result === SPOILED) throw new Spoiled();
    return result;
  }

  /**
   * What `name` means to a statement that mentions it, as identities: pushed onto `out`. Computes
   * (or looks up) the let, network or fn it names first, as the statement's own check would.
   */
  private descriptor(name: string, data: ReadonlyMap<string, DataInfo> | undefined, out: unknown[]): void {
    const d = this.declarations.get(name);
    switch (d?.kind) {
      case undefined:
        out.push(UNDECLARED);
        return;
      case 'let':
        // Computed already, most of the time: no closure, no try.
        if (this.letState.get(name) === 'done') out.push(this.letValues.get(name));
        else out.push(this.guard(() => this.letValue(name)) ?? LET_FAILED);
        return;
      case 'network':
        // Built already, most of the time: no closure, no try.
        if (this.networkState.get(name) === 'done') out.push(this.networks.get(name) ?? NETWORK_FAILED);
        else out.push(this.guard(() => this.network(name)) ?? NETWORK_FAILED);
        return;
      case 'data':
        out.push(data ? data.get(name) ?? DATA_NOT_YET : DATA_KIND);
        return;
      case 'fn': {
        out.push(this.userFns.get(name) ?? FN_MISSING);
        const closure = this.closures?.get(name);
        if (!closure) {
          out.push(FN_MISSING);
          return;
        }
        for (const n of closure) this.descriptor(n, undefined, out);
      }
    }
  }

  private declaredNames(): string {
    this.namesKey ??= [...this.declarations.values()].map((d) => `${d.kind}:${d.name.text}`).join(' ');
    return this.namesKey;
  }

  /** The lets and networks each fn's body reaches, directly or through the fns it calls. */
  closures?: Map<string, string[]>;

  private fnClosures(): Map<string, string[]> {
    this.closures = fnClosures(this.userFns, (name) => this.declarations.get(name)?.kind);
    return this.closures;
  }

  private fnPhaseKey(fnDecls: Extract<Declaration, { kind: 'fn' }>[]): unknown[] {
    const key: unknown[] = [];
    for (const d of fnDecls) {
      key.push(d.stmt, this.declarations.get(d.stmt.param.text)?.kind);
      for (const n of statementRefs(d.stmt)) key.push(this.declarations.get(n)?.kind ?? UNDECLARED);
    }
    return key;
  }

  /**
   * What this check's fns' phase reported, counted by the fn each report lies in (none: the phase
   * went to the memo); undefined when one lay in no fn. An edit of fns is checked again by
   * `recheck` alone where every report, before it and after, lies in the fns it replaced.
   */
  fnReports?: ReadonlyMap<ast.Statement, number>;

  /**
   * Every fn is registered before any body is lowered, so bodies may call fns declared further
   * down; the whole phase is taken from the memo when no fn, and nothing their bodies name, changed.
   */
  private fnPhase(): void {
    const fnDecls = [...this.declarations.values()].filter((d): d is Extract<Declaration, { kind: 'fn' }> => d.kind === 'fn');
    this.fnReports = new Map();
    if (this.reuseFnPhase(fnDecls)) return;
    const before = this.diagnostics.length;
    for (const d of fnDecls) this.userFns.set(d.name.text, { param: d.stmt.param.text, body: E.num(0) });
    for (const d of fnDecls) this.lowerFn(d.stmt);
    this.refuseRecursion();
    this.fnReports = reportsByFn(this.diagnostics.slice(before), fnDecls);
    if (!this.memo) return;
    // The closures whether or not a fn reported something: a later edit of a let finds what reads
    // it through a fn by them (reanalysis.ts `dependents`), whatever another fn's state.
    const closures = this.fnClosures();
    if (this.diagnostics.length === before) this.memo.fns = { key: this.fnPhaseKey(fnDecls), userFns: [...this.userFns], fns: [...this.fns], closures };
  }

  /** Takes the fns from the memo when no fn, and nothing their bodies name, changed. */
  private reuseFnPhase(fnDecls: Extract<Declaration, { kind: 'fn' }>[]): boolean {
    const phase = this.memo?.fns;
    if (!phase || !sameDeps(phase.key, this.fnPhaseKey(fnDecls))) return false;
    for (const [name, f] of phase.userFns) this.userFns.set(name, f);
    for (const [name, info] of phase.fns) this.fns.set(name, info);
    this.closures = phase.closures;
    return true;
  }

  dataOf(stmt: ast.DataStmt, data: ReadonlyMap<string, DataInfo>): DataInfo {
    const done = this.dataChecks.get(stmt);
    if (done) return done;
    const info = this.unit('data', stmt, data, () => checkData(this, stmt));
    this.dataChecks.set(stmt, info);
    return info;
  }

  /** A train statement's check (undefined when spoiled), once per check. */
  private trainOf(stmt: ast.TrainStmt): TrainInfo | undefined {
    if (this.trainChecks.has(stmt)) return this.trainChecks.get(stmt);
    this.trainChecks.set(stmt, undefined); // a check that reaches itself finds it spoiled
    const info = this.guard(() => this.unit('train', stmt, this.data, () => checkTrain(this, stmt, this.data)));
    this.trainChecks.set(stmt, info);
    return info;
  }

  /** Runs a check whose failure is already reported; undefined if it was spoiled. */
  private guard<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (err) {
      if (err instanceof Spoiled) return undefined;
      throw err;
    }
  }

  // ---- reporting ----------------------------------------------------------------------------

  report(severity: Severity, code: DiagnosticCode, span: Span, message: string, fix?: string | Suggestion): void {
    const d: Diagnostic = { severity, code, message, span: { start: span.start, end: span.end } };
    if (typeof fix === 'string') d.suggestion = { title: `Change to '${fix}'`, span: { start: span.start, end: span.end }, newText: fix };
    else if (fix) d.suggestion = fix;
    this.diagnostics.push(d);
  }

  error(code: DiagnosticCode, span: Span, message: string, fix?: string | Suggestion): Spoiled {
    this.report('error', code, span, message, fix);
    return new Spoiled();
  }

  unknown(code: DiagnosticCode, what: string, name: ast.Name, candidates: Iterable<string>, hint = ''): Spoiled {
    const s = suggest(name.text, candidates);
    const message = `Unknown ${what} \`${name.text}\`${s ? `. Did you mean \`${s}\`?` : '.'}${hint}`;
    return this.error(code, name, message, s);
  }

  // ---- declarations -------------------------------------------------------------------------

  /** The declarations, in file order; `report`: the second of a name, and a fn named like a built-in, reported. */
  private declare(report = true): void {
    for (const stmt of this.file.statements) {
      if (stmt.kind !== 'network' && stmt.kind !== 'data' && stmt.kind !== 'let' && stmt.kind !== 'fn') continue;
      const name = stmt.name;
      const previous = this.declarations.get(name.text);
      if (previous || (stmt.kind === 'fn' && RESERVED_FOR_BUILTINS.has(name.text))) {
        if (report && previous) this.error('duplicate-name', name, `\`${name.text}\` is already declared (as a ${previous.kind}, on an earlier line); each name is declared once.`);
        else if (report) this.error('builtin-name', name, `\`${name.text}\` is a built-in function; a fn may not reuse its name.`);
        continue;
      }
      this.declarations.set(name.text, { kind: stmt.kind, name, stmt } as Declaration);
    }
  }

  // ---- lets ---------------------------------------------------------------------------------

  /** The value of `let name`, computed once on first use; a cycle is reported at the let. */
  letValue(name: string): Value | undefined {
    const d = this.declarations.get(name);
    if (d?.kind !== 'let') return undefined;
    const state = this.letState.get(name);
    if (state === 'done') return this.letValues.get(name);
    if (state === 'failed') throw new Spoiled();
    if (state === 'busy') {
      this.letState.set(name, 'failed');
      throw this.error('cycle', d.name, `\`${name}\` is defined in terms of itself.`);
    }
    this.letState.set(name, 'busy');
    const v = this.guard(() => this.unit('let', d.stmt, EMPTY_DATA, () => constant(this, d.stmt.value, NO_PARAMS)));
    if (v === undefined || this.letState.get(name) === 'failed') {
      this.letState.set(name, 'failed');
      throw new Spoiled();
    }
    this.letState.set(name, 'done');
    this.letValues.set(name, v);
    return v;
  }

  letFailed(name: string): boolean {
    return this.letState.get(name) === 'failed';
  }

  // ---- functions ----------------------------------------------------------------------------

  private lowerFn(stmt: ast.FnStmt): void {
    const info: FnInfo = { stmt };
    this.fns.set(stmt.name.text, info);
    const registered = this.userFns.get(stmt.name.text)!;
    const shadowed = this.declarations.get(stmt.param.text);
    if (shadowed && shadowed.kind !== 'let') {
      this.error('shadowing', stmt.param, `The parameter \`${stmt.param.text}\` has the name of a ${shadowed.kind}; choose another name.`);
      this.userFns.delete(stmt.name.text);
      return;
    }
    const body = tryLower(this, stmt.body, new FnParams([stmt.param.text]));
    if (!body) {
      this.userFns.delete(stmt.name.text);
      return;
    }
    registered.body = body;
    info.fn = registered;
  }

  /** A fn may not call itself, directly or through others: its derivative would never end. */
  private refuseRecursion(): void {
    const calls = (e: E.Expr, out: Set<string>): Set<string> => {
      E.some(e, (n) => (n.op === 'call' && this.userFns.has(n.fn) && out.add(n.fn), false));
      return out;
    };
    const graph = new Map([...this.userFns].map(([name, f]) => [name, calls(f.body, new Set())]));
    const recursive = new Set<string>();
    for (const start of graph.keys()) {
      // Depth-first search for a path from start back to itself.
      const path: string[] = [];
      const seen = new Set<string>();
      const visit = (n: string): boolean => {
        for (const m of graph.get(n) ?? []) {
          if (m === start) {
            path.push(m);
            return true;
          }
          if (seen.has(m)) continue;
          seen.add(m);
          path.push(m);
          if (visit(m)) return true;
          path.pop();
        }
        return false;
      };
      if (visit(start)) {
        recursive.add(start);
        const via = path.length > 1 ? ` (through ${[start, ...path].join(' → ')})` : '';
        this.error('recursion', this.fns.get(start)!.stmt.name, `\`${start}\` calls itself${via}; a fn must not be recursive.`);
      }
    }
    for (const name of recursive) {
      this.userFns.delete(name);
      this.fns.get(name)!.fn = undefined;
    }
    // A fn that calls a fn in error is unusable too; its own text is fine, so it is not reported.
    const callsMissing = (e: E.Expr) => E.some(e, (n) => n.op === 'call' && this.declarations.get(n.fn)?.kind === 'fn' && !this.userFns.has(n.fn));
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, f] of this.userFns) {
        if (!callsMissing(f.body)) continue;
        this.userFns.delete(name);
        this.fns.get(name)!.fn = undefined;
        changed = true;
      }
    }
  }

  // ---- networks -----------------------------------------------------------------------------

  network(name: string): NetworkInfo | undefined {
    const d = this.declarations.get(name);
    if (d?.kind !== 'network') return undefined;
    if (this.networkState.get(name) === 'busy') throw this.error('cycle', d.name, `The network \`${name}\` is defined in terms of itself (its weights use its own output).`);
    if (this.networkState.get(name) === 'done') return this.networks.get(name);
    this.networkState.set(name, 'busy');
    let info: NetworkInfo;
    try {
      info = this.unit('network', d.stmt, EMPTY_DATA, () => checkNetwork(this, d.stmt));
      this.networks.set(name, info);
    } finally {
      this.networkState.set(name, 'done');
    }
    // The network is done before its standardization is looked for: the train statement that
    // decides it checks the network's widths, and meets the network as built, not this again.
    const standardized = this.guard(() => this.standardized(name, info)) ?? info;
    this.networks.set(name, standardized);
    return standardized;
  }

  /**
   * Each network's first `train` statement, by network name, from one pass over the file: a
   * search per network made a check quadratic in the number of statements.
   */
  private firstTrains(): Map<string, ast.TrainStmt> {
    if (!this.firstTrainOf) {
      this.firstTrainOf = new Map();
      for (const s of this.file.statements) if (s.kind === 'train' && !this.firstTrainOf.has(s.network.text)) this.firstTrainOf.set(s.network.text, s);
    }
    return this.firstTrainOf;
  }

  /**
   * The network with the input standardization its first `train` statement's data set asks for
   * (`standardize`), or `info` itself. The statistics are those of the run's training part, so
   * the train statement's split and seed decide them. A CSV file's are known only when a run
   * reads it: the network then carries `standardization` without `stats`. The same statistics
   * give the same object back (from the memo), so what depends on the network is reused.
   */
  private standardized(name: string, info: NetworkInfo): NetworkInfo {
    const net = info.network;
    if (!net || info.stmt.incomplete) return info;
    const first = this.firstTrains().get(name);
    const decl = first && this.declarations.get(first.data.text);
    if (!first || decl?.kind !== 'data' || !decl.stmt.standardize) return info;
    const train = this.trainOf(first);
    const set = this.dataOf(decl.stmt, this.data);
    // A CSV file's width is known only when it is read (a run reports a mismatch then).
    if (!train || (set.inputWidth ?? net.inputs) !== net.inputs) return info;
    let stats: Standardization | undefined;
    if (set.stmt.source.kind !== 'file') {
      // The statistics of a large generated set take a while: reused while the set and the split are.
      const known = this.memo?.statistics.get(set);
      if (known && known.split === train.split && known.seed === train.seed) stats = known.stats;
      else {
        const inputs = dataInputs(set);
        if (!inputs) return info; // the data set is in error, reported there
        stats = trainingStandardization(inputs, train.split, train.seed);
        this.memo?.statistics.set(set, { split: train.split, seed: train.seed, stats });
      }
    }
    const cached = this.memo?.standardized.get(info);
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    if (cached?.standardization?.data === first.data.text) {
      const c = cached.standardization.stats;
      if (c === stats || (c && stats && same(c.mean, stats.mean) && same(c.std, stats.std))) return cached;
    }
    const derived: NetworkInfo = { ...info, standardization: { data: first.data.text, stats }, network: stats ? { ...net, standardize: stats } : net };
    this.memo?.standardized.set(info, derived);
    return derived;
  }

  /**
   * A network standardizes its inputs as its first `train` statement's data set says; a later
   * `train` of it on another data set that says otherwise (or has statistics of its own) is told.
   * Reported here, outside any unit: it reads two statements.
   */
  private reportStandardizationConflicts(): void {
    const first = new Map<string, ast.TrainStmt>();
    for (const stmt of this.file.statements) {
      if (stmt.kind !== 'train') continue;
      const earlier = first.get(stmt.network.text);
      if (!earlier) {
        first.set(stmt.network.text, stmt);
        continue;
      }
      if (earlier.data.text === stmt.data.text) continue;
      const standardizes = (t: ast.TrainStmt) => {
        const d = this.declarations.get(t.data.text);
        return d?.kind === 'data' && d.stmt.standardize !== undefined;
      };
      if (!standardizes(stmt) && !standardizes(earlier)) continue;
      const how = standardizes(earlier) ? `with the mean and std of \`${earlier.data.text}\`` : 'not at all';
      this.report('warning', 'standardize', stmt.data, `\`${stmt.network.text}\` standardizes its inputs as its first \`train\` statement says (on \`${earlier.data.text}\`): ${how}. This run does the same; a network has one standardization.`);
    }
  }
}
