import type * as M from 'monaco-editor/editor/editor.api.js';
import type * as L from 'vscode-languageserver-protocol/browser';
import { toRange } from './convert';
import type { Monaco } from './monaco';

/**
 * The server's diagnostics as Monaco markers (the squiggles, the hover's problem part, F8). The
 * diagnostics of the model's current version are kept as they came, since a quick fix request
 * sends them back to the server. A diagnostic's code links to the language reference; the server
 * points at LANGUAGE.md beside its script, the page at its rendered copy, docs/language.html.
 */
export class Markers {
  /** The current version's diagnostics, as the server sent them. */
  current: L.Diagnostic[] = [];
  /** How many publishDiagnostics arrived for the model's current version (the bench's hook reads it). */
  seenForVersion = 0;
  private seenVersion: number | undefined;

  constructor(private readonly monaco: Monaco, private readonly model: M.editor.ITextModel) {}

  /** Applies a publishDiagnostics, unless it is for an older version than the model's. */
  publish(p: L.PublishDiagnosticsParams): void {
    const version = this.model.getVersionId();
    if (p.version !== undefined && p.version !== version) return;
    if (this.seenVersion !== version) {
      this.seenVersion = version;
      this.seenForVersion = 0;
    }
    this.seenForVersion++;
    this.current = p.diagnostics;
    this.monaco.editor.setModelMarkers(this.model, 'netspec', p.diagnostics.map((d) => this.toMarker(d)));
  }

  /** Diagnostics published for the model's current version (0 while its check is pending). */
  seen(): number {
    return this.seenVersion === this.model.getVersionId() ? this.seenForVersion : 0;
  }

  clear(): void {
    this.current = [];
    this.monaco.editor.setModelMarkers(this.model, 'netspec', []);
  }

  private toMarker(d: L.Diagnostic): M.editor.IMarkerData {
    const S = this.monaco.MarkerSeverity;
    const severity = d.severity === 1 ? S.Error : d.severity === 2 ? S.Warning : d.severity === 3 ? S.Info : S.Hint;
    const target = d.codeDescription?.href && referenceAddress(d.codeDescription.href);
    const code = d.code === undefined ? undefined : target ? { value: String(d.code), target: this.monaco.Uri.parse(target) } : String(d.code);
    const tags = (d.tags ?? []).map((t) => (t === 1 ? this.monaco.MarkerTag.Unnecessary : this.monaco.MarkerTag.Deprecated));
    return { ...toRange(d.range), severity, message: typeof d.message === 'string' ? d.message : d.message.value, source: d.source, code, tags };
  }
}

/** `…/LANGUAGE.md#anchor` → the page's rendered reference at that anchor. */
function referenceAddress(href: string): string {
  const m = /LANGUAGE\.md(#.*)?$/.exec(href);
  return m ? new URL(`docs/language.html${m[1] ?? ''}`, document.baseURI).href : href;
}
