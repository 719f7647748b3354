/**
 * Numbers in messages and hovers are grouped by threes without ICU (`groupDigits`, in the engine
 * and, for the parser, in the syntax layer): the first `toLocaleString` maps about 5 MB of locale
 * data into the language server for good, so the server's code calls nothing that loads it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupDigits as engineDigits } from '../../server/src/engine/value';
import { groupDigits as syntaxDigits } from '../../server/src/syntax/text';
import { readSource, sourceFiles } from '../support/sources';

test('groupDigits writes whole numbers as toLocaleString(\'en-US\') does', () => {
  const numbers = [0, 7, 42, 999, 1000, 1001, 12345, 999999, 1_000_000, 2_000_003, 123_456_789_012, -1234, -999];
  for (let i = 0; i < 200; i++) numbers.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
  for (const n of numbers) {
    const expected = n.toLocaleString('en-US');
    assert.equal(engineDigits(n), expected, `engine: ${n}`);
    assert.equal(syntaxDigits(n), expected, `syntax: ${n}`);
  }
});

test('the server\'s code calls nothing that loads ICU\'s locale data', () => {
  const found: string[] = [];
  for (const file of sourceFiles('server/src', '.ts')) {
    readSource(file).split('\n').forEach((line, i) => {
      if (/^\s*(\*|\/\/)/.test(line)) return; // comments
      if (/toLocale\w*\(|\bIntl\.|localeCompare\(|\.normalize\(|\\p\{/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, [], 'use groupDigits (engine/value.ts) instead');
});
