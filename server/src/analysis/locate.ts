import type * as ast from '../syntax/ast';

/** What stands under the cursor, in the terms hovers and navigation need. */
export type Target =
  | { kind: 'activation'; name: ast.Name; ref: ast.ActivationRef; network: ast.NetworkStmt }
  | { kind: 'call'; name: ast.Name; call: ast.CallExpr; stmt: ast.Statement }
  | { kind: 'name-ref'; name: ast.Name; stmt: ast.Statement }
  | { kind: 'let'; stmt: ast.LetStmt }
  | { kind: 'fn'; stmt: ast.FnStmt }
  | { kind: 'fn-param'; stmt: ast.FnStmt }
  | { kind: 'network'; name: ast.Name; stmt: ast.NetworkStmt }
  | { kind: 'layer'; name: ast.Name; network: ast.NetworkStmt; item?: ast.NetworkItem }
  | { kind: 'loss'; name: ast.Name; network: ast.NetworkStmt }
  | { kind: 'data'; name: ast.Name; stmt: ast.DataStmt }
  | { kind: 'network-ref'; name: ast.Name; stmt: ast.ProbeStmt | ast.TrainStmt }
  | { kind: 'data-ref'; name: ast.Name; stmt: ast.TrainStmt }
  | { kind: 'eval'; stmt: ast.EvalStmt };

const inside = (n: { start: number; end: number }, offset: number) => offset >= n.start && offset <= n.end;

/** The innermost meaningful thing at `offset` (an offset at a token's end still counts as on it). */
export function locate(file: ast.SourceFile, offset: number): Target | undefined {
  const stmt = file.statements.find((s) => inside(s, offset));
  if (!stmt) return undefined;
  switch (stmt.kind) {
    case 'network': {
      if (inside(stmt.name, offset)) return { kind: 'network', name: stmt.name, stmt };
      for (const item of stmt.items) {
        if (!inside(item, offset)) continue;
        switch (item.kind) {
          case 'input':
          case 'dense':
            if (inside(item.name, offset)) return { kind: 'layer', name: item.name, network: stmt, item };
            if (item.kind === 'dense' && inside(item.activation.name, offset)) return { kind: 'activation', name: item.activation.name, ref: item.activation, network: stmt };
            return inExpr(item.kind === 'dense' ? [item.width, ...item.activation.args] : [item.width], offset, stmt);
          case 'loss':
            if (inside(item.loss, offset)) return { kind: 'loss', name: item.loss, network: stmt };
            return undefined;
          case 'weights':
          case 'bias':
            if (inside(item.layer, offset) || offset < item.layer.start) return { kind: 'layer', name: item.layer, network: stmt, item };
            return inExpr([item.value], offset, stmt);
          case 'init':
            return inExpr([...item.args, ...(item.seed ? [item.seed] : [])], offset, stmt);
        }
      }
      return undefined;
    }
    case 'let':
      if (inside(stmt.name, offset)) return { kind: 'let', stmt };
      return inExpr([stmt.value], offset, stmt) ?? { kind: 'let', stmt };
    case 'fn':
      if (inside(stmt.name, offset)) return { kind: 'fn', stmt };
      if (inside(stmt.param, offset)) return { kind: 'fn-param', stmt };
      return inExpr([stmt.body], offset, stmt) ?? { kind: 'fn', stmt };
    case 'eval':
      return inExpr([stmt.value], offset, stmt) ?? { kind: 'eval', stmt };
    case 'probe':
      if (inside(stmt.network, offset)) return { kind: 'network-ref', name: stmt.network, stmt };
      return inExpr([stmt.input, stmt.target], offset, stmt);
    case 'train':
      if (inside(stmt.network, offset)) return { kind: 'network-ref', name: stmt.network, stmt };
      if (inside(stmt.data, offset)) return { kind: 'data-ref', name: stmt.data, stmt };
      return inExpr(stmt.options.map((o) => o.value), offset, stmt);
    case 'data': {
      if (inside(stmt.name, offset)) return { kind: 'data', name: stmt.name, stmt };
      const src = stmt.source;
      if (src.kind === 'inline') return inExpr(src.samples.flatMap((s) => [s.input, s.target]), offset, stmt);
      return inExpr([...(src.kind === 'function' ? [src.expr] : []), ...src.args.map((a) => a.value)], offset, stmt);
    }
  }
}

function inExpr(exprs: ast.Expr[], offset: number, stmt: ast.Statement): Target | undefined {
  for (const e of exprs) {
    if (!inside(e, offset)) continue;
    const found = walk(e, offset, stmt);
    if (found) return found;
  }
  return undefined;
}

function walk(e: ast.Expr, offset: number, stmt: ast.Statement): Target | undefined {
  switch (e.kind) {
    case 'name':
      return inside(e.name, offset) ? { kind: 'name-ref', name: e.name, stmt } : undefined;
    case 'call':
      if (offset >= e.callee.start && offset <= e.callee.end + e.primes) return { kind: 'call', name: e.callee, call: e, stmt };
      return inExpr(e.args, offset, stmt);
    case 'unary':
      return inExpr([e.operand], offset, stmt);
    case 'binary':
      return inExpr([e.left, e.right], offset, stmt);
    case 'vector':
      return inExpr(e.items, offset, stmt);
    default:
      return undefined;
  }
}
