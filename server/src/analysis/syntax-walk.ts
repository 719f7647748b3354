import { inputVariables } from '../semantics/features';
import { FUNCTION_VARIABLES } from '../semantics/program';
import type * as ast from '../syntax/ast';

const FUNCTION_INPUT_NAMES: readonly string[] = [...FUNCTION_VARIABLES.one, ...FUNCTION_VARIABLES.two];

/** The raw inputs a feature list may name: x1 … xN of `input x[N]` (none while the width is not a number). */
function featureInputs(item: ast.InputItem): string[] {
  return item.width.kind === 'number' && Number.isInteger(item.width.value) && item.width.value <= 100_000 ? inputVariables(item.name.text, item.width.value) : [];
}

/**
 * One expression written in a statement, with the context needed to read the names in it.
 * Navigation, semantic tokens and the formatter all need "every expression of the file"; this is
 * the one place that knows where expressions can stand.
 */
export interface ExprSlot {
  expr: ast.Expr;
  stmt: ast.Statement;
  /** The `fn` whose parameter is in scope (its body), if any. */
  fn?: ast.FnStmt;
  /** The value of `optimizer` or `schedule`: its head word (`sgd`, `adam(…)`, `cosine(…)`) names an optimizer or a schedule, not a declaration. */
  optimizer?: boolean;
  /** `function(EXPR, …)`'s EXPR: these names are its inputs there, not declarations. */
  inputs?: readonly string[];
}

/** Every expression slot of one statement, in source order. */
export function exprSlots(stmt: ast.Statement): ExprSlot[] {
  const slot = (expr: ast.Expr, extra: Partial<ExprSlot> = {}): ExprSlot => ({ expr, stmt, ...extra });
  switch (stmt.kind) {
    case 'network':
      return stmt.items.flatMap((item): ExprSlot[] => {
        switch (item.kind) {
          // Derived features name the raw inputs (x1, x2, …): those are not declarations.
          case 'input': return [slot(item.width), ...(item.features ? item.features.list.kind === 'vector' ? item.features.list.items : [item.features.list] : []).map((f) => slot(f, { inputs: featureInputs(item) }))];
          case 'dense': return [slot(item.width), ...item.activation.args.map((a) => slot(a))];
          case 'loss': return [];
          case 'init': return [...item.args.map((a) => slot(a)), ...(item.seed ? [slot(item.seed)] : [])];
          case 'weights':
          case 'bias': return [slot(item.value)];
        }
      });
    case 'data': {
      const src = stmt.source;
      if (src.kind === 'inline') return src.samples.flatMap((s) => [slot(s.input), slot(s.target)]);
      const args = src.args.map((a) => slot(a.value));
      return src.kind === 'function' ? [slot(src.expr, { inputs: FUNCTION_INPUT_NAMES }), ...args] : args;
    }
    case 'train':
      return stmt.options.map((o) => slot(o.value, o.name.text === 'optimizer' || o.name.text === 'schedule' ? { optimizer: true } : {}));
    case 'probe': return [slot(stmt.input), slot(stmt.target)];
    case 'let': return [slot(stmt.value)];
    case 'eval': return [slot(stmt.value)];
    case 'fn': return [slot(stmt.body, { fn: stmt })];
  }
}

/**
 * Visits an expression and everything inside it, parents before children, left to right.
 * Iterative: `1 + 1 + … + 1` builds a tree as deep as it is long, which recursion would not survive.
 */
export function forEachNode(root: ast.Expr, visit: (e: ast.Expr) => void): void {
  const stack: ast.Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    visit(e);
    const children = childrenOf(e);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

function childrenOf(e: ast.Expr): ast.Expr[] {
  switch (e.kind) {
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'vector': return e.items;
    case 'call': return e.args;
    default: return [];
  }
}

const CLOSE_OBJECT = {};
const CLOSE_ARRAY = {};

/**
 * The tree of a file as text, without positions: two files with the same shape say the same
 * thing in the same words. Names in `renamed` are written as `newName`, so a rename can be
 * checked against the tree it started from. Iterative, for the same reason as `forEachNode`.
 */
export function syntaxShape(file: ast.SourceFile, renamed?: ReadonlySet<ast.Name>, newName?: string): string {
  const out: string[] = [];
  const stack: unknown[] = [file.statements];
  while (stack.length) {
    const v = stack.pop();
    if (v === CLOSE_OBJECT) out.push('}');
    else if (v === CLOSE_ARRAY) out.push(']');
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push(CLOSE_ARRAY);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      out.push('{');
      stack.push(CLOSE_OBJECT);
      const node = renamed?.has(v as ast.Name) ? { ...v, text: newName } : v;
      const entries = Object.entries(node).filter(([k, x]) => k !== 'start' && k !== 'end' && x !== undefined);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i][1], `${entries[i][0]}:`);
    } else out.push(JSON.stringify(v));
  }
  return out.join('');
}
