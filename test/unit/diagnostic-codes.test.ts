/**
 * Every diagnostic code is explained in docs/LANGUAGE.md, where the editor's link for it points.
 * The codes are the keys of DIAGNOSTIC_DOCS (the compiler holds every reported code to them);
 * this holds the docs to the keys, both ways.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DIAGNOSTIC_DOCS, type DiagnosticCode } from '../../server/src/semantics/diagnostic';
import { repoRoot } from '../support/paths';

const doc = fs.readFileSync(path.join(repoRoot(), 'docs', 'LANGUAGE.md'), 'utf8');
const codes = Object.keys(DIAGNOSTIC_DOCS) as DiagnosticCode[];

test('docs/LANGUAGE.md explains every diagnostic code', () => {
  const missing = codes.filter((c) => !doc.includes(`\`${c}\``));
  assert.deepEqual(missing, [], `add these codes to docs/LANGUAGE.md ("Diagnostic codes", or a numeric warning's paragraph): ${missing.join(', ')}`);
});

test('every code\'s link points at an anchor docs/LANGUAGE.md has', () => {
  const anchors = new Set([...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
  for (const c of codes) assert.ok(anchors.has(DIAGNOSTIC_DOCS[c]), `\`${c}\` links to #${DIAGNOSTIC_DOCS[c]}, which docs/LANGUAGE.md lacks`);
});

test('the docs\' table of codes lists only codes NetSpec reports', () => {
  const table = doc.slice(doc.indexOf('## Diagnostic codes'));
  const listed = table.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]));
  assert.ok(listed.length > 40, `only ${listed.length} codes read from the table`);
  const stale = listed.filter((c) => !(c in DIAGNOSTIC_DOCS));
  assert.deepEqual(stale, [], `docs/LANGUAGE.md lists codes that nothing reports: ${stale.join(', ')}`);
});
