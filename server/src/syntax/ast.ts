import type { Span } from './text';

/**
 * The syntax tree of one file. It holds what was written, nothing resolved or computed: names
 * are plain text, numbers are literals. Every node carries its span (offsets); a `LineIndex`
 * turns a span into an LSP range.
 */
export type Node = Span;

export interface Name extends Node {
  text: string;
}

export type Expr = NumberExpr | NameExpr | UnaryExpr | BinaryExpr | VectorExpr | CallExpr | ErrorExpr;

export interface NumberExpr extends Node {
  kind: 'number';
  value: number;
}

export interface NameExpr extends Node {
  kind: 'name';
  name: Name;
}

export interface UnaryExpr extends Node {
  kind: 'unary';
  op: '-';
  operand: Expr;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '^';

export interface BinaryExpr extends Node {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** `[a, b]`; a vector of vectors of equal length is a matrix. */
export interface VectorExpr extends Node {
  kind: 'vector';
  items: Expr[];
}

/** `f(x)`, `f'(x)` (primes = 1), `f''(x)` (primes = 2), `NET(v)`. */
export interface CallExpr extends Node {
  kind: 'call';
  callee: Name;
  primes: number;
  args: Expr[];
}

/** Stands where an expression was missing, so the tree stays whole. */
export interface ErrorExpr extends Node {
  kind: 'error';
}

export type Statement = NetworkStmt | DataStmt | TrainStmt | ProbeStmt | LetStmt | EvalStmt | FnStmt;

export interface NetworkStmt extends Node {
  kind: 'network';
  name: Name;
  items: NetworkItem[];
  /** Some item could not be parsed: what is missing may be in it, so it is not reported again. */
  incomplete?: boolean;
}

export type NetworkItem = InputItem | DenseItem | LossItem | InitItem | ParamItem;

export interface InputItem extends Node {
  kind: 'input';
  name: Name;
  width: Expr;
  /** `features [x1, x2, x1 * x2, sin(x1)]`: what the first dense layer takes, computed from the raw inputs. */
  features?: { keyword: Name; list: Expr };
}

export interface DenseItem extends Node {
  kind: 'dense';
  name: Name;
  width: Expr;
  activation: ActivationRef;
  nobias?: Node;
}

/** `tanh`, `leaky_relu(0.1)`, or a user `fn`'s name. */
export interface ActivationRef extends Node {
  name: Name;
  args: Expr[];
}

export interface LossItem extends Node {
  kind: 'loss';
  loss: Name;
}

export interface InitItem extends Node {
  kind: 'init';
  scheme: Name;
  args: Expr[];
  seed?: Expr;
}

/** `weights LAYER = MATRIX` or `bias LAYER = VECTOR`. */
export interface ParamItem extends Node {
  kind: 'weights' | 'bias';
  layer: Name;
  value: Expr;
}

export interface DataStmt extends Node {
  kind: 'data';
  name: Name;
  source: InlineData | GeneratedData | FunctionData | FileData;
  /** The word `standardize` after the definition: inputs rescaled by the training part's mean and std. */
  standardize?: Node;
}

export interface InlineData extends Node {
  kind: 'inline';
  samples: Sample[];
}

export interface Sample extends Node {
  input: Expr;
  target: Expr;
}

/** `= xor(n: 200, noise: 0.1, seed: 1)` */
export interface GeneratedData extends Node {
  kind: 'generator';
  generator: Name;
  args: NamedArg[];
}

/** `= function(EXPR, n: 100, from: -3, to: 3, noise: 0.05, seed: 1)`: EXPR of x, or of x1 and x2. */
export interface FunctionData extends Node {
  kind: 'function';
  /** The word `function`. */
  keyword: Name;
  expr: Expr;
  args: NamedArg[];
}

/** `from "points.csv"`, optionally `(targets: 2)`. */
export interface FileData extends Node {
  kind: 'file';
  path: Node & { value: string };
  args: NamedArg[];
}

export interface NamedArg extends Node {
  name: Name;
  value: Expr;
}

export interface TrainStmt extends Node {
  kind: 'train';
  network: Name;
  data: Name;
  options: TrainOption[];
}

/** `learning_rate 0.5`, `optimizer adam(0.9, 0.999)`: a word and an expression. */
export interface TrainOption extends Node {
  name: Name;
  value: Expr;
}

export interface ProbeStmt extends Node {
  kind: 'probe';
  network: Name;
  input: Expr;
  target: Expr;
}

export interface LetStmt extends Node {
  kind: 'let';
  name: Name;
  value: Expr;
}

export interface EvalStmt extends Node {
  kind: 'eval';
  value: Expr;
}

export interface FnStmt extends Node {
  kind: 'fn';
  name: Name;
  param: Name;
  body: Expr;
}

export interface SourceFile {
  text: string;
  statements: Statement[];
}

/** The words that start a statement; they can never be names. */
export const STATEMENT_KEYWORDS = ['network', 'data', 'train', 'probe', 'let', 'eval', 'fn'] as const;
export const NETWORK_ITEM_KEYWORDS = ['input', 'dense', 'loss', 'init', 'weights', 'bias'] as const;
