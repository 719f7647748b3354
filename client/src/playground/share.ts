import LZString from 'lz-string';

/**
 * Share links: the whole text in the URL's fragment, `#code/<lz-string
 * compressToEncodedURIComponent(text)>`, the TypeScript playground's convention. The fragment never
 * reaches a server, so a link works from any static host, and nothing is stored anywhere else.
 * Pure (no DOM): the unit tests read it.
 */

/** The fragment's prefix. */
export const CODE_PREFIX = '#code/';

/**
 * The longest text a link carries: 100,000 characters. The examples are 1–2 KB and a learner's
 * file rarely 10 KB; at 100 KB the compressed fragment is still a few tens of KB, which browsers
 * accept in an address (Chromium up to 2 MB) and chat and mail programs pass on, where a text ten
 * times larger would make a link few of them keep whole.
 */
export const MAX_SHARED_CHARS = 100_000;

/**
 * The longest fragment decoded. lz-string's output is at worst about 1.1 × the text's length
 * (incompressible text), so a valid link to an allowed text is never longer than this; a longer
 * one is refused before decompressing what could be far more than any text allowed.
 */
const MAX_FRAGMENT_CHARS = 2 * MAX_SHARED_CHARS;

/** `#code/…` for a text, or why it cannot be shared. */
export function shareFragment(text: string): { fragment: string } | { error: string } {
  if (text.length > MAX_SHARED_CHARS) {
    return { error: `The text is too long to share as a link: ${text.length.toLocaleString('en')} characters, and a link carries at most ${MAX_SHARED_CHARS.toLocaleString('en')}.` };
  }
  return { fragment: CODE_PREFIX + LZString.compressToEncodedURIComponent(text) };
}

/**
 * The text a fragment carries: undefined when it is no `#code/` link at all, otherwise the text
 * or why the link cannot be read.
 */
export function textOfFragment(fragment: string): { text: string } | { error: string } | undefined {
  if (!fragment.startsWith(CODE_PREFIX)) return undefined;
  const code = fragment.slice(CODE_PREFIX.length);
  if (code.length === 0) return { error: 'The link has no code after #code/.' };
  if (code.length > MAX_FRAGMENT_CHARS) return { error: `The link is too long: a link carries at most ${MAX_SHARED_CHARS.toLocaleString('en')} characters of text.` };
  if (!/^[A-Za-z0-9+\-$]*$/.test(code)) return { error: 'The link is damaged: its code has characters a share link never contains (was it cut or edited?).' };
  let text: string | null;
  try {
    text = LZString.decompressFromEncodedURIComponent(code);
  } catch {
    text = null;
  }
  if (text === null || text === '') return { error: 'The link is damaged: its code does not decode to any text (was it cut short?).' };
  if (!looksLikeText(text)) return { error: 'The link is damaged: its code decodes to something that is not text (was it cut short?).' };
  if (text.length > MAX_SHARED_CHARS) return { error: `The link's text is too long: ${text.length.toLocaleString('en')} characters, and a link carries at most ${MAX_SHARED_CHARS.toLocaleString('en')}.` };
  return { text };
}

/**
 * Whether a decoded string can be a text from the editor. A cut link often still decompresses to
 * something; halves of surrogate pairs, which no text read or typed as UTF-8 holds, tell some of
 * those apart. (Control characters do not: a pasted text may hold them, and the checker reports
 * them, so a link carries them as they are.)
 */
function looksLikeText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
