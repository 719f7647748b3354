/**
 * Golden tests: each `cases/NAME.netspec` is analysed, and what the editor and the CLI would
 * show — diagnostics with their exact ranges, eval values, probe results — is compared with
 * `cases/NAME.expected.json`. After an intended change, regenerate with
 * `npm run golden:update` and review the diff.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { repoRoot } from '../support/paths';

const dir = path.join(repoRoot(), 'test', 'golden', 'cases');
const update = process.env.NETSPEC_UPDATE_GOLDEN === '1';

/** Numbers rounded to 12 significant digits, so the goldens do not pin the last bits of rounding. */
function round(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? Number(v.toPrecision(12)) : String(v);
  if (Array.isArray(v)) return v.map(round);
  return v;
}

function snapshot(text: string) {
  const a = analyze(text);
  return {
    diagnostics: a.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      range: `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`,
      message: d.message,
      ...(d.suggestion ? { suggestion: d.suggestion.newText } : {}),
    })),
    evals: a.evals.map((e) => ({ line: e.line, expr: e.expr, ...(e.value !== undefined ? { value: round(e.value) } : { error: e.error }) })),
    probes: a.probes.map((p) => ({
      line: p.line,
      network: p.network,
      ...(p.result
        ? {
            output: round(p.result.output),
            loss: round(p.result.loss),
            layers: Object.fromEntries(p.result.layers.map((l) => [l.name, { dW: round(l.dW), db: l.db ? round(l.db) : null, delta: round(l.delta) }])),
          }
        : { error: p.error }),
    })),
  };
}

// The golden cases, and the shipped examples (their expectations live beside the cases).
const examples = path.join(repoRoot(), 'examples');
/** JSON with two-space indents, but a vector (or a matrix row) of plain values on one line. */
function pretty(v: unknown): string {
  let s = JSON.stringify(v, null, 2);
  for (let i = 0; i < 2; i++) s = s.replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_m, inner: string) => `[${inner.replace(/\s*\n\s*/g, ' ')}]`);
  return s;
}

const cases = [
  ...fs.readdirSync(dir).filter((f) => f.endsWith('.netspec')).map((f) => ({ input: path.join(dir, f), name: f })),
  ...fs.readdirSync(examples).filter((f) => f.endsWith('.netspec')).map((f) => ({ input: path.join(examples, f), name: `example-${f}` })),
].sort((a, b) => a.name.localeCompare(b.name));
assert.ok(cases.length > 0, `no golden cases in ${dir}`);

for (const { input, name } of cases) {
  test(`golden: ${name}`, () => {
    const text = fs.readFileSync(input, 'utf8');
    const actual = snapshot(text);
    const expectedPath = path.join(dir, name.replace(/\.netspec$/, '.expected.json'));
    if (update) {
      fs.writeFileSync(expectedPath, pretty(actual) + '\n');
      return;
    }
    assert.ok(fs.existsSync(expectedPath), `${expectedPath} is missing; run npm run golden:update to create it, then review it`);
    const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
    assert.deepEqual(actual, expected);
  });
}
