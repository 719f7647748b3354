import type { Span } from '../syntax/text';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A replacement the editor can offer as a quick fix. */
export interface Suggestion {
  title: string;
  span: Span;
  newText: string;
}

/** A problem found in a file, as plain data: offsets, not editor positions. */
export interface Diagnostic {
  severity: Severity;
  /** Stable identifier, e.g. `unknown-activation`; documented in docs/LANGUAGE.md. */
  code: string;
  message: string;
  span: Span;
  suggestion?: Suggestion;
}

/** "the weights …" → "The weights …": a message built from a phrase starts with a capital. */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
