import type * as E from '../engine/expr';
import type { Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import type { DiagnosticCode, Severity, Suggestion } from './diagnostic';
import type { DataInfo, Declaration, NetworkInfo } from './program';

/**
 * Raised inside lowering or constant evaluation after its diagnostic is recorded (or, when
 * nothing is recorded, because the part it needs is already in error). Caught by the unit of
 * checking that owns the statement, never by anyone outside semantics/.
 */
export class Spoiled {}

/**
 * What lowering an expression and computing a constant need: the file's names, the values of
 * its lets, somewhere to report. The checker is one (it computes lets on demand and records
 * diagnostics); a checked Program is another (lowering.ts `constantValue`: it reads the lets'
 * values and reports nothing).
 */
export interface Scope {
  readonly declarations: ReadonlyMap<string, Declaration>;
  readonly userFns: ReadonlyMap<string, E.UserFunction>;
  /** Lowered expression → the syntax node it came from. */
  readonly spans: WeakMap<E.Expr, Span>;
  readonly env: E.Environment;
  /** The value of the declared let `name`; throws Spoiled when it is in error. */
  letValue(name: string): Value | undefined;
  /** Whether the let `name` is known to be in error already (a fn body is lowered before lets are computed). */
  letFailed(name: string): boolean;
  /** Records a diagnostic; `fix` is a replacement name for its span, or a whole suggested edit. */
  report(severity: Severity, code: DiagnosticCode, span: Span, message: string, fix?: string | Suggestion): void;
  /** Records an error and returns the Spoiled to throw. */
  error(code: DiagnosticCode, span: Span, message: string, fix?: string | Suggestion): Spoiled;
  /** "Unknown X `word`", with "did you mean" when a candidate is close; returns the Spoiled to throw. */
  unknown(code: DiagnosticCode, what: string, name: ast.Name, candidates: Iterable<string>, hint?: string): Spoiled;
}

/** What the checks of networks, data, probes and train statements need beyond a Scope. */
export interface CheckContext extends Scope {
  readonly file: ast.SourceFile;
  /**
   * The environment user activations evaluate in: the checker's while it checks, the Program's
   * afterwards. A holder, so that a network reused from an earlier check reads the latest.
   */
  readonly activeEnv: { current?: E.Environment };
  /** The declared network `name`, checked once on first use; throws Spoiled on a cycle. */
  network(name: string): NetworkInfo | undefined;
  /** A data statement's check (memoised like every unit). */
  dataOf(stmt: ast.DataStmt, data: ReadonlyMap<string, DataInfo>): DataInfo;
}
