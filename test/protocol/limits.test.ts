/**
 * Every documented limit (docs/LANGUAGE.md, "Limits") as the user meets it: a precise diagnostic
 * with its range, never a crash or a hang, the same from the language server (published
 * diagnostics) and from the CLI (`netspec check --json`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp';
import { cliPath } from '../support/paths';

interface Case {
  name: string;
  text: string;
  code: string;
  message: RegExp;
  /** Where the diagnostic starts: [line, character], 0-based, UTF-16. */
  at: [number, number];
}

const NET = 'network n {\n  input x[1]\n  dense y[1] linear\n  loss squared_error\n}\n';
const megaLine = `let a = [${Array(200_000).fill('0.5').join(', ')}, 1e999]\n`;

const cases: Case[] = [
  {
    name: '100,000 nested parentheses',
    text: `eval ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`,
    code: 'too-deep', message: /^This expression nests more than 400 levels deep; split it with `let`\.$/, at: [0, 405],
  },
  {
    name: 'a chain of 100,000 operators',
    text: `eval ${Array(100_000).fill('1').join(' + ')}\n`,
    code: 'too-deep', message: /^This expression is more than 1000 operations deep; split it with `let`\.$/, at: [0, 5],
  },
  {
    name: 'a 1 MB line (its mistake found at the right UTF-16 column)',
    text: megaLine,
    code: 'number-overflow', message: /^The number 1e999 is too large for a float64/, at: [0, megaLine.indexOf('1e999')],
  },
  {
    name: 'a file of more than 2,000,000 characters',
    text: `# ${'x'.repeat(2_000_000)}\n`,
    code: 'too-large', message: /^This file has 2,000,003 characters; NetSpec reads files of up to 2,000,000\./, at: [0, 0],
  },
  {
    name: 'a literal past the largest float64',
    text: 'let big = 1e999\n',
    code: 'number-overflow', message: /^The number 1e999 is too large for a float64 \(the largest is about 1\.8e308\)\.$/, at: [0, 10],
  },
  {
    name: 'overflow to Infinity in arithmetic',
    text: 'eval 1e308 * 10\n',
    code: 'not-finite', message: /^This evaluates to Infinity/, at: [0, 5],
  },
  {
    name: 'a layer wider than 100,000 units',
    text: 'network n {\n  input x[1]\n  dense h[100001] relu\n}\n',
    code: 'out-of-range', message: /^The width of `h` must be a whole number from 1 to 100,000, not 100001\.$/, at: [2, 10],
  },
  {
    name: 'a network of more than 10,000,000 parameters',
    text: 'network n {\n  input x[10000]\n  dense h[10000] relu\n}\n',
    code: 'too-many-parameters', message: /^The network `n` has 100,010,000 parameters; the limit is 10,000,000\.$/, at: [0, 8],
  },
  {
    name: 'epochs in the billions',
    text: `${NET}data d {\n  [1] -> [1]\n}\ntrain n on d { epochs 3000000000 }\n`,
    code: 'out-of-range', message: /^Epochs must be a whole number from 1 to 10,000,000, not 3000000000\.$/, at: [8, 22],
  },
  {
    name: 'more than 100,000 inline samples',
    text: `data d {\n${'  [0] -> [0]\n'.repeat(100_001)}}\n`,
    code: 'too-many-samples', message: /^`d` has 100001 samples written out; the limit is 100000\. Use `data … from "file\.csv"`\.$/, at: [0, 5],
  },
  {
    name: 'a generator of more than 1,000,000 samples',
    text: 'data d = spiral(n: 2000000)\n',
    code: 'out-of-range', message: /^N must be a whole number from 1 to 1,000,000, not 2000000\.$/, at: [0, 19],
  },
  {
    name: 'a derivative of order 9',
    text: "eval sigmoid'''''''''(0)\n",
    code: 'derivative-order', message: /^`sigmoid` with 9 primes: derivatives of order above 8 are not computed\.$/, at: [0, 5],
  },
  {
    name: "softmax' of more than 1,000 elements",
    text: `eval softmax'([${Array(1001).fill('0').join(', ')}])\n`,
    code: 'eval', message: /^The Jacobian softmax'\(v\) of 1001 elements would be a 1001×1001 matrix; the limit is 1000 elements\.$/, at: [0, 5],
  },
  {
    name: 'a derivative of more than 1,000,000 terms',
    text: `fn f(z) = ${Array(900).fill('z').join(' * ')}\neval f''(1)\n`,
    code: 'eval', message: /^The derivative of order 2 of f has more than 1,000,000 terms; it is not computed\.$/, at: [1, 5],
  },
  {
    name: 'NUL bytes',
    text: 'let a = 1\0\0\n',
    code: 'invalid-character', message: /^Unexpected characters U\+0000 U\+0000\.$/, at: [0, 9],
  },
  {
    // (A lone surrogate cannot reach the server or the CLI: JSON-RPC and UTF-8 files carry U+FFFD
    // instead. The fuzz tests give lone surrogates to the analysis directly.)
    name: 'invalid characters after an astral one',
    text: 'let a = 1\nlet b = "\u{1F600}" § 2\n',
    code: 'invalid-character', message: /^Unexpected character '§'\.$/, at: [1, 13],
  },
];

let client: LspClient;
let dir: string;

before(async () => {
  client = await LspClient.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-limits-'));
});

after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The first diagnostic with the expected code. */
function find(diagnostics: { code?: string | number; message: string; range: Diagnostic['range'] }[], c: Case) {
  const d = diagnostics.find((x) => x.code === c.code);
  assert.ok(d, `${c.name}: no ${c.code} diagnostic among ${JSON.stringify(diagnostics.map((x) => [x.code, x.message]))}`);
  return d;
}

for (const [i, c] of cases.entries()) {
  test(`limit: ${c.name} — server and CLI report ${c.code}`, async () => {
    const uri = `file:///limits/case${i}.netspec`;
    await client.open(uri, c.text);
    const published = await client.diagnostics(uri, 1, 60_000);
    const s = find(published.diagnostics.map((d) => ({ ...d, message: String(d.message) })), c);
    assert.match(s.message, c.message);
    assert.deepEqual([s.range.start.line, s.range.start.character], c.at, `${c.name}: server range ${JSON.stringify(s.range)}`);

    const file = path.join(dir, `case${i}.netspec`);
    fs.writeFileSync(file, c.text);
    const r = spawnSync(process.execPath, [cliPath(), 'check', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.ok(r.status === 0 || r.status === 1, `${c.name}: the CLI exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    const cli = JSON.parse(r.stdout).files[0].diagnostics as { code: string; message: string; range: Diagnostic['range'] }[];
    const k = find(cli, c);
    assert.equal(k.message, s.message, `${c.name}: the CLI and the server disagree`);
    assert.deepEqual(k.range, s.range);
  });
}

test('limit: the server is still up after every case', async () => {
  const uri = 'file:///limits/after.netspec';
  await client.open(uri, 'eval 1 + 1\n');
  const p = await client.diagnostics(uri, 1);
  assert.deepEqual(p.diagnostics, []);
});
