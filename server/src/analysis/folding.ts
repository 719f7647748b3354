import { lex } from '../syntax/lexer';
import { LineIndex } from '../syntax/text';

/** A foldable run of lines: the editor hides the lines after `startLine` up to `endLine`. */
export interface FoldingRegion {
  startLine: number;
  endLine: number;
  /** Comment runs fold as comments (an editor may fold them by default); blocks have no kind. */
  kind?: 'comment';
}

/**
 * Folding ranges: every `{ … }` block that spans lines (from the line of `{` to the line before
 * `}`, so the closing brace stays visible) and every run of two or more full-line comments on
 * consecutive lines. Works from tokens, so an unclosed block or a file with errors still folds
 * what it can. Sorted by start line.
 */
export function foldingRegions(text: string): FoldingRegion[] {
  const lines = new LineIndex(text);
  const { tokens, comments } = lex(text);
  const regions: FoldingRegion[] = [];

  // Lines by `lineOf` (no position objects), and which lines a token ends on as a bitmap: this
  // runs over every token of the file whenever the editor asks, after each pause in typing.
  const open: number[] = [];
  const tokenEnds = new Uint8Array(lines.lineCount);
  for (const t of tokens) {
    if (t.kind === 'eof') continue;
    tokenEnds[lines.lineOf(t.end)] = 1;
    if (t.kind !== 'punct') continue;
    if (t.text === '{') open.push(lines.lineOf(t.start));
    else if (t.text === '}' && open.length) {
      const startLine = open.pop()!;
      const endLine = lines.lineOf(t.start) - 1;
      if (endLine > startLine) regions.push({ startLine, endLine });
    }
  }

  // A comment is full-line when no token ends on its line before it.
  let run: { first: number; last: number } | undefined;
  const flush = () => {
    if (run && run.last > run.first) regions.push({ startLine: run.first, endLine: run.last, kind: 'comment' });
    run = undefined;
  };
  for (const c of comments) {
    const line = lines.lineOf(c.start);
    if (tokenEnds[line]) {
      flush();
      continue;
    }
    if (run && line === run.last + 1) run.last = line;
    else {
      flush();
      run = { first: line, last: line };
    }
  }
  flush();
  return regions.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
