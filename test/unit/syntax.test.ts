import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as ast from '../../server/src/syntax/ast';
import { lex } from '../../server/src/syntax/lexer';
import { MAX_NESTING, parse } from '../../server/src/syntax/parser';
import { LineIndex } from '../../server/src/syntax/text';

const only = (text: string) => {
  const r = parse(text);
  assert.equal(r.file.statements.length, 1, JSON.stringify(r.errors));
  return r;
};

test('numbers in every form the language allows', () => {
  const values = lex('12 0.5 .5 1e-3 2.5E+4').tokens.filter((t) => t.kind === 'number').map((t) => t.value);
  assert.deepEqual(values, [12, 0.5, 0.5, 1e-3, 2.5e4]);
});

test('comments run to the end of the line and are kept for tools', () => {
  const r = lex('eval 1 # one\n# two\neval 2');
  assert.deepEqual(r.comments.map((c) => c.text), ['# one', '# two']);
  assert.deepEqual(r.tokens.map((t) => t.text), ['eval', '1', 'eval', '2', '']);
});

test('strings unescape \\" and \\\\', () => {
  const t = lex('"a\\"b\\\\c"').tokens[0];
  assert.equal(t.kind, 'string');
  assert.equal(t.value, 'a"b\\c');
});

test('-> is one token, - then > is not', () => {
  assert.deepEqual(lex('[1]->[0]').tokens.map((t) => t.text), ['[', '1', ']', '->', '[', '0', ']', '']);
});

test('positions follow LSP: 0-based lines, UTF-16 columns, \\n, \\r\\n and lone \\r all break lines', () => {
  const text = 'a\r\nb\rc\nd😀e';
  const lines = new LineIndex(text);
  assert.equal(lines.lineCount, 4);
  assert.deepEqual(lines.position(text.indexOf('b')), { line: 1, character: 0 });
  assert.deepEqual(lines.position(text.indexOf('c')), { line: 2, character: 0 });
  // The emoji is two UTF-16 code units, so `e` is at column 3.
  assert.deepEqual(lines.position(text.indexOf('e')), { line: 3, character: 3 });
  assert.equal(lines.offset({ line: 3, character: 3 }), text.indexOf('e'));
  assert.equal(lines.offset({ line: 0, character: 99 }), 1, 'a column past the end clamps to the line end');
  assert.equal(lines.lineText(1), 'b');
});

test('precedence: -2 ^ 2 is -(2 ^ 2); ^ is right-associative; * binds tighter than +', () => {
  const shape = (e: ast.Expr): string => {
    switch (e.kind) {
      case 'number': return String(e.value);
      case 'name': return e.name.text;
      case 'unary': return `(-${shape(e.operand)})`;
      case 'binary': return `(${shape(e.left)}${e.op}${shape(e.right)})`;
      case 'call': return `${e.callee.text}${"'".repeat(e.primes)}(${e.args.map(shape).join(',')})`;
      case 'vector': return `[${e.items.map(shape).join(',')}]`;
      default: return '?';
    }
  };
  const expr = (src: string) => shape((only(`eval ${src}`).file.statements[0] as ast.EvalStmt).value);
  assert.equal(expr('-2 ^ 2'), '(-(2^2))');
  assert.equal(expr('2 ^ 3 ^ 2'), '(2^(3^2))');
  assert.equal(expr('1 + 2 * 3 - 4 / 5'), '((1+(2*3))-(4/5))');
  assert.equal(expr('2 ^ -1'), '(2^(-1))');
  assert.equal(expr("f''(x) * [1, -y]"), "(f''(x)*[1,(-y)])");
});

