/** A tiny XML check for the SVGs the tests read: no parser dependency. */
import assert from 'node:assert/strict';

export interface Element {
  name: string;
  attrs: Record<string, string>;
}

/**
 * Checks that text is one well-formed XML element (balanced tags, quoted attributes, no stray
 * `<` or unescaped `&` in text) and returns every element with its attributes.
 */
export function parseXml(text: string): Element[] {
  const elements: Element[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*(\/?)>/y;
  const attr = /\s+([A-Za-z][\w:-]*)="([^"<]*)"/g;
  let i = 0;
  let roots = 0;
  while (i < text.length) {
    if (text[i] !== '<') {
      const end = text.indexOf('<', i);
      const chunk = text.slice(i, end < 0 ? text.length : end);
      assert.ok(stack.length > 0 || chunk.trim() === '', `text outside the root: ${chunk}`);
      assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(chunk), `unescaped & in ${chunk}`);
      i = end < 0 ? text.length : end;
      continue;
    }
    tag.lastIndex = i;
    const m = tag.exec(text);
    assert.ok(m, `malformed tag at ${i}: ${text.slice(i, i + 60)}`);
    const [whole, close, name, attrs, selfClose] = m;
    if (close) {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (stack.length === 0) roots++;
      const parsed: Record<string, string> = {};
      for (const a of attrs.matchAll(attr)) {
        assert.ok(!(a[1] in parsed), `duplicate attribute ${a[1]} on <${name}>`);
        assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(a[2]), `unescaped & in ${a[1]}`);
        parsed[a[1]] = a[2];
      }
      elements.push({ name, attrs: parsed });
      if (!selfClose) stack.push(name);
    }
    i += whole.length;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'one root element');
  return elements;
}
