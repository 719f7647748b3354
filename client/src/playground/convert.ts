import type * as M from 'monaco-editor/editor/editor.api.js';
import type * as L from 'vscode-languageserver-protocol/browser';

/**
 * LSP ↔ Monaco: positions (LSP: 0-based line and UTF-16 character; Monaco: 1-based line and
 * column, also in UTF-16 code units), ranges, edits and Markdown. Plain functions, no state.
 */

export function toPosition(p: L.Position): M.IPosition {
  return { lineNumber: p.line + 1, column: p.character + 1 };
}

export function fromPosition(p: M.IPosition): L.Position {
  return { line: p.lineNumber - 1, character: p.column - 1 };
}

export function toRange(r: L.Range): M.IRange {
  return { startLineNumber: r.start.line + 1, startColumn: r.start.character + 1, endLineNumber: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function fromRange(r: M.IRange): L.Range {
  return { start: { line: r.startLineNumber - 1, character: r.startColumn - 1 }, end: { line: r.endLineNumber - 1, character: r.endColumn - 1 } };
}

export function toTextEdit(e: L.TextEdit): M.languages.TextEdit {
  return { range: toRange(e.range), text: e.newText };
}

/** Whether two LSP ranges share a position (touching counts: a fix at the end of a word). */
export function overlaps(a: L.Range, b: L.Range): boolean {
  const before = (x: L.Position, y: L.Position) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** A hover's or a completion's documentation as Monaco Markdown (its images: the server's SVG plots as data: URIs). */
export function toMarkdown(content: L.MarkupContent | L.MarkedString | L.MarkedString[] | string | undefined): M.IMarkdownString[] {
  if (content === undefined) return [];
  if (Array.isArray(content)) return content.flatMap((c) => toMarkdown(c));
  if (typeof content === 'string') return [{ value: content }];
  if ('kind' in content) return [{ value: content.kind === 'markdown' ? content.value : escapeMarkdown(content.value), supportHtml: false }];
  return [{ value: '```' + content.language + '\n' + content.value + '\n```' }];
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
