/**
 * The caps on a CSV data file (docs/LANGUAGE.md, "data"): at most 64 MiB and 1,000,000 rows. A
 * file past either is refused with its size or row count, before anything trains. (That a data
 * file must stay inside the spec's folder is test/cli/train.test.ts's.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { CSV_MAX_CHARS, CSV_MAX_SAMPLES } from '../../server/src/engine/datasets';
import { cliPath } from '../support/paths';

const SPEC = (csv: string) => `network a {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata pts from "${csv}"\ntrain a on pts { epochs 1 }\n`;

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-csv-limits-'));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function train(csv: string) {
  const spec = path.join(dir, `${csv}.netspec`);
  fs.writeFileSync(spec, SPEC(csv));
  return spawnSync(process.execPath, [cliPath(), 'train', spec, '--json'], { encoding: 'utf8' });
}

test('a CSV file of more than 64 MiB is refused by its size, unread (exit 2)', () => {
  assert.equal(CSV_MAX_CHARS, 64 * 1024 * 1024);
  const big = path.join(dir, 'big.csv');
  fs.writeFileSync(big, '0,0,0\n');
  fs.truncateSync(big, CSV_MAX_CHARS + 1); // sparse: no 64 MiB written to disk
  const r = train('big.csv');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /error \[data-file\] cannot read "big\.csv" for `pts`: it has 67108865 bytes; the limit is 67108864\./);
  assert.deepEqual(JSON.parse(r.stdout).runs, []);
});

test('a CSV file of more than 1,000,000 rows is refused at the first row past the cap (exit 1)', () => {
  assert.equal(CSV_MAX_SAMPLES, 1_000_000);
  fs.writeFileSync(path.join(dir, 'rows.csv'), '0,1,1\n'.repeat(CSV_MAX_SAMPLES + 1));
  const r = train('rows.csv');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /rows\.csv:1000001:1: error \[csv\] More than 1000000 rows; that is the limit/);
  assert.deepEqual(JSON.parse(r.stdout).runs, []);
});
