import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { TextDocumentsConfiguration } from 'vscode-languageserver';
import type { Unchanged } from '../analysis/incremental';

/**
 * What the editor's changes to each open document left of the text last analysed, from the
 * ranges of its `didChange` messages: the incremental analysis then compares the two texts only
 * around the edit (incremental.ts `Unchanged`) instead of from each end, which on a 10,000-line
 * file is about half a millisecond of every keystroke.
 *
 * A change that replaces [start, end) of a text of length n leaves its first `start` and its last
 * n − end code units. Several changes before one analysis (changes that arrive together, or a
 * debounced burst) leave at least the least of each: what the first leaves at the start, the
 * second leaves at the start of the first's result, and so on.
 */
export class DocumentEdits {
  /** Per document, since its last analysis: the lower bounds, or 'whole' after a change without a range. */
  private readonly since = new Map<string, Unchanged | 'whole'>();

  /** The TextDocuments configuration that applies changes as `TextDocument` does, noting each one's bounds first. */
  readonly configuration: TextDocumentsConfiguration<TextDocument> = {
    create: (uri, languageId, version, content) => {
      this.since.set(uri, 'whole');
      return TextDocument.create(uri, languageId, version, content);
    },
    update: (document, changes, version) => {
      // One change at a time, each measured against the text it applies to.
      for (const change of changes) {
        this.note(document, change);
        TextDocument.update(document, [change], version);
      }
      return TextDocument.update(document, [], version);
    },
  };

  private note(document: TextDocument, change: TextDocumentContentChangeEvent): void {
    const before = this.since.get(document.uri);
    if (before === 'whole') return;
    if (!('range' in change)) {
      this.since.set(document.uri, 'whole');
      return;
    }
    const [a, b] = [document.offsetAt(change.range.start), document.offsetAt(change.range.end)];
    const prefix = Math.min(a, b);
    const suffix = document.getText().length - Math.max(a, b);
    this.since.set(document.uri, before ? { prefix: Math.min(before.prefix, prefix), suffix: Math.min(before.suffix, suffix) } : { prefix, suffix });
  }

  /**
   * What the changes since the document's last analysis left of the text then (undefined when
   * one replaced it whole, or it was just opened), and from now on, none: called as it is analysed.
   */
  take(uri: string): Unchanged | undefined {
    const since = this.since.get(uri);
    this.since.delete(uri);
    return since === 'whole' ? undefined : since ?? { prefix: Infinity, suffix: Infinity };
  }

  /** Forgets a closed document. */
  forget(uri: string): void {
    this.since.delete(uri);
  }
}
