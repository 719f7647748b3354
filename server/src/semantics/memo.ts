import type * as E from '../engine/expr';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import type { Diagnostic } from './diagnostic';
import type { Standardization } from '../engine/network';
import type { DataInfo, Declaration, EvalInfo, FnInfo, LetInfo, NetworkInfo, ProbeInfo, TrainInfo } from './program';

/**
 * What one check of a file leaves for the next check of an edited version of it, so that only
 * what an edit touched is checked again (the editor's incremental analysis; the CLI never uses it).
 *
 * A *unit* is the check of one statement: a `let`'s value, a network, a data set, an `eval`'s
 * lowering, a probe, a train; all the `fn`s together are one more. Its entry is keyed by the
 * statement's tree node — the incremental parser hands back the same node while the statement's
 * text is unchanged — and records the *descriptors* of every top-level name the statement
 * mentions: a `let`'s value, a network's `NetworkInfo`, a `fn`'s lowered function together with
 * the descriptors of the lets and networks its body reaches, a data set's `DataInfo`, or a marker
 * for the other kinds and for an undeclared name. The invariant: a unit's result and diagnostics
 * are a function of its statement and those descriptors (and, when it reported an unknown name,
 * of the set of declared names, which its "did you mean" draws on). So an entry is replayed only
 * when every descriptor is the very same object (or the same number), and the checker that built
 * it would have computed exactly the same thing again.
 *
 * Entries are kept only for clean cases: a unit whose check entered another unit (its cost and
 * diagnostics are not its own), or reported a diagnostic outside its statement, is not stored;
 * a check that found a cycle is redone without the memo and stores nothing.
 */
export class CheckMemo {
  /** Committed entries, by statement (each kind of statement is one kind of unit). */
  readonly units = new WeakMap<ast.Statement, UnitEntry>();
  /**
   * Entries of the check in progress, committed when it ends without a cycle; undefined for a unit
   * it checked but could not store, whose entry from an earlier check then goes: reanalysis.ts
   * counts a unit's entry's diagnostics as those where its statement stands, which holds only
   * for the last check's.
   */
  pending: [ast.Statement, UnitEntry | undefined][] = [];
  /** The fn phase of the last clean check. */
  fns?: FnPhase;
  /** Lowered expressions → the syntax node they came from, for every check that used this memo. */
  readonly spans = new WeakMap<E.Expr, Span>();
  /**
   * The environment user activations evaluate in: the latest check's. A network built by an
   * earlier check and reused reads its fn (unchanged, or the unit would not be reused) and the
   * lets that fn reaches (unchanged, likewise) from here, not from the checker that built it.
   */
  readonly env: { current?: E.Environment } = {};
  /**
   * A network (as its unit checked it) → the same with its input standardization, from the last
   * check: handed back while the statistics are equal, so that the network keeps its identity.
   */
  readonly standardized = new WeakMap<NetworkInfo, NetworkInfo>();
  /** A data set → the statistics of its training part for the split and seed they were computed for. */
  readonly statistics = new WeakMap<DataInfo, { split: number; seed: number; stats: Standardization }>();

  /**
   * The last check, when it was clean (no cycle): a later version whose edit changed only lets,
   * networks, data sets, fns, evals, probes and trains (reanalysis.ts says on what conditions)
   * has those and what reads them checked by it (checker.ts `recheck`) instead of a pass over
   * every statement. `closures`: the lets and networks each fn reaches.
   */
  last?: {
    readonly closures?: ReadonlyMap<string, readonly string[]>;
    /** What its fns' phase reported, by the fn each report lies in (checker.ts `fnReports`): an edited fn is checked by `recheck` where they lie in the edit. */
    readonly fnReports?: ReadonlyMap<ast.Statement, number>;
    recheck(file: ast.SourceFile, added: readonly ast.Statement[], again: readonly ast.Statement[], stale: readonly string[], gone?: readonly string[], fnsRemoved?: boolean): Recheck | undefined;
  };

  /**
   * Every statement but the fns, by the top-level names it mentions (`statementRefs`): what reads
   * a changed let or network, found without a pass over the file. Built on first use from the
   * file's statements, kept up to date by the edits analysed from a previous analysis
   * (analysis/reanalysis.ts); a check of the whole file forgets it.
   */
  readers?: Map<string, Set<ast.Statement>>;

  commit(): void {
    for (const [stmt, entry] of this.pending) {
      if (entry) this.units.set(stmt, entry);
      else this.units.delete(stmt);
    }
    this.pending = [];
  }
}

