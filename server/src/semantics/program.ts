import { activationNames, builtinNames, MAX_DERIVATIVE_ORDER, scalarFunction } from '../engine/activations';
import { GENERATOR_DEFAULTS, type GeneratorName } from '../engine/datasets';
import { TRAIN_DEFAULTS, type Optimizer, type TrainOptions } from '../engine/train';
import * as E from '../engine/expr';
import { LOSS_NAMES, type LossName } from '../engine/losses';
import { buildNetwork, builtinActivation, initialWeights, parameterCount, predict, type Activation, type InitScheme, type LayerSpec, type Network } from '../engine/network';
import { describeShape, isMatrix, type Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import { parse } from '../syntax/parser';
import type { SyntaxError } from '../syntax/lexer';
import type { Span } from '../syntax/text';
import type { Diagnostic, Severity, Suggestion } from './diagnostic';
import { LIMITS } from './limits';
import { CheckMemo, DATA_KIND, DATA_NOT_YET, FN_MISSING, LET_FAILED, NETWORK_FAILED, sameDeps, statementRefs, UNDECLARED, type UnitEntry } from './memo';
import { suggest } from './suggest';

/**
 * The meaning of one file: every name resolved, every shape checked, every constant (widths,
 * explicit weights, samples, `let` values) computed, and expressions lowered to the engine's
 * symbolic form. Built by `check`, which never throws: a mistake becomes a diagnostic and the
 * part it spoils is left out, so one mistake does not cascade into others.
 */
export interface Program {
  file: ast.SourceFile;
  diagnostics: Diagnostic[];
  /** Everything declared at the top level, by name: the first declaration of each. */
  declarations: Map<string, Declaration>;
  networks: Map<string, NetworkInfo>;
  fns: Map<string, FnInfo>;
  data: Map<string, DataInfo>;
  lets: LetInfo[];
  evals: EvalInfo[];
  probes: ProbeInfo[];
  trains: TrainInfo[];
  /** Lets (computed on demand), fns and networks, for evaluating expressions. */
  env: E.Environment;
  /** The source span an engine expression was lowered from, for reporting its errors. */
  spanOf(node: E.Expr): Span | undefined;
  /** The value of a constant expression of this file (undefined if it is not one), reporting nothing. */
  valueOf(e: ast.Expr): Value | undefined;
}

export type Declaration =
  | { kind: 'network'; name: ast.Name; stmt: ast.NetworkStmt }
  | { kind: 'data'; name: ast.Name; stmt: ast.DataStmt }
  | { kind: 'let'; name: ast.Name; stmt: ast.LetStmt }
  | { kind: 'fn'; name: ast.Name; stmt: ast.FnStmt };

export interface LayerInfo {
  name: ast.Name;
  kind: 'input' | 'dense';
  units: number;
  item: ast.InputItem | ast.DenseItem;
  /** The activation's resolved name: a built-in (aliases resolved) or a user fn. */
  activation?: string;
}

export interface NetworkInfo {
  stmt: ast.NetworkStmt;
  layers: LayerInfo[];
  loss: LossName;
  /** The network with its initial (or explicit) parameters; undefined when it has errors. */
  network?: Network;
}

export interface FnInfo {
  stmt: ast.FnStmt;
  fn?: E.UserFunction;
}

export interface DataInfo {
  stmt: ast.DataStmt;
  /** Inline samples, when every one of them is valid. */
  samples?: { input: number[]; target: number[] }[];
  inputWidth?: number;
  targetWidth?: number;
  /** A generator whose name and arguments are all valid, with the defaults filled in (GENERATOR_DEFAULTS). */
  generator?: { name: GeneratorName; n: number; noise: number; seed: number };
}

export interface LetInfo {
  stmt: ast.LetStmt;
}

export interface EvalInfo {
  stmt: ast.EvalStmt;
  expr?: E.Expr;
}

export interface ProbeInfo {
  stmt: ast.ProbeStmt;
  input?: number[];
  target?: number[];
}

export type OptimizerSpec = Optimizer;

/** A checked `train` statement: the engine's options, with its defaults where the file sets none. */
export interface TrainInfo extends TrainOptions {
  stmt: ast.TrainStmt;
}

export const LOSS_DEFAULT: LossName = 'squared_error';
export const INIT_SCHEMES = ['xavier', 'he', 'zeros', 'uniform'] as const;
export const TRAIN_OPTIONS = ['optimizer', 'learning_rate', 'epochs', 'batch', 'seed', 'split', 'l2'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const GENERATORS = ['xor', 'circle', 'spiral', 'gauss', 'moons'] as const;
export const GENERATOR_ARGS = ['n', 'noise', 'seed'] as const;

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
    program = new Checker(parsed.file, memo, incremental.volatile).run();
    // A cycle is reported where the check happened to enter it, which the memo may change: redo it plainly.
    if (program.diagnostics.some((d) => d.code === 'cycle')) {
      memo.pending = [];
      program = check(parsed.file);
    } else memo.commit();
  } else program = check(parsed.file);
  const syntax: Diagnostic[] = parsed.errors.map((e) => ({ severity: 'error', code: e.code, message: e.message, span: { start: e.start, end: e.end } }));
  // concat, not unshift(...): a file may have more errors than a call has room for arguments.
  program.diagnostics = syntax.concat(program.diagnostics).sort((a, b) => a.span.start - b.span.start);
  return { program, syntaxErrors: syntax.length };
}

/** Raised inside lowering or constant evaluation after its diagnostic is recorded. */
class Spoiled {}

const RESERVED_FOR_BUILTINS = new Set(builtinNames());
const EMPTY_DATA: ReadonlyMap<string, DataInfo> = new Map();

export function check(file: ast.SourceFile): Program {
  return new Checker(file).run();
}

