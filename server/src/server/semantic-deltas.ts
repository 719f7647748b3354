import type { SemanticTokens, SemanticTokensDelta, SemanticTokensEdit } from 'vscode-languageserver';

/**
 * The last semantic tokens sent for each open document, so that the next request can be answered
 * with what changed (LSP `textDocument/semanticTokens/full/delta`): after a keystroke in a large
 * file that is a few integers instead of all of them (five per token, 300,000 on the editor
 * bench's 10,000 lines, which both ends then encode and parse as JSON).
 */
export class SemanticTokensCache {
  private readonly last = new Map<string, { resultId: string; data: Int32Array }>();
  private next = 0;

  /** A full answer, remembered as the document's last. */
  full(uri: string, data: Int32Array): SemanticTokens {
    return { resultId: this.remember(uri, data), data: Array.from(data) };
  }

  /** The edit from the answer `previousResultId` to `data`, or a full answer when that is not the last one sent. */
  delta(uri: string, previousResultId: string, data: Int32Array): SemanticTokens | SemanticTokensDelta {
    const previous = this.last.get(uri);
    if (!previous || previous.resultId !== previousResultId) return this.full(uri, data);
    const edit = tokensEdit(previous.data, data);
    return { resultId: this.remember(uri, data), edits: edit ? [edit] : [] };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }

  private remember(uri: string, data: Int32Array): string {
    const resultId = String(++this.next);
    this.last.set(uri, { resultId, data });
    return resultId;
  }
}

/**
 * The one edit that turns `before` into `after` (undefined when they are equal): what lies
 * between their common start and their common end, replaced. Tokens are encoded relative to the
 * one before, so an edit in a line leaves the integers before it and, but for the first token
 * after it, those after it as they were.
 */
export function tokensEdit(before: ArrayLike<number>, after: ArrayLike<number>): SemanticTokensEdit | undefined {
  const n = Math.min(before.length, after.length);
  let start = 0;
  while (start < n && before[start] === after[start]) start++;
  if (start === before.length && start === after.length) return undefined;
  let end = 0;
  while (end < n - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, deleteCount: before.length - start - end, data: Array.prototype.slice.call(after, start, after.length - end) as number[] };
}
