/**
 * Every scalar built-in of the engine's list (server/src/engine/activations.ts), as the PyTorch
 * export translates it (server/src/export/expr-python.ts), against the engine at the same points:
 * g(z), g'(z) from (z, y) as a layer's backward pass computes it, and g'(z) as inside a `fn`'s
 * derivative. The training runs of pytorch.test.ts then test the translations in use.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SCALAR_FUNCTIONS } from '../../server/src/engine/activations';
import * as E from '../../server/src/engine/expr';
import { PythonFunctions } from '../../server/src/export/expr-python';
import { decodeNumbers, Discrepancies, PYTHON, requireTorch } from '../oracle/oracle';

/** Both tails, both sides of the kinks at 0, and 0 itself (log and sqrt are NaN below it in both). */
const POINTS = [-30, -3, -1, -0.3, 0, 0.4, 1, 2.7, 30];

/** The Python names of g, g' (z, y) and g' (z) for each built-in, from one PythonFunctions. */
function translate() {
  const probe = (name: string) => `probe_${name}`;
  const fns = new Map(SCALAR_FUNCTIONS.map((f) => [probe(f.name), { param: 'z', body: E.call(f.name, 0, [{ op: 'var', name: 'z' }]) }]));
  const py = new PythonFunctions({ vars: { get: () => undefined }, fns });
  const names = SCALAR_FUNCTIONS.map((f) => {
    const layer = py.layerActivation(f.name, []);
    // A fn whose body is the built-in: its derivative calls the built-in's first derivative.
    const d1 = py.layerActivation(probe(f.name), []).gPrime;
    return { name: f.name, ...layer, d1 };
  });
  return { source: py.source(), names };
}

test('every built-in exported to PyTorch computes what the engine computes (value, layer derivative, first derivative)', () => {
  requireTorch();
  const { source, names } = translate();
  const calls = names.map(({ name, g, gPrime, params, d1 }) => {
    const a = params.map((x) => `, ${x}`).join('');
    return `    ${JSON.stringify(name)}: {"value": out(${g}(z${a})), "prime": out(${gPrime}(z, ${g}(z${a})${a})), "d1": out(${d1}(z, None))},`;
  });
  const script = [
    'import json, math',
    'import torch',
    'torch.set_default_dtype(torch.float64)',
    '',
    source,
    '',
    'def out(t):',
    '    return [x if math.isfinite(x) else str(x).replace("inf", "Infinity").replace("nan", "NaN") for x in t.tolist()]',
    '',
    `z = torch.tensor(${JSON.stringify(POINTS)})`,
    'print(json.dumps({',
    ...calls,
    '}))',
    '',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-builtins-'));
  try {
    const file = path.join(dir, 'builtins.py');
    fs.writeFileSync(file, script);
    const r = spawnSync(PYTHON, [file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `the exported built-ins failed to run:\n${r.stderr}`);
    const got = decodeNumbers(JSON.parse(r.stdout)) as Record<string, { value: number[]; prime: number[]; d1: number[] }>;
    const d = new Discrepancies();
    for (const f of SCALAR_FUNCTIONS) {
      const p = f.params.map((q) => q.default);
      const where = 'server/src/export/expr-python.ts';
      POINTS.forEach((z, i) => {
        const y = f.value(z, p);
        d.check(`${where}: ${f.name}(${z}), value`, got[f.name].value[i], y);
        d.check(`${where}: ${f.name}'(${z}), prime (from z and y, as a layer)`, got[f.name].prime[i], f.derivative(z, y, p));
        d.check(`${where}: ${f.name}'(${z}), d1 (inside a fn's derivative)`, got[f.name].d1[i], f.nth(1, z, p));
      });
    }
    d.assertNone('the exported built-ins against the engine');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
