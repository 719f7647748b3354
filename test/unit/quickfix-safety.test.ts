/**
 * Every quick fix the checker offers, applied to every golden case and example: the result
 * still parses (no new syntax error), the diagnostic it fixes is gone, and nothing new breaks.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { SYNTAX_CODES } from '../../server/src/syntax/lexer';
import { specCorpus } from '../support/sources';

const SYNTAX = new Set<string>(SYNTAX_CODES);

test('quick fixes on every golden case and example: parse, fix, break nothing', () => {
  let applied = 0;
  for (const { name: file, text } of specCorpus()) {
    const before = analyze(text);
    const syntaxBefore = before.diagnostics.filter((d) => SYNTAX.has(d.code)).length;
    for (const d of before.diagnostics) {
      if (!d.suggestion) continue;
      const s = d.suggestion;
      const start = before.lines.offset(s.range.start);
      const end = before.lines.offset(s.range.end);
      const fixed = text.slice(0, start) + s.newText + text.slice(end);
      const after = analyze(fixed);
      const where = `${path.basename(file)}: ${d.code} at ${d.range.start.line}:${d.range.start.character} (${s.title})`;
      assert.equal(after.diagnostics.filter((x) => SYNTAX.has(x.code)).length, syntaxBefore, `${where} introduced a syntax error`);
      const same = after.diagnostics.filter((x) => x.code === d.code && x.message === d.message);
      assert.ok(same.length < before.diagnostics.filter((x) => x.code === d.code && x.message === d.message).length, `${where} did not remove its diagnostic`);
      const errorsBefore = before.diagnostics.filter((x) => x.severity === 'error').length;
      const errorsAfter = after.diagnostics.filter((x) => x.severity === 'error').length;
      assert.ok(errorsAfter <= errorsBefore, `${where}: errors went from ${errorsBefore} to ${errorsAfter}`);
      applied++;
    }
  }
  assert.ok(applied >= 20, `only ${applied} quick fixes were exercised`);
});
