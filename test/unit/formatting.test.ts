/** The formatter as a pure function: exact outputs, and what it must never change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEdits, formatText } from '../../server/src/analysis/formatting';
import { lex } from '../../server/src/syntax/lexer';
import { parse } from '../../server/src/syntax/parser';
import { specCorpus } from '../support/sources';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** Formats and checks that formatting again changes nothing. */
function format(text: string): string | undefined {
  const once = formatText(text);
  if (once !== undefined) assert.equal(formatText(once), once, 'formatting twice changes nothing');
  return once;
}

test('spaces: around = -> + - * /, none around ^, none after unary minus, ", " and ": " in lists', () => {
  assert.equal(format('let b=a-1-(-a)*2/3 ^ -a\n'), 'let b = a - 1 - (-a) * 2 / 3^-a\n');
  assert.equal(format('eval - - 1\neval 1 - -1\neval [ -1 ,- 2]\neval 2^(-1)\neval -2 ^ 2\n'), lines('eval - -1', 'eval 1 - -1', 'eval [-1, -2]', 'eval 2^(-1)', 'eval -2^2'));
  assert.equal(format('data g=xor( n:10 ,noise : 0.1 )\n'), 'data g = xor(n: 10, noise: 0.1)\n');
  assert.equal(format('probe n[1,0]->[1]\n'), 'probe n [1, 0] -> [1]\n');
});

test('parentheses: a call takes none before its (, a grouping ( keeps its space', () => {
  assert.equal(format("eval f ''(1)+f ( 2 )\n"), "eval f''(1) + f(2)\n");
  assert.equal(format('eval(1+2)*3\n'), 'eval (1 + 2) * 3\n');
  assert.equal(format('probe n([1, 0])->[1]\n'), 'probe n ([1, 0]) -> [1]\n');
  assert.equal(format('fn f ( z )=z\n'), 'fn f(z) = z\n');
  assert.equal(format('data d from "f.csv"(targets:1)\n'), 'data d from "f.csv" (targets: 1)\n');
  assert.equal(format('train n on d {\n  optimizer adam ( 0.9,0.999 )\n  epochs (10)\n}\n'), lines('train n on d {', '  optimizer adam(0.9, 0.999)', '  epochs (10)', '}'));
});

test('blocks: 2-space indentation, widths without spaces, braces where they were written', () => {
  assert.equal(
    format('network n{\n\tinput x [ 2 ]\n        dense y[ 1 ] leaky_relu ( 0.1 ) nobias\ninit uniform( -1,1 ) seed  3 }\n'),
    lines('network n {', '  input x[2]', '  dense y[1] leaky_relu(0.1) nobias', '  init uniform(-1, 1) seed 3 }'),
  );
  assert.equal(format('data d {[0]->[1]\n[1]->[0]}\n'), lines('data d { [0] -> [1]', '  [1] -> [0] }'));
  assert.equal(format('network n\n{\ninput x[1]\n}\n'), lines('network n', '{', '  input x[1]', '}'));
  assert.equal(format('train n on d {}\n'), 'train n on d {}\n');
});

test('blank lines: as written, at most one in a row, none at the start or the end', () => {
  assert.equal(format('\n\n\neval 1\n\n\n\neval 2\neval 3\n\n\n'), lines('eval 1', '', 'eval 2', 'eval 3'));
  assert.equal(format('eval 1'), 'eval 1\n');
  assert.equal(format(''), '');
  assert.equal(format('\n \n'), '');
});

test('comments: full-line ones indented with their block, trailing ones kept aligned', () => {
  assert.equal(
    format(lines('   # title', 'network n {', '# inside', '      input x[2]   # the input', '}', 'eval 1    # one', 'eval 22   # twenty-two', 'eval  333 # three hundred')),
    lines('# title', 'network n {', '  # inside', '  input x[2]   # the input', '}', 'eval 1    # one', 'eval 22   # twenty-two', 'eval 333  # three hundred'),
  );
  // An aligned column moves right, as one, when a line's code reaches it.
  assert.equal(format(lines('eval 1  # a', 'eval 2  # b', 'eval sigmoid(1)+1  # c')), lines('eval 1  # a', 'eval 2  # b', 'eval sigmoid(1)+1  # c'.replace('+', ' + ')));
  assert.equal(format(lines('eval 1+2 # a', 'eval 33  # b')), lines('eval 1 + 2 # a', 'eval 33    # b'));
  // Comments that were not in one column are not put in one.
  assert.equal(format(lines('eval 1 # a', 'eval 2 # b', 'eval 1+2 # c')), lines('eval 1 # a', 'eval 2 # b', 'eval 1 + 2 # c'));
  assert.equal(format('eval 1 # trailing spaces   \n#  \n'), lines('eval 1 # trailing spaces', '#'));
});

