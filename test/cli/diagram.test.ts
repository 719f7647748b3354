/**
 * `netspec diagram` as a user runs it: the SVG's weights against the spec's own `weights` text,
 * its gradients against `netspec grad --json` for the file's first probe of the network, its
 * neuron count, where it writes (beside the spec, -o, -o -, --force), and bad input answered with
 * a one-line reason and an exit code, never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliPath, repoRoot } from '../support/paths';
import { parseXml, type Element } from '../support/xml';

function netspec(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-diagram-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

const classed = (els: Element[], c: string) => els.filter((e) => e.attrs.class === c);
const noStack = (s: string) => assert.ok(!/\n\s+at .+:\d+:\d+/.test(s), `no stack trace: ${s}`);

/** dE/dW of every layer of the probe at `line`, from `netspec grad --json`. */
function gradOf(spec: string, line: number): Record<string, { dW: number[][] }> {
  const r = netspec(['grad', spec, '--json']);
  assert.equal(r.code, 0, r.err);
  const probe = JSON.parse(r.out).probes.find((p: { line: number }) => p.line === line);
  assert.ok(probe, `a probe at line ${line}`);
  return probe.layers;
}

function checkGrads(edges: Element[], layers: Record<string, { dW: number[][] }>): void {
  for (const e of edges) {
    const [, j] = e.attrs['data-from'].split(':');
    const [layer, k] = e.attrs['data-to'].split(':');
    assert.equal(Number(e.attrs['data-grad']), layers[layer].dW[Number(j)][Number(k)], `${e.attrs['data-from']} → ${e.attrs['data-to']}`);
  }
}

test('examples/xor.netspec: 2 + 4 + 1 neurons, 12 edges whose data-grad is grad --json of its probe', () => {
  const r = netspec(['diagram', 'examples/xor.netspec', '-o', '-']);
  assert.equal(r.code, 0, r.err);
  const els = parseXml(r.out);
  const neurons = classed(els, 'neuron');
  assert.deepEqual(neurons.map((n) => `${n.attrs['data-layer']}:${n.attrs['data-unit']}`), ['x:0', 'x:1', 'h:0', 'h:1', 'h:2', 'h:3', 'y:0']);
  const edges = classed(els, 'edge');
  assert.equal(edges.length, 2 * 4 + 4 * 1);
  const probeLine = fs.readFileSync(path.join(repoRoot(), 'examples/xor.netspec'), 'utf8').split('\n').findIndex((l) => l.startsWith('probe xor')) + 1;
  checkGrads(edges, gradOf('examples/xor.netspec', probeLine));
  for (const e of edges) {
    const w = Number(e.attrs['data-w']);
    assert.ok(Number.isFinite(w) && w !== 0, 'xavier weights');
    assert.ok(Number(e.attrs['stroke-width']) > 0);
  }
  // One colour per sign.
  const colours = (neg: boolean) => new Set(edges.filter((e) => Number(e.attrs['data-w']) < 0 === neg).map((e) => e.attrs.stroke));
  assert.equal(colours(true).size, 1);
  assert.equal(colours(false).size, 1);
  assert.notDeepEqual(colours(true), colours(false));
});

const W1 = [[0.75, -1.5, 0.25], [2, -0.5, 1e-3]];
const W2 = [[1.25], [-3], [0.5]];
const rows = (W: number[][]) => `[${W.map((r) => `[${r.join(', ')}]`).join(', ')}]`;
const EXPLICIT = `network a {
  input  u[2]
  dense  hid[3] sigmoid
  dense  out[1] tanh
  weights hid = ${rows(W1)}
  weights out = ${rows(W2)}
  loss   squared_error
}

network b {
  input  v[1]
  dense  o[1] relu
  loss   squared_error
}

probe b [1] -> [0]
probe a [0.5, -2] -> [0.25]
probe a [1, 1] -> [0]
`;

