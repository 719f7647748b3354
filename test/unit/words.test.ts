/**
 * The words users read speak of the network and the chain rule, and cite docs/LANGUAGE.md by its
 * own headings: never the document NetSpec grew from (which no user has seen) nor the numbered
 * sections of a specification outside the repository. Checked over the README, the language
 * reference, the manifest's texts and snippets, and every hover, diagnostic and inlay hint the
 * examples and golden cases produce.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { hoverAt } from '../../server/src/analysis/hover';
import { DEFAULT_INLAY, inlayHints } from '../../server/src/analysis/inlay';
import { repoRoot } from '../support/paths';
import { specCorpus } from '../support/sources';

/** Phrases that point at documents users never see. */
const FOREIGN = /seed document|seed's|as in the seed|as the seed\b|the seed (says|writes|does)|LANGUAGE\.md (section|version|§|\d)|shared specification|section \d\b/i;

const root = repoRoot();
const read = (...p: string[]) => fs.readFileSync(path.join(root, ...p), 'utf8');

function assertOwnWords(text: string, where: string): void {
  const m = FOREIGN.exec(text);
  assert.equal(m, null, `${where} cites a document users never see: "${m?.[0]}" in …${text.slice(Math.max(0, (m?.index ?? 0) - 60), (m?.index ?? 0) + 60)}…`);
}

test('README, docs/LANGUAGE.md, the manifest and the snippets cite only what users can read', () => {
  assertOwnWords(read('README.md'), 'README.md');
  assertOwnWords(read('docs', 'LANGUAGE.md'), 'docs/LANGUAGE.md');
  assertOwnWords(read('package.json'), 'package.json');
  for (const f of fs.readdirSync(path.join(root, 'snippets'))) assertOwnWords(read('snippets', f), `snippets/${f}`);
});

test('hovers, diagnostics and inlay hints of the examples and golden cases speak in their own words', () => {
  let hovers = 0;
  for (const { name: f, text } of specCorpus()) {
    const a = analyze(text);
    for (const d of a.diagnostics) assertOwnWords(d.message, `${f}: diagnostic ${d.code}`);
    for (const h of inlayHints(a, 0, text.length, { ...DEFAULT_INLAY, derivatives: true })) assertOwnWords(`${h.label} ${h.tooltip ?? ''}`, `${f}: inlay hint`);
    const seen = new Set<string>();
    for (let o = 0; o <= text.length; o++) {
      const h = hoverAt(a, o);
      if (!h || seen.has(h.markdown)) continue;
      seen.add(h.markdown);
      hovers++;
      assertOwnWords(h.markdown, `${f}: hover at offset ${o}`);
    }
  }
  assert.ok(hovers > 50, `only ${hovers} distinct hovers were read`);
});

test('the output layer\'s hover names its gradient factors by the chain rule', () => {
  const text = read('examples', 'xor.netspec');
  const a = analyze(text);
  const h = hoverAt(a, text.indexOf('y[1] sigmoid'));
  assert.ok(h, 'a hover on the output layer');
  assert.match(h.markdown, /At the output layer, by the chain rule: dE\/dwⱼₖ = \(g\(zₖ\) − tₖ\) · g'\(zₖ\) · aⱼ/);
});
