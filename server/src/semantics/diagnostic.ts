import type { Span } from '../syntax/text';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Where docs/LANGUAGE.md explains most codes: its "Diagnostic codes" table. */
const TABLE = 'diagnostic-codes';

/**
 * Every diagnostic code NetSpec reports, with the anchor of docs/LANGUAGE.md that explains it (a
 * numeric warning has a paragraph of its own). A code is reported only if it is a key here — the
 * compiler holds every `code` to `DiagnosticCode`, syntax errors' included — and
 * test/unit/diagnostic-codes.test.ts holds docs/LANGUAGE.md to every key.
 */
export const DIAGNOSTIC_DOCS = {
  // The text does not lex or parse (syntax/).
  'invalid-character': TABLE, 'bad-number': TABLE, 'number-overflow': TABLE, 'bad-escape': TABLE,
  'unterminated-string': TABLE, 'syntax': TABLE, 'unclosed-block': TABLE, 'reserved-word': TABLE,
  'too-deep': TABLE, 'too-large': TABLE,
  // Names.
  'unknown-name': TABLE, 'unknown-function': TABLE, 'unknown-activation': TABLE, 'unknown-loss': TABLE,
  'unknown-init': TABLE, 'unknown-layer': TABLE, 'unknown-network': TABLE, 'unknown-data': TABLE,
  'unknown-option': TABLE, 'unknown-optimizer': TABLE, 'unknown-schedule': TABLE, 'unknown-precision': TABLE, 'unknown-generator': TABLE, 'unknown-argument': TABLE,
  'duplicate-name': TABLE, 'duplicate-layer': TABLE, 'duplicate-setting': TABLE, 'builtin-name': TABLE,
  'shadowing': TABLE,
  // Kinds, shapes, ranges, structure.
  'not-a-value': TABLE, 'not-a-function': TABLE, 'not-a-network': TABLE, 'not-data': TABLE,
  'network-derivative': TABLE, 'derivative-order': TABLE, 'arity': TABLE, 'type': TABLE, 'shape': TABLE,
  'out-of-range': TABLE, 'too-many-parameters': TABLE, 'too-many-samples': TABLE, 'empty-data': TABLE,
  'input-count': TABLE, 'input-first': TABLE, 'input-parameters': TABLE, 'missing-input': TABLE,
  'missing-dense': TABLE, 'nobias': TABLE, 'cycle': TABLE, 'recursion': TABLE, 'eval': TABLE,
  'loss-activation': TABLE, 'softmax-one-unit': TABLE, 'missing-loss': TABLE, 'function-inputs': TABLE,
  'standardize': TABLE,
  // Numeric warnings: from what the file evaluates (analysis/numeric.ts), and training runs.
  'saturated': 'saturated', 'dead-relu': 'dead-relu', 'not-finite': 'not-finite',
  'exploding-gradient': 'exploding-gradient', 'loss-domain': 'loss-domain', 'diverged': 'diverged',
  // After a run in the editor: the loss rose; trained weights dropped for a changed definition.
  'loss-rose': 'loss-rose', 'trained-weights-dropped': 'trained-weights-dropped',
  // The editor's: a data file not read in Restricted Mode; a bug of ours, reported where it struck.
  'restricted': TABLE, 'internal': TABLE,
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_DOCS;

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
  code: DiagnosticCode;
  message: string;
  span: Span;
  suggestion?: Suggestion;
}

/** "the weights …" → "The weights …": a message built from a phrase starts with a capital. */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `d` moved by `delta` code units, suggestion and all (a new object: `d` may belong to an earlier analysis). */
export function shifted(d: Diagnostic, delta: number): Diagnostic {
  const copy: Diagnostic = { ...d, span: { start: d.span.start + delta, end: d.span.end + delta } };
  if (d.suggestion) copy.suggestion = { ...d.suggestion, span: { start: d.suggestion.span.start + delta, end: d.suggestion.span.end + delta } };
  return copy;
}
