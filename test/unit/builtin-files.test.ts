/**
 * The files outside the code that list the built-in functions agree with the engine's list
 * (server/src/engine/activations.ts): the TextMate grammar's names, the snippets' activations
 * and docs/LANGUAGE.md's table. esbuild.js rewrites the first two from the list on every build;
 * the table is written by hand. Each failure names the file and the built-in.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { activationNames, BUILTIN_NAMES, SCALAR_FUNCTIONS } from '../../server/src/engine/activations';
import { repoRoot } from '../support/paths';

const read = (file: string) => fs.readFileSync(path.join(repoRoot(), file), 'utf8');

/** What is in `listed` and not in `expected`, and the reverse, as sentences; empty when equal. */
function differences(file: string, what: string, listed: readonly string[], expected: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of expected) if (!listed.includes(name)) out.push(`${file} has no \`${name}\` in ${what}`);
  for (const name of listed) if (!expected.includes(name)) out.push(`${file} lists \`${name}\` in ${what}, which is not one of them`);
  return out;
}

const REBUILD = 'run `npm run build` (esbuild.js writes these names from server/src/engine/activations.ts) and commit the file';

test('the TextMate grammar highlights exactly the built-in names', () => {
  const grammar = JSON.parse(read('syntaxes/netspec.tmLanguage.json'));
  const match: string = grammar.repository.builtin.match;
  const names = /^\\b\(([^)]*)\)\\b$/.exec(match)?.[1].split('|');
  assert.ok(names, `syntaxes/netspec.tmLanguage.json: the builtin pattern is not \\b(name|…)\\b: ${match}`);
  const found = differences('syntaxes/netspec.tmLanguage.json', 'the built-in function names (repository.builtin)', names, BUILTIN_NAMES);
  assert.deepEqual(found, [], REBUILD);
  // And the pattern, as an editor runs it, finds each name as a whole word.
  const re = new RegExp(match, 'g');
  for (const name of BUILTIN_NAMES) assert.deepEqual(`x ${name}(z) ${name}_x`.match(re), [name], name);
});

test('the network snippet offers every layer activation, and its output layer only activations', () => {
  const network = (JSON.parse(read('snippets/netspec.json')) as Record<string, { body: string[] }>).network.body;
  const choices = network.filter((l) => /^\s*dense\b/.test(l)).map((l) => /\$\{\d+\|([^|]*)\|\}/.exec(l)?.[1].split(','));
  assert.equal(choices.length, 2, 'the network snippet has a hidden and an output layer');
  const [hidden, output] = choices;
  assert.ok(hidden && output, 'each dense line of the network snippet offers a choice of activations');
  const layer = SCALAR_FUNCTIONS.filter((f) => f.activation).map((f) => f.name);
  assert.deepEqual(differences('snippets/netspec.json', "the hidden layer's choice of activations", hidden, layer), [], REBUILD);
  assert.deepEqual(differences('snippets/netspec.json', "the output layer's choice of activations", output, activationNames()).filter((d) => d.includes('not one of them')), []);
});

test("docs/LANGUAGE.md's table of activations has a row for every built-in, and says which a layer takes", () => {
  const doc = read('docs/LANGUAGE.md');
  const start = doc.indexOf('## Activations');
  assert.ok(start >= 0, 'docs/LANGUAGE.md has no section "## Activations"');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const rows = section.split('\n').filter((l) => /^\| `/.test(l)).map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  const names = rows.map((r) => r[0].replace(/`/g, ''));
  const found = differences('docs/LANGUAGE.md', 'the table of section "Activations"', names, BUILTIN_NAMES);
  assert.deepEqual(found, [], 'add a row `| `name` | g(z) | g\'(z) | yes/no |` for each (CONTRIBUTING.md, "Adding an activation")');
  const layer = new Set(activationNames());
  for (const r of rows) {
    const name = r[0].replace(/`/g, '');
    assert.equal(r.at(-1), layer.has(name) ? 'yes' : 'no', `docs/LANGUAGE.md: whether \`${name}\` is a layer's activation`);
  }
});
