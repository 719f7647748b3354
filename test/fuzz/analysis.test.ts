/**
 * Property tests over every analysis entry the language server uses (test/fuzz/invariants.ts):
 * character soup, near-valid NetSpec from the grammar, and mutations of the examples and golden
 * cases. The suite runs a few thousand cases; `npm run fuzz` runs many more
 * (NETSPEC_FUZZ_RUNS, NETSPEC_FUZZ_SEED to replay a failure: fast-check prints the seed and path).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { charSoup, corpus, mutated, nearValid, nearValidMutated, params } from './generators';
import { checkText } from './invariants';

const files = corpus();

test('fuzz: character soup (any UTF-16, every kind of line break, NUL, astral characters, lone surrogates)', () => {
  fc.assert(fc.property(charSoup, (text) => {
    checkText(text);
  }), params('soup'));
});

test('fuzz: near-valid NetSpec from the grammar', () => {
  fc.assert(fc.property(nearValid, (text) => {
    checkText(text, { positions: 'every' });
  }), params('nearValid'));
});

test('fuzz: near-valid NetSpec, mutated (half-typed states)', () => {
  fc.assert(fc.property(nearValidMutated, (text) => {
    checkText(text, { positions: 'every' });
  }), params('nearValidMutated'));
});

test('fuzz: mutations of the examples and golden cases (delete, insert, duplicate, swap tokens and lines; line breaks)', () => {
  fc.assert(fc.property(mutated(files), (text) => {
    checkText(text, { positions: 100, renames: 2 });
  }), params('mutated'));
});

test('fuzz: the examples and golden cases themselves, every position', () => {
  for (const text of files) checkText(text, { positions: 'every', renames: 20 });
});
