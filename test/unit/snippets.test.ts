/** snippets/netspec.json: VS Code's snippet format, and every skeleton, as inserted, is a valid file. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { repoRoot } from '../support/paths';

type Snippet = { prefix: string; description: string; body: string[] };

/** The text a snippet inserts when every placeholder keeps its default (a choice, its first option). */
function expand(body: string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|((?:[^|\\]|\\.)*)\|\}/g, (_, choices: string) => choices.split(/(?<!\\),/)[0].replace(/\\(.)/g, '$1'))
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '');
}

const snippets = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'snippets', 'netspec.json'), 'utf8')) as Record<string, Snippet>;

test('every snippet has a prefix, a description and a body of lines', () => {
  for (const [name, s] of Object.entries(snippets)) {
    assert.equal(typeof s.prefix, 'string', name);
    assert.ok(s.description.length > 10, name);
    assert.ok(Array.isArray(s.body) && s.body.every((l) => typeof l === 'string'), name);
  }
  assert.deepEqual(Object.keys(snippets), ['network', 'data', 'data generator', 'data from file', 'train', 'probe', 'fn']);
});

test('the skeletons, as inserted, make a file with no errors', () => {
  const text = Object.values(snippets).map((s) => expand(s.body)).join('\n');
  assert.match(text, /optimizer {5}sgd/);
  const errors = analyze(text).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.code}: ${d.message}`), []);
});

test('a choice keeps an escaped comma inside its option', () => {
  assert.equal(expand(['${1|adam(0.9\\, 0.999),sgd|}']), 'adam(0.9, 0.999)');
});
