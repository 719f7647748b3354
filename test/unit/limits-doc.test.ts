/**
 * docs/LANGUAGE.md's table of limits says what the code enforces: each number in the table is the
 * constant that bounds it. (What a user sees past each limit is test/protocol/limits.test.ts.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CSV_MAX_CHARS, CSV_MAX_SAMPLES } from '../../server/src/engine/datasets';
import { MAX_DERIVATIVE_ORDER } from '../../server/src/engine/activations';
import { MAX_CALL_DEPTH, MAX_DERIVATIVE_SIZE, MAX_JACOBIAN_SIZE } from '../../server/src/engine/expr';
import { LIMITS } from '../../server/src/semantics/limits';
import { MAX_HEIGHT, MAX_NESTING, MAX_TEXT_LENGTH } from '../../server/src/syntax/parser';
import { repoRoot } from '../support/paths';

/** The limit column of the docs' table, by the text of its first column. */
function documented(): Map<string, string> {
  const doc = fs.readFileSync(path.join(repoRoot(), 'docs', 'LANGUAGE.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Limits'), doc.indexOf('\n## ', doc.indexOf('## Limits') + 1));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what') && !l.startsWith('| ---'));
  return new Map(rows.map((r) => {
    const [what, limit] = r.split('|').slice(1, 3).map((c) => c.trim());
    return [what, limit];
  }));
}

/** The numbers written in a cell: "1 to 100,000" → [1, 100000]; "64 MiB" → [64 MiB in bytes]. */
function numbers(cell: string): number[] {
  return [...cell.replace(/2⁵³ − 1/g, String(2 ** 53 - 1)).matchAll(/(\d[\d,]*(?:\.\d+)?)(\s*MiB)?/g)]
    .map((m) => Number(m[1].replace(/,/g, '')) * (m[2] ? 1024 * 1024 : 1));
}

test('every limit in docs/LANGUAGE.md is the constant the code enforces', () => {
  const table = documented();
  const expect: [string, number[]][] = [
    ['a file', [MAX_TEXT_LENGTH, 16]],
    ['expression nesting', [MAX_NESTING]],
    ['expression height', [MAX_HEIGHT, 1, 1, 1]],
    ['units in a layer', [1, LIMITS.maxUnits]],
    ['parameters in a network', [LIMITS.maxParameters]],
    ['inline samples in a data block', [LIMITS.maxInlineSamples]],
    ['samples from a generator (`n`)', [1, LIMITS.maxInlineSamples * 10]],
    ['a CSV data file', [CSV_MAX_CHARS, CSV_MAX_SAMPLES]],
    ['epochs', [1, LIMITS.maxEpochs]],
    ['seeds', [0, LIMITS.maxSeed]],
    ['derivative order', [MAX_DERIVATIVE_ORDER]],
    ["a `fn`'s derivative", [MAX_DERIVATIVE_SIZE]],
    ["`softmax'(v)`", [MAX_JACOBIAN_SIZE, MAX_JACOBIAN_SIZE, MAX_JACOBIAN_SIZE]],
    ['calls inside calls while evaluating', [MAX_CALL_DEPTH]],
  ];
  for (const [what, values] of expect) {
    const cell = table.get(what);
    assert.ok(cell !== undefined, `docs/LANGUAGE.md's limits table has no row "${what}"; rows: ${[...table.keys()].join(' | ')}`);
    assert.deepEqual(numbers(cell).slice(0, values.length), values, `${what}: "${cell}"`);
  }
});