test('the whole example of LANGUAGE.md parses without errors, with spans on every statement', () => {
  const text = `network xor {
  input  x[2]
  dense  h[4] tanh
  dense  y[1] sigmoid nobias
  loss   squared_error
  init   uniform(-1, 1) seed 7
  weights y = [[1], [2], [3], [4]]
}
data d {
  [0, 0] -> [0]
}
data g = spiral(n: 100, noise: 0.1)
data f from "points.csv" (targets: 1)
train xor on d {
  optimizer adam(0.9, 0.999)
  learning_rate 0.5
}
probe xor [1, 0] -> [1]
let z = 0.5
eval sigmoid'(z)
fn mish(z) = z * tanh(softplus(z))`;
  const r = parse(text);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.file.statements.map((s) => s.kind), ['network', 'data', 'data', 'data', 'train', 'probe', 'let', 'eval', 'fn']);
  const net = r.file.statements[0] as ast.NetworkStmt;
  assert.deepEqual(net.items.map((i) => i.kind), ['input', 'dense', 'dense', 'loss', 'init', 'weights']);
  const dense = net.items[2] as ast.DenseItem;
  assert.ok(dense.nobias);
  assert.equal(text.slice(dense.start, dense.end), 'dense  y[1] sigmoid nobias');
  const fn = r.file.statements[8] as ast.FnStmt;
  assert.equal(text.slice(fn.body.start, fn.body.end), 'z * tanh(softplus(z))');
});

test('independent mistakes are each reported once, and the statements around them survive', () => {
  const r = parse('let a = (1\neval 2\neval 3 +\nlet b = 4\nnetwork n {\n  input x[2\n  dense y[1] relu\n}\neval 5');
  assert.equal(r.errors.length, 3, JSON.stringify(r.errors));
  assert.deepEqual(r.file.statements.map((s) => s.kind), ['let', 'eval', 'eval', 'let', 'network', 'eval']);
  const net = r.file.statements[4] as ast.NetworkStmt;
  assert.deepEqual(net.items.map((i) => i.kind), ['dense'], 'the bad input line is skipped, the next line kept');
  assert.equal(net.incomplete, true);
});

test('a missing piece is reported at the end of the line where it is missing', () => {
  const text = 'network n {\n  dense h[4]\n  loss mse\n}';
  const r = parse(text);
  assert.equal(r.errors.length, 1);
  const at = new LineIndex(text).position(r.errors[0].start);
  assert.deepEqual(at, { line: 1, character: 12 });
  assert.match(r.errors[0].message, /Expected an activation/);
});

test('an unclosed block ends at the next statement keyword', () => {
  const r = parse('network n {\n  input x[1]\n  dense y[1] relu\neval 1');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'unclosed-block');
  assert.deepEqual(r.file.statements.map((s) => s.kind), ['network', 'eval']);
});

test('nesting far beyond the limit is an error, not a stack overflow', () => {
  for (const src of ['('.repeat(100_000) + '1' + ')'.repeat(100_000), '-'.repeat(100_000) + '1', '2^'.repeat(50_000) + '2', '['.repeat(100_000)]) {
    const r = parse(`eval ${src}\neval 7`);
    assert.ok(r.errors.some((e) => e.code === 'too-deep'), `no too-deep error for ${src.slice(0, 10)}…`);
    assert.equal(r.file.statements.at(-1)?.kind, 'eval', 'the next statement still parses');
  }
  assert.equal(parse(`eval ${'('.repeat(MAX_NESTING - 5)}1${')'.repeat(MAX_NESTING - 5)}`).errors.length, 0);
});

test('a chain of 10,000 operators is refused as too deep; 900 still parse and evaluate', async () => {
  const { analyze } = await import('../../server/src/analysis/analyze');
  const long = analyze(`eval ${Array(10_000).fill('1').join(' + ')}\neval 7`);
  assert.equal(long.diagnostics.length, 1);
  assert.equal(long.diagnostics[0].code, 'too-deep');
  assert.equal(long.evals.at(-1)?.value, 7);
  // f' of a 900-factor product is a tree of 810,000 nodes; f'' would exceed MAX_DERIVATIVE_SIZE (test/unit/limits.test.ts).
  const fine = analyze(`eval ${Array(900).fill('1').join(' + ')}\nfn f(z) = ${Array(900).fill('z').join(' * ')}\neval f'(1)`);
  assert.deepEqual(fine.diagnostics, []);
  assert.equal(fine.evals[0].value, 900);
  assert.equal(fine.evals[1].value, 900);
});

test('reserved words cannot be names', () => {
  const r = parse('let eval = 1');
  assert.equal(r.errors[0].code, 'reserved-word');
});