/** What a recheck found: the checks of the statements it checked, what they reported, and the Program's parts it changed. */
export interface Recheck {
  lets: ReadonlyMap<ast.Statement, LetInfo>;
  evals: ReadonlyMap<ast.Statement, EvalInfo>;
  probes: ReadonlyMap<ast.Statement, ProbeInfo>;
  /** Every train statement's check, in file order, when one was checked again. */
  trains?: TrainInfo[];
  diagnostics: Diagnostic[];
  declarations: ReadonlyMap<string, Declaration>;
  networks: ReadonlyMap<string, NetworkInfo>;
  fns: ReadonlyMap<string, FnInfo>;
  data: ReadonlyMap<string, DataInfo>;
  env: E.Environment;
}

export interface UnitEntry {
  /** The statement's top-level names (`statementRefs`), in order; `deps` holds their descriptors. */
  refs: string[];
  deps: unknown[];
  /** The declared names (kind:name, in order) when the unit reported an unknown name. */
  names?: string;
  /** Offset of the statement when the entry was made; diagnostics are moved by the difference. */
  at: number;
  diagnostics: Diagnostic[];
  result: unknown;
  spoiled: boolean;
}

export interface FnPhase {
  /** Per fn declaration in order: its statement, its parameter's declared kind, and the declared kinds of the names its body mentions. */
  key: unknown[];
  userFns: [string, E.UserFunction][];
  fns: [string, { stmt: ast.FnStmt; fn?: E.UserFunction }][];
  /** Per fn: the lets and networks its body reaches, directly or through the fns it calls. */
  closures: Map<string, string[]>;
}

/** Descriptor markers: a name that is not declared, and declarations whose result is not a value. */
export const UNDECLARED = Symbol('undeclared');
export const LET_FAILED = Symbol('let failed');
export const FN_MISSING = Symbol('fn missing');
export const NETWORK_FAILED = Symbol('network failed');
export const DATA_KIND = Symbol('data');
export const DATA_NOT_YET = Symbol('data not checked yet');

/** Whether two descriptor lists are the same (Object.is, so NaN matches NaN and 0 differs from -0). */
export function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

const refCache = new WeakMap<ast.Statement, string[]>();

/** Whether a statement declares a name the checker keeps a value for by its node: a let, a network or a data set. */
export function declares(s: ast.Statement): s is ast.LetStmt | ast.NetworkStmt | ast.DataStmt {
  return s.kind === 'let' || s.kind === 'network' || s.kind === 'data';
}

/** The top-level names a statement mentions, each once, in the order its check meets them. */
export function statementRefs(stmt: ast.Statement): string[] {
  const hit = refCache.get(stmt);
  if (hit) return hit;
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => {
    if (!seen.has(n)) {
      seen.add(n);
      out.push(n);
    }
  };
  const expr = (e: ast.Expr) => exprRefs(e, add);
  switch (stmt.kind) {
    case 'let':
    case 'eval':
      expr(stmt.value);
      break;
    case 'fn':
      expr(stmt.body);
      break;
    case 'network':
      for (const item of stmt.items) {
        switch (item.kind) {
          case 'input':
            expr(item.width);
            // its features read lets and fns too (features.ts)
            if (item.features) expr(item.features.list);
            break;
          case 'dense':
            expr(item.width);
            add(item.activation.name.text);
            item.activation.args.forEach(expr);
            break;
          case 'init':
            item.args.forEach(expr);
            if (item.seed) expr(item.seed);
            break;
          case 'weights':
          case 'bias':
            expr(item.value);
            break;
          case 'loss': break;
        }
      }
      break;
    case 'data': {
      const src = stmt.source;
      if (src.kind === 'inline') for (const s of src.samples) { expr(s.input); expr(s.target); }
      else {
        if (src.kind === 'function') expr(src.expr);
        for (const a of src.args) expr(a.value);
      }
      break;
    }
    case 'probe':
      add(stmt.network.text);
      expr(stmt.input);
      expr(stmt.target);
      break;
    case 'train':
      add(stmt.network.text);
      add(stmt.data.text);
      for (const o of stmt.options) expr(o.value);
      break;
  }
  refCache.set(stmt, out);
  return out;
}

/** Names in an expression, pre-order, left to right (callees included), without recursion. */
function exprRefs(root: ast.Expr, add: (n: string) => void): void {
  const stack: ast.Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    switch (e.kind) {
      case 'name': add(e.name.text); break;
      case 'call':
        add(e.callee.text);
        for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]);
        break;
      case 'unary': stack.push(e.operand); break;
      case 'binary': stack.push(e.right, e.left); break;
      case 'vector': for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]); break;
      default: break;
    }
  }
}

/**
 * `from`'s entries into `to`, except those whose key `skip` has. Map.forEach, not for-of: a for-of
 * over entries allocates an array per entry until V8 optimises the loop, and `recheck` copies
 * maps of every let and network on each keystroke that edits one.
 */
export function copyEntries<K, V>(from: ReadonlyMap<K, V>, to: Map<K, V>, skip?: ReadonlySet<K>): void {
  from.forEach((v, k) => {
    if (!skip?.has(k)) to.set(k, v);
  });
}
