/**
 * language-configuration.json and the manifest's defaults for `[netspec]`: the rules VS Code
 * applies as a person types. The real editor types through them in test/editor/editing.test.ts;
 * here each rule is held to the lines it must (and must not) match, and the formatter's two-space
 * indentation is the editor's default for new files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

const read = (f: string) => JSON.parse(fs.readFileSync(path.join(repoRoot(), f), 'utf8'));
const config = read('language-configuration.json') as {
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: { beforeText: string; afterText?: string; action: { indent: string } }[];
};

test('indentation rules: a line that opens a block indents the next, a closing brace outdents', () => {
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const l of ['network n {', 'train n on d {  # the run', '  data d {', 'network n {   ']) assert.ok(increase.test(l), `opens a block: ${l}`);
  for (const l of ['network n { input x[1] }', '# network n {', 'eval 1', '  dense h[3] tanh', 'data d from "a{b.csv"']) assert.ok(!increase.test(l), `opens no block: ${l}`);
  for (const l of ['}', '  }', '\t}  # end']) assert.ok(decrease.test(l), `closes: ${l}`);
  assert.ok(!decrease.test('  dense h[3] tanh'));
});

test('Enter after an opening brace indents, and between braces puts the closing one a level out', () => {
  const [between, after] = config.onEnterRules;
  assert.ok(new RegExp(between.beforeText).test('network n {') && new RegExp(between.afterText!).test('}'));
  assert.equal(between.action.indent, 'indentOutdent');
  assert.ok(new RegExp(after.beforeText).test('network n {') && !new RegExp(after.beforeText).test('  dense h[3] tanh'));
  assert.equal(after.action.indent, 'indent');
});

test('new .netspec files indent with two spaces, the formatter\'s indentation', () => {
  const defaults = read('package.json').contributes.configurationDefaults['[netspec]'];
  assert.equal(defaults['editor.tabSize'], 2);
  assert.equal(defaults['editor.insertSpaces'], true);
  // Enter accepts a suggestion only when it changes the text: a finished word plus Enter is a line break.
  assert.equal(defaults['editor.acceptSuggestionOnEnter'], 'smart');
  const formatted = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
  assert.match(formatted, /\n {2}input /, 'the examples are indented by two spaces');
});