test('continuation lines: aligned after the open bracket, or one step in', () => {
  assert.equal(
    format(lines('network n {', 'input x[2]', 'dense h[2] relu', 'weights h = [[1, 2],', '[3, 4]]', '}')),
    lines('network n {', '  input x[2]', '  dense h[2] relu', '  weights h = [[1, 2],', '               [3, 4]]', '}'),
  );
  assert.equal(format(lines('eval [', '1,', '      2', ']')), lines('eval [', '  1,', '  2', ']'));
  assert.equal(format(lines('eval max(1,', '2', ')')), lines('eval max(1,', '         2', '        )'));
  assert.equal(format(lines('probe n [1, 0]', '-> [1]')), lines('probe n [1, 0]', '  -> [1]'));
});

test('aligned blocks stay aligned (at one column); unaligned ones get one space', () => {
  assert.equal(
    format(lines('train n on d {', 'optimizer   sgd', 'learning_rate 0.5', 'epochs 2000', '}')),
    lines('train n on d {', '  optimizer     sgd', '  learning_rate 0.5', '  epochs        2000', '}'),
  );
  assert.equal(
    format(lines('network n {', '  input  x[2]', '  dense  y[1] tanh', '  loss squared_error', '}')),
    lines('network n {', '  input  x[2]', '  dense  y[1] tanh', '  loss   squared_error', '}'),
  );
  assert.equal(format(lines('train n on d {', 'optimizer sgd', 'epochs 2000', '}')), lines('train n on d {', '  optimizer sgd', '  epochs 2000', '}'));
});

test('line breaks: \\r\\n and lone \\r are kept', () => {
  assert.equal(format('network n {\r\n\tinput x[2]\r\n}\r\n'), 'network n {\r\n  input x[2]\r\n}\r\n');
  assert.equal(format('eval 1\r\r\r\reval 2'), 'eval 1\r\reval 2\r');
});

test('a file with a syntax or lexical error is not formatted', () => {
  for (const text of ['let a = \n', 'network n {\n input x[2]\n', 'eval 1 $ 2\n', 'eval 1e\n', 'data d from "x\n']) {
    assert.equal(formatText(text), undefined, text);
    assert.deepEqual(formatEdits(text), [], text);
  }
});

test('edits: one replacement of just the stretch that changes', () => {
  const text = 'eval 1\neval  2\neval 3\n';
  assert.deepEqual(formatEdits(text), [{ span: { start: 12, end: 13 }, newText: '' }]);
  assert.deepEqual(formatEdits('eval 1\n'), []);
  const crlf = 'eval 1\r\n\r\n\r\neval 2\r\n';
  const [e] = formatEdits(crlf);
  assert.equal(crlf.slice(0, e.span.start) + e.newText + crlf.slice(e.span.end), 'eval 1\r\n\r\neval 2\r\n');
  assert.notEqual(crlf[e.span.start], '\n', 'never between \\r and \\n');
});

test('every example and error-free golden case: idempotent, same tokens, same line breaks, same comments', () => {
  let count = 0;
  for (const { name, text } of specCorpus()) {
    if (parse(text).errors.length) continue;
    count++;
    const once = format(text)!;
    const a = lex(text);
    const b = lex(once);
    assert.deepEqual(b.tokens.map((t) => [t.kind, t.text, t.lineStart]), a.tokens.map((t) => [t.kind, t.text, t.lineStart]), name);
    assert.deepEqual(b.comments.map((c) => c.text), a.comments.map((c) => c.text.trimEnd()), name);
  }
  assert.ok(count >= 6);
});

test('the longest expression the parser accepts is formatted; a longer one is left alone', () => {
  // The parser refuses trees taller than MAX_HEIGHT (a syntax error), and formatting refuses
  // files with syntax errors, so a 50,000-term chain gets no edits rather than a stack overflow.
  const text = 'eval ' + '1+'.repeat(900) + '1\n';
  assert.equal(format(text), 'eval ' + '1 + '.repeat(900) + '1\n');
  assert.equal(format('eval ' + '1+'.repeat(50_000) + '1\n'), undefined);
});
