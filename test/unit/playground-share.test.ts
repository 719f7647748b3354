/**
 * The playground's share links (client/src/playground/share.ts): `#code/` + lz-string's
 * compressToEncodedURIComponent, the TypeScript playground's convention. Every text a link may
 * carry comes back exactly; a text over the limit is refused; a link that cannot be read says why
 * and never throws.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import LZString from 'lz-string';
import { CODE_PREFIX, MAX_SHARED_CHARS, shareFragment, textOfFragment } from '../../client/src/playground/share';
import { SeededRandom } from '../support/random';
import { specCorpus } from '../support/sources';

function roundTrip(text: string): string {
  const link = shareFragment(text);
  assert.ok('fragment' in link, `refused a text of ${text.length} characters`);
  assert.ok(link.fragment.startsWith(CODE_PREFIX));
  // What a browser does to the address: the fragment must need no escaping to survive it.
  assert.equal(encodeURI(link.fragment), link.fragment);
  const back = textOfFragment(link.fragment);
  assert.ok(back && 'text' in back, JSON.stringify(back));
  return back.text;
}

test('every example and golden case comes back exactly from its link, in the TypeScript playground\'s encoding', () => {
  for (const { name, text } of specCorpus()) {
    assert.equal(roundTrip(text), text, name);
    const link = shareFragment(text);
    assert.ok('fragment' in link);
    assert.equal(link.fragment, '#code/' + LZString.compressToEncodedURIComponent(text), name);
  }
});

test('random texts (non-ASCII, astral characters, line breaks of every kind) come back exactly', () => {
  const r = new SeededRandom(14);
  const pieces = ['network', ' ', '\n', '\r\n', '\t', 'σ(z) = 1/(1+e⁻ᶻ)', 'ε', '😀', '𝑥', 'é', '#', '"', '\\', '{', '}', '0.5', 'x²'];
  for (let i = 0; i < 200; i++) {
    const text = Array.from({ length: r.int(1, 300) }, () => r.pick(pieces)).join('');
    assert.equal(roundTrip(text), text);
  }
});

test('a text at the limit is shared; one character more is refused with the limit in the message', () => {
  const at = 'x'.repeat(MAX_SHARED_CHARS);
  assert.equal(roundTrip(at), at);
  const over = shareFragment(at + 'x');
  assert.ok('error' in over);
  assert.match(over.error, /100,001 characters.*at most 100,000/);
});

test('a link that cannot be read gives a reason, never a throw or a wrong text', () => {
  assert.equal(textOfFragment(''), undefined);
  assert.equal(textOfFragment('#section-2'), undefined);
  const cases: [string, RegExp][] = [
    ['#code/', /no code/],
    ['#code/not a link!', /characters a share link never contains/],
    ['#code/this-is-not-a-share-link', /damaged/],
    ['#code/AAAA', /damaged/],
    ['#code/' + 'A'.repeat(2 * MAX_SHARED_CHARS + 1), /too long/],
  ];
  for (const [fragment, reason] of cases) {
    const r = textOfFragment(fragment);
    assert.ok(r && 'error' in r, `${fragment.slice(0, 40)}: ${JSON.stringify(r)}`);
    assert.match(r.error, reason);
  }
  // Cut links: each prefix of a real link decodes to an error or to a text, never throws.
  const link = shareFragment(specCorpus()[0].text);
  assert.ok('fragment' in link);
  for (let n = CODE_PREFIX.length; n < link.fragment.length; n += 7) {
    const r = textOfFragment(link.fragment.slice(0, n));
    assert.ok(r && ('error' in r || typeof r.text === 'string'));
  }
  // A link to a text over the limit (made by another tool) is refused after decoding.
  const big = textOfFragment('#code/' + LZString.compressToEncodedURIComponent('y'.repeat(MAX_SHARED_CHARS + 1)));
  assert.ok(big && 'error' in big);
  assert.match(big.error, /too long/);
});