/** What a unit's check yields when it is spoiled (its diagnostic already reported). */
const SPOILED = Symbol('spoiled');

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly declarations = new Map<string, Declaration>();
  private readonly spans: WeakMap<E.Expr, Span>;
  private readonly letValues = new Map<string, Value>();
  private readonly letState = new Map<string, 'busy' | 'done' | 'failed'>();
  private readonly networks = new Map<string, NetworkInfo>();
  private readonly networkState = new Map<string, 'busy' | 'done'>();
  private readonly fns = new Map<string, FnInfo>();
  private readonly userFns = new Map<string, E.UserFunction>();
  private readonly env: E.Environment;

  /** Units entered so far: a unit that enters another while it runs is not memoised. */
  private entries = 0;
  /** The declared names, for a memoised unit that reported an unknown name; computed once. */
  private namesKey?: string;

  constructor(private readonly file: ast.SourceFile, private readonly memo?: CheckMemo, private readonly volatile?: ReadonlySet<string>) {
    this.spans = memo?.spans ?? new WeakMap();
    const self = this;
    this.env = {
      vars: { get: (name) => self.letValue(name) },
      fns: this.userFns,
      network: (name) => {
        const net = self.network(name)?.network;
        return net ? (x: number[]) => predict(net, x) : undefined;
      },
      derivedCache: new Map(),
    };
    if (memo) memo.env.current = this.env;
  }

  run(): Program {
    this.declare();
    // Functions first: their bodies are lowered before anything calls them. Every fn is
    // registered before any body is lowered, so bodies may call fns declared further down.
    const fnDecls = [...this.declarations.values()].filter((d): d is Extract<Declaration, { kind: 'fn' }> => d.kind === 'fn');
    if (!this.reuseFnPhase(fnDecls)) {
      const before = this.diagnostics.length;
      for (const d of fnDecls) this.userFns.set(d.name.text, { param: d.stmt.param.text, body: E.num(0) });
      for (const d of fnDecls) this.lowerFn(d.stmt);
      this.refuseRecursion();
      if (this.memo && this.diagnostics.length === before) this.memo.fns = { key: this.fnPhaseKey(fnDecls), userFns: [...this.userFns], fns: [...this.fns], closures: this.fnClosures() };
    }
    const lets: LetInfo[] = [];
    const evals: EvalInfo[] = [];
    const probes: ProbeInfo[] = [];
    const trains: TrainInfo[] = [];
    const data = new Map<string, DataInfo>();
    for (const stmt of this.file.statements) {
      switch (stmt.kind) {
        case 'let':
          lets.push({ stmt });
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) this.guard(() => this.letValue(stmt.name.text));
          else this.constant(stmt.value, new Set()); // a duplicate is still checked
          break;
        case 'network':
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) this.guard(() => this.network(stmt.name.text));
          else this.checkNetwork(stmt);
          break;
        case 'data': {
          const info = this.dataOf(stmt, data);
          if (this.declarations.get(stmt.name.text)?.stmt === stmt) data.set(stmt.name.text, info);
          break;
        }
        case 'eval':
          evals.push({ stmt, expr: this.unit('eval', stmt, data, () => this.tryLower(stmt.value, new Set())) });
          break;
        case 'probe':
          probes.push(this.guard(() => this.unit('probe', stmt, data, () => this.checkProbe(stmt))) ?? { stmt });
          break;
        case 'train': {
          const info = this.guard(() => this.unit('train', stmt, data, () => this.checkTrain(stmt, data)));
          if (info) trains.push(info);
          break;
        }
        case 'fn':
          break;
      }
    }
    const spans = this.spans;
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
      env: this.env,
      spanOf: (node) => spans.get(node),
      valueOf: (e) => this.quietly(() => this.constant(e, new Set())),
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
      return compute();
    }
    const entry = memo.units.get(stmt);
    const refs = entry ? entry.refs : statementRefs(stmt);
    const deps: unknown[] = [];
    for (const name of refs) this.descriptor(name, kind === 'train' ? data : undefined, deps);
    this.entries++;
    if (entry && sameDeps(entry.deps, deps) && (entry.names === undefined || entry.names === this.declaredNames())) {
      const shift = stmt.start - entry.at;
      for (const d of entry.diagnostics) {
        const copy: Diagnostic = { ...d, span: { start: d.span.start + shift, end: d.span.end + shift } };
        if (d.suggestion) copy.suggestion = { ...d.suggestion, span: { start: d.suggestion.span.start + shift, end: d.suggestion.span.end + shift } };
        this.diagnostics.push(copy);
      }
      if (entry.spoiled) throw new Spoiled();
      return entry.result as T;
    }
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
    }
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
        out.push(this.guard(() => this.network(name)) ?? NETWORK_FAILED);
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
  private closures?: Map<string, string[]>;

  private fnClosures(): Map<string, string[]> {
    const direct = new Map<string, { values: Set<string>; calls: Set<string> }>();
    for (const [name, f] of this.userFns) {
      const values = new Set<string>();
      const calls = new Set<string>();
      E.some(f.body, (n) => {
        if (n.op === 'var' && n.name !== f.param) values.add(n.name);
        if (n.op === 'call') {
          const kind = this.declarations.get(n.fn)?.kind;
          if (kind === 'fn') calls.add(n.fn);
          else if (kind === 'network') values.add(n.fn);
        }
        return false;
      });
      direct.set(name, { values, calls });
    }
    const closures = new Map<string, string[]>();
    for (const name of direct.keys()) {
      const seen = new Set<string>([name]);
      const stack = [name];
      const values = new Set<string>();
      while (stack.length) {
        const d = direct.get(stack.pop()!);
        if (!d) continue;
        for (const v of d.values) values.add(v);
        for (const c of d.calls) if (!seen.has(c)) (seen.add(c), stack.push(c));
      }
      closures.set(name, [...values].sort());
    }
    this.closures = closures;
    return closures;
  }

  private fnPhaseKey(fnDecls: Extract<Declaration, { kind: 'fn' }>[]): unknown[] {
    const key: unknown[] = [];
    for (const d of fnDecls) {
      key.push(d.stmt, this.declarations.get(d.stmt.param.text)?.kind);
      for (const n of statementRefs(d.stmt)) key.push(this.declarations.get(n)?.kind ?? UNDECLARED);
    }
    return key;
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

  /** A data statement's check (a unit). */
  private dataOf(stmt: ast.DataStmt, data: ReadonlyMap<string, DataInfo>): DataInfo {
    return this.unit('data', stmt, data, () => this.checkData(stmt));
  }

  /** Runs f and forgets the diagnostics it reports: for questions asked after the check. */
  private quietly<T>(f: () => T): T | undefined {
    const n = this.diagnostics.length;
    try {
      return this.guard(f);
    } finally {
      this.diagnostics.length = n;
    }
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

  /** Records a diagnostic; `fix` is a replacement name for its span, or a whole suggested edit. */
  private report(severity: Severity, code: string, span: Span, message: string, fix?: string | Suggestion): void {
    const d: Diagnostic = { severity, code, message, span: { start: span.start, end: span.end } };
    if (typeof fix === 'string') d.suggestion = { title: `Change to '${fix}'`, span: { start: span.start, end: span.end }, newText: fix };
    else if (fix) d.suggestion = fix;
    this.diagnostics.push(d);
  }

  private error(code: string, span: Span, message: string, fix?: string | Suggestion): Spoiled {
    this.report('error', code, span, message, fix);
    return new Spoiled();
  }

  /** "Unknown X `word`", with "did you mean" when a candidate is close. */
  private unknown(code: string, what: string, name: ast.Name, candidates: Iterable<string>, hint = ''): Spoiled {
    const s = suggest(name.text, candidates);
    const message = `Unknown ${what} \`${name.text}\`${s ? `. Did you mean \`${s}\`?` : '.'}${hint}`;
    return this.error(code, name, message, s);
  }

  // ---- declarations -------------------------------------------------------------------------

  private declare(): void {
    for (const stmt of this.file.statements) {
      if (stmt.kind !== 'network' && stmt.kind !== 'data' && stmt.kind !== 'let' && stmt.kind !== 'fn') continue;
      const name = stmt.name;
      const previous = this.declarations.get(name.text);
      if (previous) {
        this.error('duplicate-name', name, `\`${name.text}\` is already declared (as a ${previous.kind}, on an earlier line); each name is declared once.`);
        continue;
      }
      if (stmt.kind === 'fn' && RESERVED_FOR_BUILTINS.has(name.text)) {
        this.error('builtin-name', name, `\`${name.text}\` is a built-in function; a fn may not reuse its name.`);
        continue;
      }
      this.declarations.set(name.text, { kind: stmt.kind, name, stmt } as Declaration);
    }
  }

  // ---- expressions --------------------------------------------------------------------------

  private mark<T extends E.Expr>(e: T, span: Span): T {
    this.spans.set(e, span);
    return e;
  }

  /** Lowers a syntax expression to the engine's form; names in `params` are a fn's parameter. */
  private lower(e: ast.Expr, params: ReadonlySet<string>): E.Expr {
    switch (e.kind) {
      case 'number': return this.mark(E.num(e.value), e);
      case 'error': throw new Spoiled();
      case 'unary': return this.mark({ op: 'neg', a: this.lower(e.operand, params) }, e);
      case 'binary': {
        const ops = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
        return this.mark({ op: ops[e.op], a: this.lower(e.left, params), b: this.lower(e.right, params) }, e);
      }
      case 'vector': return this.mark({ op: 'vector', items: e.items.map((i) => this.lower(i, params)) }, e);
      case 'name': return this.mark({ op: 'var', name: this.resolveValueName(e.name, params) }, e);
      case 'call': return this.mark(this.lowerCall(e, params), e);
    }
  }

  private resolveValueName(name: ast.Name, params: ReadonlySet<string>): string {
    if (params.has(name.text)) return name.text;
    const d = this.declarations.get(name.text);
    if (d?.kind === 'let') {
      // Outside a fn body, the let is computed now: an expression that names a let in error is
      // spoiled by it, wherever the let stands in the file (not only when it was computed first).
      // A fn's body is lowered before any let is computed, and reads its lets when called.
      if (params.size === 0) this.letValue(name.text);
      else if (this.letState.get(name.text) === 'failed') throw new Spoiled();
      return name.text;
    }
    if (d?.kind === 'network') throw this.error('not-a-value', name, `\`${name.text}\` is a network; call it on an input vector, as in \`${name.text}([…])\`.`);
    if (d?.kind === 'fn') throw this.error('not-a-value', name, `\`${name.text}\` is a function; call it, as in \`${name.text}(1.0)\`.`);
    if (d?.kind === 'data') throw this.error('not-a-value', name, `\`${name.text}\` is a data set; it is used by \`train\`, not in expressions.`);
    if (RESERVED_FOR_BUILTINS.has(name.text)) throw this.error('not-a-value', name, `\`${name.text}\` is a function; call it, as in \`${name.text}(1.0)\`.`);
    const candidates = [...params, ...[...this.declarations.values()].filter((x) => x.kind === 'let').map((x) => x.name.text)];
    throw this.unknown('unknown-name', 'name', name, candidates);
  }

  private lowerCall(e: ast.CallExpr, params: ReadonlySet<string>): E.Expr {
    const name = e.callee.text;
    const prime = "'".repeat(e.primes);
    const args = () => e.args.map((a) => this.lower(a, params));
    const arity = (min: number, max: number, usage: string) => {
      if (e.args.length < min || e.args.length > max) {
        throw this.error('arity', e, `\`${name}${prime}\` takes ${usage}, not ${e.args.length} argument${e.args.length === 1 ? '' : 's'}.`);
      }
    };
    if (params.has(name)) throw this.error('not-a-function', e.callee, `\`${name}\` is this function's parameter, a value; it cannot be called.`);
    if (e.primes > MAX_DERIVATIVE_ORDER) throw this.error('derivative-order', e.callee, `\`${name}\` with ${e.primes} primes: derivatives of order above ${MAX_DERIVATIVE_ORDER} are not computed.`);
    const d = this.declarations.get(name);
    if (d?.kind === 'fn') {
      arity(1, 1, 'one argument');
      const a = args();
      if (!this.userFns.has(name)) throw new Spoiled(); // its own definition is in error
      return E.call(name, e.primes, a);
    }
    if (d?.kind === 'network') {
      if (e.primes > 0) throw this.error('network-derivative', e.callee, `\`${name}${prime}\` is not defined: the derivatives of a network are what \`probe ${name} … -> …\` computes.`);
      arity(1, 1, 'one input vector');
      return E.call(name, 0, args());
    }
    if (d?.kind === 'let' || d?.kind === 'data') throw this.error('not-a-function', e.callee, `\`${name}\` is a ${d.kind === 'let' ? 'value' : 'data set'}, not a function.`);
    const scalar = scalarFunction(name);
    if (scalar) {
      const n = 1 + scalar.params.length;
      arity(1, n, n === 1 ? 'one argument' : `1 to ${n} arguments (z${scalar.params.map((p) => `, ${p.name}`).join('')})`);
      return E.call(name, e.primes, args());
    }
    switch (name) {
      case 'softmax':
        arity(1, 1, 'one vector');
        if (e.primes > 1) throw this.error('derivative-order', e.callee, `\`softmax${prime}\` is not computed: softmax' is the Jacobian dp_i/dz_j = p_i(δ_ij - p_j); higher derivatives are tensors.`);
        return E.call(name, e.primes, args());
      case 'sum':
      case 'max':
      case 'min':
        if (e.primes > 0) throw this.error('derivative-order', e.callee, `\`${name}${prime}\` is not defined: derivatives are taken of scalar functions of one variable.`);
        if (name === 'sum') arity(1, 1, 'one vector or matrix');
        else arity(1, 2, 'a vector, or two values');
        return E.call(name, 0, args());
    }
    const fnNames = [...this.declarations.values()].filter((x) => x.kind === 'fn' || x.kind === 'network').map((x) => x.name.text);
    throw this.unknown('unknown-function', 'function', e.callee, [...builtinNames(), ...fnNames]);
  }

  private tryLower(e: ast.Expr, params: ReadonlySet<string>): E.Expr | undefined {
    try {
      return this.lower(e, params);
    } catch (err) {
      if (err instanceof Spoiled) return undefined;
      throw err;
    }
  }

  /** Lowers and evaluates an expression that must be constant; errors are reported at their span. */
  private constant(e: ast.Expr, params: ReadonlySet<string>): Value | undefined {
    const lowered = this.tryLower(e, params);
    if (!lowered) return undefined;
    try {
      return E.evaluate(lowered, this.env);
    } catch (err) {
      if (err instanceof Spoiled) return undefined;
      if (err instanceof E.EvalError) {
        this.error('eval', this.spans.get(err.node) ?? e, capitalise(err.message) + '.');
        return undefined;
      }
      throw err;
    }
  }

  private number(e: ast.Expr, what: string): number | undefined {
    const v = this.constant(e, new Set());
    if (v === undefined) return undefined;
    if (typeof v !== 'number') {
      this.error('type', e, `${capitalise(what)} must be a number, not ${describeShape(v)}.`);
      return undefined;
    }
    if (!Number.isFinite(v)) {
      this.error('not-finite', e, `${capitalise(what)} must be finite, not ${v}.`);
      return undefined;
    }
    return v;
  }

  private integer(e: ast.Expr, what: string, min: number, max: number): number | undefined {
    const v = this.number(e, what);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < min || v > max) {
      this.error('out-of-range', e, `${capitalise(what)} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, not ${v}.`);
      return undefined;
    }
    return v;
  }

  private vector(e: ast.Expr, what: string, width?: number): number[] | undefined {
    const v = this.constant(e, new Set());
    if (v === undefined) return undefined;
    if (typeof v === 'number' || isMatrix(v)) {
      this.error('type', e, `${capitalise(what)} must be a vector${width !== undefined ? ` of ${width}` : ''}, not ${describeShape(v)}.`);
      return undefined;
    }
    if (width !== undefined && v.length !== width) {
      this.error('shape', e, `${capitalise(what)} has ${v.length} value${v.length === 1 ? '' : 's'}; it needs ${width}.`);
      return undefined;
    }
    return v as number[];
  }

  // ---- lets ---------------------------------------------------------------------------------

  /** The value of `let name`, computed once on first use; a cycle is reported at the let. */
  private letValue(name: string): Value | undefined {
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
    const v = this.guard(() => this.unit('let', d.stmt, EMPTY_DATA, () => this.constant(d.stmt.value, new Set())));
    if (v === undefined || this.letState.get(name) === 'failed') {
      this.letState.set(name, 'failed');
      throw new Spoiled();
    }
    this.letState.set(name, 'done');
    this.letValues.set(name, v);
    return v;
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
    const body = this.tryLower(stmt.body, new Set([stmt.param.text]));
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

  private network(name: string): NetworkInfo | undefined {
    const d = this.declarations.get(name);
    if (d?.kind !== 'network') return undefined;
    if (this.networkState.get(name) === 'busy') throw this.error('cycle', d.name, `The network \`${name}\` is defined in terms of itself (its weights use its own output).`);
    if (this.networkState.get(name) === 'done') return this.networks.get(name);
    this.networkState.set(name, 'busy');
    try {
      const info = this.unit('network', d.stmt, EMPTY_DATA, () => this.checkNetwork(d.stmt));
      this.networks.set(name, info);
      return info;
    } finally {
      this.networkState.set(name, 'done');
    }
  }

  private checkNetwork(stmt: ast.NetworkStmt): NetworkInfo {
    let ok = true;
    const spoil = () => (ok = false);
    const layers: LayerInfo[] = [];
    const specs: LayerSpec[] = [];
    let loss: LossName = LOSS_DEFAULT;
    let lossItem: ast.LossItem | undefined;
    let init: InitScheme = { scheme: 'xavier', seed: 0 };
    let initItem: ast.InitItem | undefined;
    const params: ast.ParamItem[] = [];
    const layerNames = new Map<string, LayerInfo>();

    for (const item of stmt.items) {
      switch (item.kind) {
        case 'input':
        case 'dense': {
          if (item.kind === 'input' && layers.some((l) => l.kind === 'input')) {
            this.error('input-count', item, 'A network has exactly one `input` layer; this is a second one.');
            spoil();
            continue;
          }
          if (item.kind === 'input' && layers.length > 0) {
            this.error('input-first', item, 'The `input` layer comes first, before every `dense` layer.');
            spoil();
          }
          const units = this.integer(item.width, `the width of \`${item.name.text}\``, 1, LIMITS.maxUnits);
          if (units === undefined) spoil();
          const info: LayerInfo = { name: item.name, kind: item.kind, units: units ?? 1, item };
          if (layerNames.has(item.name.text)) {
            this.error('duplicate-layer', item.name, `The network \`${stmt.name.text}\` already has a layer named \`${item.name.text}\`.`);
            spoil();
          } else layerNames.set(item.name.text, info);
          if (item.kind === 'dense') {
            const activation = this.resolveActivation(item.activation);
            if (!activation) spoil();
            else info.activation = activation.kind === 'softmax' ? 'softmax' : activation.name;
            if (activation?.kind === 'softmax' && units === 1) {
              this.report('warning', 'softmax-one-unit', item.activation, `softmax over one unit always outputs 1: its derivative is 0, so nothing below \`${item.name.text}\` can learn. Use sigmoid for one output.`);
            }
            specs.push({ name: item.name.text, units: units ?? 1, activation: activation ?? { kind: 'softmax', name: 'softmax' }, hasBias: !item.nobias });
          }
          layers.push(info);
          break;
        }
        case 'loss': {
          if (lossItem) {
            this.error('duplicate-setting', item, 'This network already sets its `loss`.');
            break;
          }
          lossItem = item;
          if ((LOSS_NAMES as readonly string[]).includes(item.loss.text)) loss = item.loss.text as LossName;
          else {
            this.unknown('unknown-loss', 'loss', item.loss, LOSS_NAMES, ' The losses are squared_error, mse, cross_entropy and binary_cross_entropy.');
            spoil();
          }
          break;
        }
        case 'init': {
          if (initItem) {
            this.error('duplicate-setting', item, 'This network already sets its `init`.');
            break;
          }
          initItem = item;
          const scheme = this.resolveInit(item);
          if (scheme) init = scheme;
          else spoil();
          break;
        }
        case 'weights':
        case 'bias':
          params.push(item);
          break;
      }
    }

    const dense = layers.filter((l) => l.kind === 'dense');
    if (stmt.incomplete) spoil();
    else if (!layers.some((l) => l.kind === 'input')) {
      this.error('missing-input', stmt.name, `The network \`${stmt.name.text}\` has no \`input\` layer; start it with e.g. \`input x[2]\`.`);
      spoil();
    }
    if (dense.length === 0 && !stmt.incomplete) {
      this.error('missing-dense', stmt.name, `The network \`${stmt.name.text}\` has no \`dense\` layer, so it computes nothing; add e.g. \`dense y[1] sigmoid\`.`);
      spoil();
    }
    const inputs = layers.find((l) => l.kind === 'input')?.units ?? 1;
    const count = parameterCount(inputs, specs);
    if (count > LIMITS.maxParameters) {
      this.error('too-many-parameters', stmt.name, `The network \`${stmt.name.text}\` has ${count.toLocaleString('en-US')} parameters; the limit is ${LIMITS.maxParameters.toLocaleString('en-US')}.`);
      spoil();
    }

    // Explicit parameters: weights [fan-in][units], bias [units].
    const seen = new Set<string>();
    for (const item of params) {
      const key = `${item.kind} ${item.layer.text}`;
      const index = specs.findIndex((s) => s.name === item.layer.text);
      if (index < 0) {
        if (layerNames.get(item.layer.text)?.kind === 'input') this.error('input-parameters', item.layer, `\`${item.layer.text}\` is the input layer; it has no ${item.kind === 'weights' ? 'weights' : 'bias'}.`);
        else this.unknown('unknown-layer', 'layer', item.layer, specs.map((s) => s.name), ` The dense layers of \`${stmt.name.text}\` are ${specs.map((s) => s.name).join(', ') || 'none'}.`);
        spoil();
        continue;
      }
      if (seen.has(key)) {
        this.error('duplicate-setting', item, `The ${item.kind === 'weights' ? 'weights' : 'bias'} of \`${item.layer.text}\` are already set.`);
        continue;
      }
      seen.add(key);
      const spec = specs[index];
      const fanIn = index === 0 ? inputs : specs[index - 1].units;
      if (count > LIMITS.maxParameters) continue;
      const v = this.constant(item.value, new Set());
      if (v === undefined) {
        spoil();
        continue;
      }
      if (item.kind === 'weights') {
        if (!isMatrix(v) || v.length !== fanIn || v[0].length !== spec.units) {
          // The fix: a matrix of the right shape, with exactly the values the network's init gives it.
          const w = initialWeights(init, index, fanIn, spec.units);
          const rows = Array.from({ length: fanIn }, (_, j) => `[${Array.from(w.subarray(j * spec.units, (j + 1) * spec.units), (x) => String(x)).join(', ')}]`);
          const fix = { title: `Replace with a ${fanIn}×${spec.units} matrix initialised by \`${describeInit(init)}\``, span: { start: item.value.start, end: item.value.end }, newText: `[${rows.join(', ')}]` };
          this.error('shape', item.value, `The weights of \`${spec.name}\` must be a ${fanIn}×${spec.units} matrix ([fan-in][units]: ${fanIn} row${fanIn === 1 ? '' : 's'} of ${spec.units}), not ${describeShape(v)}.`, fix);
          spoil();
        } else spec.W = v;
      } else {
        if (!spec.hasBias) {
          this.error('nobias', item, `\`${spec.name}\` is declared \`nobias\`; it has no bias to set.`);
          spoil();
        } else if (typeof v === 'number' || isMatrix(v) || v.length !== spec.units) {
          const fix = { title: `Replace with ${spec.units} zeros`, span: { start: item.value.start, end: item.value.end }, newText: `[${new Array(spec.units).fill('0').join(', ')}]` };
          this.error('shape', item.value, `The bias of \`${spec.name}\` must be a vector of ${spec.units}, not ${describeShape(v)}.`, fix);
          spoil();
        } else spec.b = v as number[];
      }
    }

    // The loss should fit the output layer.
    const out = dense[dense.length - 1];
    if (out && !lossItem && ok) {
      const fitting: LossName = out.activation === 'softmax' ? 'cross_entropy' : out.activation === 'sigmoid' ? 'binary_cross_entropy' : 'squared_error';
      const text = this.file.text;
      const lineStart = text.lastIndexOf('\n', out.item.start - 1) + 1;
      const indent = text.slice(lineStart, out.item.start).match(/^[ \t]*/)![0];
      const fix = { title: `Add \`loss ${fitting}\``, span: { start: out.item.end, end: out.item.end }, newText: `\n${indent}loss ${fitting}` };
      this.report('hint', 'missing-loss', stmt.name, `\`${stmt.name.text}\` sets no loss, so it uses squared_error; ${fitting === 'squared_error' ? 'say so with `loss squared_error`' : `with ${out.activation} outputs, ${fitting} is the usual choice`}.`, fix);
    }
    if (out && lossItem) {
      if (loss === 'cross_entropy' && out.activation !== 'softmax') {
        this.report('warning', 'loss-activation', lossItem.loss, `cross_entropy expects a softmax output layer, but \`${out.name.text}\` uses ${out.activation ?? 'another activation'}: its outputs need not be probabilities that sum to 1.`);
      }
      if (loss === 'binary_cross_entropy' && out.activation !== 'sigmoid') {
        this.report('warning', 'loss-activation', lossItem.loss, `binary_cross_entropy expects sigmoid outputs, but \`${out.name.text}\` uses ${out.activation ?? 'another activation'}: ln y and ln(1 - y) need outputs strictly between 0 and 1.`);
      }
    }

    const info: NetworkInfo = { stmt, layers, loss };
    if (ok && dense.length > 0) info.network = buildNetwork(stmt.name.text, inputs, specs, loss, init);
    return info;
  }

  private resolveActivation(ref: ast.ActivationRef): Activation | undefined {
    const name = ref.name.text;
    const userDecl = this.declarations.get(name);
    if (userDecl?.kind === 'fn') {
      if (ref.args.length > 0) {
        this.error('arity', ref, `\`${name}\` is a fn of one variable; as an activation it takes no parameters.`);
        return undefined;
      }
      const f = this.userFns.get(name);
      if (!f) return undefined; // reported at the fn
      return this.userActivation(name, f);
    }
    const scalar = scalarFunction(name);
    if (name !== 'softmax' && (!scalar || !scalar.activation)) {
      const fnNames = [...this.declarations.values()].filter((d) => d.kind === 'fn').map((d) => d.name.text);
      const hint = scalar ? ` \`${name}\` is a function, not an activation; wrap it in a fn to use it as one, as in \`fn my_${name}(z) = ${name}(z)\`.` : '';
      if (scalar) {
        this.error('unknown-activation', ref.name, `\`${name}\` is not an activation.${hint}`);
        return undefined;
      }
      this.unknown('unknown-activation', 'activation', ref.name, [...activationNames(), ...fnNames]);
      return undefined;
    }
    const max = scalar ? scalar.params.length : 0;
    if (ref.args.length > max) {
      this.error('arity', ref, max === 0 ? `\`${name}\` takes no parameters.` : `\`${name}\` takes at most ${max} parameter (${scalar!.params.map((p) => p.name).join(', ')}).`);
      return undefined;
    }
    const params: number[] = [];
    for (const a of ref.args) {
      const v = this.number(a, `the parameter of ${name}`);
      if (v === undefined) return undefined;
      params.push(v);
    }
    return builtinActivation(name, params);
  }

  /** A user fn as an activation: g(z) from its body, g'(z) from its exact symbolic derivative. */
  private userActivation(name: string, f: E.UserFunction): Activation {
    const holder = this.memo?.env;
    const own = this.env;
    const value = E.call(name, 0, [{ op: 'var', name: f.param }]);
    const slope = E.call(name, 1, [{ op: 'var', name: f.param }]);
    const at = (e: E.Expr, z: number) => {
      const env = holder?.current ?? own;
      const v = E.evaluate(e, { ...env, vars: { get: (n) => (n === f.param ? z : env.vars.get(n)) } });
      return typeof v === 'number' ? v : NaN;
    };
    // A derivative that cannot be formed (e.g. through max of a vector) is reported when used.
    return { kind: 'scalar', name, value: (z) => at(value, z), derivative: (z) => at(slope, z) };
  }

  private resolveInit(item: ast.InitItem): InitScheme | undefined {
    const scheme = item.scheme.text;
    let seed = 0;
    if (item.seed) {
      const s = this.integer(item.seed, 'the seed', 0, LIMITS.maxSeed);
      if (s === undefined) return undefined;
      seed = s;
    }
    if (!(INIT_SCHEMES as readonly string[]).includes(scheme)) {
      this.unknown('unknown-init', 'initialisation', item.scheme, INIT_SCHEMES, ' The choices are xavier, he, zeros and uniform(LO, HI).');
      return undefined;
    }
    if (scheme === 'uniform') {
      if (item.args.length !== 2) {
        this.error('arity', item, 'uniform takes two bounds, as in `init uniform(-0.5, 0.5)`.');
        return undefined;
      }
      const lo = this.number(item.args[0], 'the lower bound');
      const hi = this.number(item.args[1], 'the upper bound');
      if (lo === undefined || hi === undefined) return undefined;
      if (lo > hi) {
        this.error('out-of-range', item, `uniform(${lo}, ${hi}): the lower bound is above the upper one.`);
        return undefined;
      }
      return { scheme: 'uniform', lo, hi, seed };
    }
    if (item.args.length > 0) {
      this.error('arity', item, `\`${scheme}\` takes no parameters.`);
      return undefined;
    }
    return { scheme: scheme as 'xavier' | 'he' | 'zeros', seed };
  }

  // ---- data, probes, training ---------------------------------------------------------------

  private checkData(stmt: ast.DataStmt): DataInfo {
    const info: DataInfo = { stmt };
    const src = stmt.source;
    if (src.kind === 'inline') {
      if (src.samples.length > LIMITS.maxInlineSamples) {
        this.error('too-many-samples', stmt.name, `\`${stmt.name.text}\` has ${src.samples.length} samples written out; the limit is ${LIMITS.maxInlineSamples}. Use \`data … from "file.csv"\`.`);
        return info;
      }
      if (src.samples.length === 0) {
        this.error('empty-data', stmt.name, `\`${stmt.name.text}\` has no samples; write one per line, as in \`[0, 1] -> [1]\`.`);
        return info;
      }
      const samples: { input: number[]; target: number[] }[] = [];
      let ok = true;
      for (const s of src.samples) {
        const input = this.vector(s.input, 'a sample\'s input', info.inputWidth);
        const target = this.vector(s.target, 'a sample\'s target', info.targetWidth);
        if (!input || !target) {
          ok = false;
          continue;
        }
        info.inputWidth ??= input.length;
        info.targetWidth ??= target.length;
        samples.push({ input, target });
      }
      if (ok) info.samples = samples;
      return info;
    }
    const args = src.args;
    const seenArgs = new Set<string>();
    if (src.kind === 'generator') {
      let valid = (GENERATORS as readonly string[]).includes(src.generator.text);
      if (!valid) {
        this.unknown('unknown-generator', 'generator', src.generator, GENERATORS, ' The generators are xor, circle, spiral, gauss and moons.');
      }
      info.inputWidth = 2;
      const params = { ...GENERATOR_DEFAULTS };
      for (const a of args) {
        if (seenArgs.has(a.name.text)) {
          this.error('duplicate-setting', a.name, `\`${a.name.text}\` is given twice.`);
          valid = false;
        }
        seenArgs.add(a.name.text);
        if (!(GENERATOR_ARGS as readonly string[]).includes(a.name.text)) {
          this.unknown('unknown-argument', 'argument', a.name, GENERATOR_ARGS, ' A generator takes n, noise and seed.');
          valid = false;
          continue;
        }
        let v: number | undefined;
        if (a.name.text === 'n') v = this.integer(a.value, 'n', 1, LIMITS.maxInlineSamples * 10);
        else if (a.name.text === 'seed') v = this.integer(a.value, 'the seed', 0, LIMITS.maxSeed);
        else {
          v = this.number(a.value, 'the noise');
          if (v !== undefined && v < 0) {
            this.error('out-of-range', a.value, `The noise must be 0 or more, not ${v}.`);
            v = undefined;
          }
        }
        if (v === undefined) valid = false;
        else params[a.name.text as 'n' | 'noise' | 'seed'] = v;
      }
      if (valid) info.generator = { name: src.generator.text as GeneratorName, ...params };
    } else {
      for (const a of args) {
        if (a.name.text !== 'targets') {
          this.unknown('unknown-argument', 'argument', a.name, ['targets'], ' A CSV file takes `targets: N`.');
          continue;
        }
        const t = this.integer(a.value, 'targets', 1, LIMITS.maxUnits);
        if (t !== undefined) info.targetWidth = t;
      }
    }
    return info;
  }

  private checkProbe(stmt: ast.ProbeStmt): ProbeInfo {
    const info: ProbeInfo = { stmt };
    const d = this.declarations.get(stmt.network.text);
    if (d?.kind !== 'network') {
      const names = [...this.declarations.values()].filter((x) => x.kind === 'network').map((x) => x.name.text);
      if (d) this.error('not-a-network', stmt.network, `\`${stmt.network.text}\` is a ${d.kind}, not a network.`);
      else this.unknown('unknown-network', 'network', stmt.network, names);
      this.constant(stmt.input, new Set());
      this.constant(stmt.target, new Set());
      return info;
    }
    const net = this.network(stmt.network.text);
    // A network with a syntax error may be missing layers: its widths are not to be trusted.
    const layers = net && !net.stmt.incomplete ? net.layers : [];
    const inputWidth = layers.find((l) => l.kind === 'input')?.units;
    const dense = layers.filter((l) => l.kind === 'dense');
    const outWidth = dense.length ? dense[dense.length - 1].units : undefined;
    info.input = this.vector(stmt.input, `the probe's input (the input layer of \`${stmt.network.text}\`)`, inputWidth);
    info.target = this.vector(stmt.target, `the probe's target (the output layer of \`${stmt.network.text}\`)`, outWidth);
    return info;
  }

  private checkTrain(stmt: ast.TrainStmt, data: Map<string, DataInfo>): TrainInfo {
    const info: TrainInfo = { stmt, ...TRAIN_DEFAULTS };
    const netDecl = this.declarations.get(stmt.network.text);
    let net: NetworkInfo | undefined;
    if (netDecl?.kind !== 'network') {
      if (netDecl) this.error('not-a-network', stmt.network, `\`${stmt.network.text}\` is a ${netDecl.kind}, not a network.`);
      else this.unknown('unknown-network', 'network', stmt.network, [...this.declarations.values()].filter((x) => x.kind === 'network').map((x) => x.name.text));
    } else net = this.network(stmt.network.text);
    const dataDecl = this.declarations.get(stmt.data.text);
    let set: DataInfo | undefined;
    if (dataDecl?.kind !== 'data') {
      if (dataDecl) this.error('not-data', stmt.data, `\`${stmt.data.text}\` is a ${dataDecl.kind}, not a data set.`);
      else this.unknown('unknown-data', 'data set', stmt.data, [...this.declarations.values()].filter((x) => x.kind === 'data').map((x) => x.name.text));
    } else set = data.get(stmt.data.text) ?? (dataDecl ? this.dataOf(dataDecl.stmt, data) : undefined);

    if (net && set && !net.stmt.incomplete) {
      const inputWidth = net.layers.find((l) => l.kind === 'input')?.units;
      const dense = net.layers.filter((l) => l.kind === 'dense');
      const outWidth = dense.length ? dense[dense.length - 1].units : undefined;
      if (inputWidth !== undefined && set.inputWidth !== undefined && inputWidth !== set.inputWidth) {
        this.error('shape', stmt.data, `The samples of \`${stmt.data.text}\` have ${set.inputWidth} input${set.inputWidth === 1 ? '' : 's'}, but \`${stmt.network.text}\` takes ${inputWidth}.`);
      }
      if (outWidth !== undefined && set.targetWidth !== undefined && outWidth !== set.targetWidth) {
        this.error('shape', stmt.data, `The samples of \`${stmt.data.text}\` have ${set.targetWidth} target${set.targetWidth === 1 ? '' : 's'}, but \`${stmt.network.text}\` has ${outWidth} output${outWidth === 1 ? '' : 's'}.`);
      }
    }

    const seen = new Set<string>();
    for (const opt of stmt.options) {
      const name = opt.name.text;
      if (!(TRAIN_OPTIONS as readonly string[]).includes(name)) {
        this.unknown('unknown-option', 'training option', opt.name, TRAIN_OPTIONS, ' The options are optimizer, learning_rate, epochs, batch, seed, split and l2.');
        continue;
      }
      if (seen.has(name)) {
        this.error('duplicate-setting', opt.name, `\`${name}\` is already set in this train block.`);
        continue;
      }
      seen.add(name);
      switch (name) {
        case 'optimizer': {
          const o = this.resolveOptimizer(opt.value);
          if (o) info.optimizer = o;
          break;
        }
        case 'learning_rate': {
          const v = this.number(opt.value, 'the learning rate');
          if (v !== undefined && v <= 0) this.error('out-of-range', opt.value, `The learning rate must be above 0, not ${v}.`);
          else if (v !== undefined) info.learningRate = v;
          break;
        }
        case 'epochs': info.epochs = this.integer(opt.value, 'epochs', 1, LIMITS.maxEpochs) ?? info.epochs; break;
        case 'batch': info.batch = this.integer(opt.value, 'the batch size', 1, Number.MAX_SAFE_INTEGER) ?? info.batch; break;
        case 'seed': info.seed = this.integer(opt.value, 'the seed', 0, LIMITS.maxSeed) ?? info.seed; break;
        case 'split': {
          const v = this.number(opt.value, 'the split');
          if (v !== undefined && !(v > 0 && v <= 1)) this.error('out-of-range', opt.value, `The split is the fraction kept for training: above 0 and at most 1, not ${v}.`);
          else if (v !== undefined) info.split = v;
          break;
        }
        case 'l2': {
          const v = this.number(opt.value, 'l2');
          if (v !== undefined && v < 0) this.error('out-of-range', opt.value, `l2 (weight decay) must be 0 or more, not ${v}.`);
          else if (v !== undefined) info.l2 = v;
          break;
        }
      }
    }
    return info;
  }

  private resolveOptimizer(e: ast.Expr): OptimizerSpec | undefined {
    const name = e.kind === 'name' ? e.name : e.kind === 'call' && e.primes === 0 ? e.callee : undefined;
    if (!name) {
      this.error('type', e, 'The optimizer is sgd, momentum(0.9) or adam(0.9, 0.999).');
      return undefined;
    }
    const args = e.kind === 'call' ? e.args : [];
    if (!(OPTIMIZERS as readonly string[]).includes(name.text)) {
      this.unknown('unknown-optimizer', 'optimizer', name, OPTIMIZERS, ' The optimizers are sgd, momentum(m) and adam(b1, b2).');
      return undefined;
    }
    const fraction = (a: ast.Expr, what: string) => {
      const v = this.number(a, what);
      if (v !== undefined && !(v >= 0 && v < 1)) {
        this.error('out-of-range', a, `${capitalise(what)} must be at least 0 and below 1, not ${v}.`);
        return undefined;
      }
      return v;
    };
    switch (name.text) {
      case 'sgd':
        if (args.length) this.error('arity', e, 'sgd takes no parameters; the learning rate is its own option.');
        return { kind: 'sgd' };
      case 'momentum': {
        if (args.length > 1) {
          this.error('arity', e, 'momentum takes one parameter, as in momentum(0.9).');
          return undefined;
        }
        const m = args.length ? fraction(args[0], 'the momentum') : 0.9;
        return m === undefined ? undefined : { kind: 'momentum', momentum: m };
      }
      default: {
        if (args.length > 2) {
          this.error('arity', e, 'adam takes two parameters, as in adam(0.9, 0.999).');
          return undefined;
        }
        const b1 = args.length > 0 ? fraction(args[0], 'beta1') : 0.9;
        const b2 = args.length > 1 ? fraction(args[1], 'beta2') : 0.999;
        return b1 === undefined || b2 === undefined ? undefined : { kind: 'adam', beta1: b1, beta2: b2 };
      }
    }
  }
}

function describeInit(init: InitScheme): string {
  return `${init.scheme === 'uniform' ? `uniform(${init.lo}, ${init.hi})` : init.scheme} seed ${init.seed}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
