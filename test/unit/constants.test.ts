/**
 * The constants `pi` and `e` (docs/LANGUAGE.md, *Constants*): exact (Math.PI, Math.E) in every
 * expression — eval, let, fn bodies, layer and train numbers — hidden by a declaration or a
 * parameter of the same name, printed by name in derivative formulas, offered by completion,
 * explained by hover, and never in the way of number literals such as 1e3 and 2e-5.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { completionsAt } from '../../server/src/analysis/completion';
import { hoverAt } from '../../server/src/analysis/hover';
import { prepareRename, rename } from '../../server/src/analysis/rename';
import { semanticTokens } from '../../server/src/analysis/semantic-tokens';
import { PythonFunctions } from '../../server/src/export/expr-python';
import { lex } from '../../server/src/syntax/lexer';

const values = (text: string) => {
  const a = analyze(text);
  assert.deepEqual(a.diagnostics.map((d) => d.message), []);
  return a.evals.map((e) => e.value);
};

test('pi and e are Math.PI and Math.E in evals, lets and fn bodies', () => {
  const v = values([
    'eval pi',
    'eval e',
    'let tau = 2 * pi',
    'eval tau',
    'fn wave(x) = sin(pi * x)',
    'eval wave(0.5)',
    'eval log(e)',
    'eval exp(1) - e',
    'eval cos(pi)',
  ].join('\n'));
  assert.deepEqual(v, [Math.PI, Math.E, 2 * Math.PI, Math.sin(Math.PI * 0.5), Math.log(Math.E), Math.exp(1) - Math.E, -1]);
});

test('where the language takes a constant number, pi and e are constants too', () => {
  const a = analyze([
    'network n {',
    '  input x[1]',
    '  dense y[1] leaky_relu(1 / pi)',
    '  weights y = [[e]]',
    '}',
    'data d { [0] -> [1] }',
    'train n on d { learning_rate pi / 100 }',
  ].join('\n'));
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => d.message), []);
  const net = a.program.networks.get('n')!;
  assert.equal(net.network?.layers[0].W[0], Math.E);
});

test('number literals still lex as numbers next to the constant e: 1e3, 2e-5, 2.5E+4', () => {
  const tokens = lex('1e3 2e-5 2.5E+4 e 2 * e').tokens.filter((t) => t.kind !== 'eof');
  assert.deepEqual(tokens.map((t) => `${t.kind} ${t.text}`), ['number 1e3', 'number 2e-5', 'number 2.5E+4', 'ident e', 'number 2', 'punct *', 'ident e']);
  assert.deepEqual(values('eval 1e3 + e\neval 2e-5 * e'), [1000 + Math.E, 2e-5 * Math.E]);
});

test('a let, a parameter or any declaration named pi or e hides the constant, in the whole file', () => {
  assert.deepEqual(values('let e = 5\neval e + 1\nfn f(x) = e * x\neval f(2)'), [6, 10]);
  assert.deepEqual(values('fn g(e) = e ^ 2\neval g(3)\neval e'), [9, Math.E]);
  assert.deepEqual(values('let pi = 3\neval pi'), [3]);
  // A data set named e (a golden case has one): the bare name is then the data set.
  const a = analyze('data e { [0] -> [1] }\neval e');
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['not-a-value']);
});

test('derivative formulas keep pi and e by name; hover and completion explain them', () => {
  const text = 'fn wave(x) = sin(2 * pi * x) + e ^ x\neval pi\n';
  const a = analyze(text);
  const fnHover = hoverAt(a, text.indexOf('wave'))!.markdown;
  assert.match(fnHover, /4·pi·cos\(2·pi·x\)|2·pi·cos\(2·pi·x\)/);
  assert.doesNotMatch(fnHover, /6\.28318/);
  const piHover = hoverAt(a, text.lastIndexOf('pi'))!.markdown;
  assert.match(piHover, /^`pi` = 3\.141592653589793/);
  const typing = `${text}eval 2 * `;
  const items = completionsAt(analyze(typing).program, typing.length);
  assert.ok(items.some((c) => c.label === 'pi' && c.detail?.includes('π')));
  assert.ok(items.some((c) => c.label === 'e' && c.detail?.includes('natural logarithm')));
  const hidden = completionsAt(analyze('let e = 1\neval ').program, 'let e = 1\neval '.length);
  assert.equal(hidden.filter((c) => c.label === 'e').length, 1, 'the let, not the constant too');
});

test('an unknown name is not "corrected" to e because it has one letter; p1 and E are', () => {
  const d = analyze('eval x\neval p1\neval E').diagnostics.map((x) => x.suggestion?.newText);
  assert.deepEqual(d, [undefined, 'pi', 'e']);
});

test('a fn with pi and e exports them as math.pi and math.e (the same doubles), derivative included', () => {
  const a = analyze('fn wave(z) = sin(pi * z) / pi + e * z\n');
  const py = new PythonFunctions(a.program.env);
  const { g, gPrime } = py.layerActivation('wave', []);
  const source = py.source();
  assert.ok(g && gPrime);
  assert.ok(source.includes("return sin(math.pi * z) / math.pi + math.e * z"), source);
  assert.ok(source.includes("return sin_d1(math.pi * z) * math.pi / math.pi + math.e"), source);
  assert.match(source, /math\.pi/);
  assert.doesNotMatch(source, /3\.14159|2\.71828/);
});

test('pi and e are read-only library variables for highlighting, cannot be renamed, and a rename onto them is refused where it would capture them', () => {
  const text = 'let tau = 2 * pi\neval tau + e\n';
  const { program } = analyze(text);
  const tokens = semanticTokens(program);
  const at = (needle: string, nth = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    return tokens.find((t) => t.span.start === i);
  };
  assert.deepEqual([at('pi')?.type, at('pi')?.modifiers], ['variable', ['readonly', 'defaultLibrary']]);
  const e = tokens.find((t) => t.span.start === text.indexOf('+ e') + 2);
  assert.deepEqual([e?.type, e?.modifiers], ['variable', ['readonly', 'defaultLibrary']]);
  assert.match(String((prepareRename(program, text.indexOf('pi')) as { error?: string }).error), /constant of the language/);
  const r = rename(program, text.indexOf('tau'), 'pi');
  assert.ok('error' in r, 'renaming tau to pi would capture the constant pi');
});

test('2e is a number without exponent digits, and the error says how to write 2 times e; tan as a layer says why not', () => {
  const [d] = analyze('eval 2e').diagnostics;
  assert.equal(d.code, 'bad-number');
  assert.match(d.message, /for 2 times the constant e, write 2 \* e/);
  assert.doesNotMatch(analyze('eval 2E').diagnostics[0].message, /constant e/, 'E is not the constant');
  const [t] = analyze('network n {\n  input x[1]\n  dense y[1] tan\n  loss mse\n}\n').diagnostics;
  assert.equal(t.code, 'unknown-activation');
  assert.match(t.message, /poles/);
});

test('calling a constant says it is one: pi(2) is not 2·pi', () => {
  const [d] = analyze('eval pi(2)').diagnostics;
  assert.equal(d.code, 'not-a-function');
  assert.equal(d.message, '`pi` is a constant (3.141592653589793), not a function; multiply with `*`, as in `2 * pi`.');
  // A fn named pi is the file's own.
  assert.deepEqual(analyze('fn pi(x) = 2 * x\neval pi(2)').evals.map((r) => r.value), [4]);
});