test('explicit weights: every data-w is the text\'s w_{j,k}; data-grad is the first probe of that network', () => {
  const spec = file('two.netspec', EXPLICIT);
  const r = netspec(['diagram', spec, '--network', 'a', '-o', '-']);
  assert.equal(r.code, 0, r.err);
  const els = parseXml(r.out);
  assert.equal(classed(els, 'neuron').length, 2 + 3 + 1);
  const edges = classed(els, 'edge');
  assert.equal(edges.length, 2 * 3 + 3 * 1);
  const text: Record<string, number[][]> = { hid: W1, out: W2 };
  for (const e of edges) {
    const [from, j] = e.attrs['data-from'].split(':');
    const [to, k] = e.attrs['data-to'].split(':');
    assert.equal(from, to === 'hid' ? 'u' : 'hid');
    assert.equal(Number(e.attrs['data-w']), text[to][Number(j)][Number(k)]);
  }
  // The widest line is the largest |w| (3), the thinnest the smallest (1e-3).
  const byWidth = [...edges].sort((p, q) => Number(p.attrs['stroke-width']) - Number(q.attrs['stroke-width']));
  assert.equal(Number(byWidth.at(-1)!.attrs['data-w']), -3);
  assert.equal(Number(byWidth[0].attrs['data-w']), 1e-3);
  checkGrads(edges, gradOf(spec, EXPLICIT.split('\n').findIndex((l) => l.startsWith('probe a')) + 1));
});

test('written beside the spec as SPEC.NETWORK.svg; kept unless --force; -o elsewhere', () => {
  const spec = file('one.netspec', 'network solo {\n  input x[1]\n  dense y[1] sigmoid\n  loss squared_error\n}\n');
  const target = path.join(tmp, 'one.solo.svg');
  let r = netspec(['diagram', spec]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), target);
  const els = parseXml(fs.readFileSync(target, 'utf8'));
  assert.equal(classed(els, 'neuron').length, 2);
  assert.equal(classed(els, 'edge').length, 1);
  assert.equal(classed(els, 'edge')[0].attrs['data-grad'], undefined, 'no probe: no gradients');
  r = netspec(['diagram', spec]);
  assert.equal(r.code, 2);
  assert.match(r.err, /already exists; use --force/);
  r = netspec(['diagram', spec, '--force']);
  assert.equal(r.code, 0, r.err);
  const other = path.join(tmp, 'figure.svg');
  r = netspec(['diagram', spec, '-o', other]);
  assert.equal(r.code, 0, r.err);
  assert.equal(fs.readFileSync(other, 'utf8'), fs.readFileSync(target, 'utf8'));
});

test('bad input: a clear one-line reason and the exit code, never a stack trace', () => {
  const two = file('pair.netspec', EXPLICIT);
  const cases: { args: string[]; code: number; err: RegExp }[] = [
    { args: ['diagram', two, '-o', '-'], code: 2, err: /diagram needs --network NAME: it defines `a`, `b`/ },
    { args: ['diagram', two, '--network', 'c', '-o', '-'], code: 2, err: /has no network named `c`: it defines `a`, `b`/ },
    { args: ['diagram', file('none.netspec', 'eval 1\n'), '-o', '-'], code: 2, err: /diagram needs a `network`, and it defines none/ },
    { args: ['diagram', file('bad.netspec', 'network n {\n  input x[2]\n  dense y[1] sigmod\n}\n'), '-o', '-'], code: 1, err: /unknown-activation[\s\S]*has errors; no diagram was written/ },
    { args: ['diagram', two, '--network', 'a', '-o', path.join(tmp, 'no-such-folder', 'x.svg')], code: 2, err: /cannot write .*x\.svg: no such folder/ },
    { args: ['diagram', two, '--network', 'a', '-o', tmp, '--force'], code: 2, err: /cannot write .*: it is a directory/ },
    { args: ['diagram', path.join(tmp, 'missing.netspec')], code: 2, err: /cannot read .*missing\.netspec: no such file/ },
    { args: ['diagram', two, '--to', 'pytorch'], code: 2, err: /--to is an option of export, not of diagram/ },
    { args: ['diagram', two, '--json'], code: 2, err: /--json is not one of its options/ },
  ];
  for (const c of cases) {
    const r = netspec(c.args);
    assert.equal(r.code, c.code, `${c.args.join(' ')}: ${r.err}`);
    assert.match(r.err, c.err);
    assert.equal(r.out, '');
    noStack(r.err);
  }
});
