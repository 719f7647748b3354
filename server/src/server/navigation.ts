import {
  FoldingRangeKind,
  LSPErrorCodes,
  ResponseError,
  type Connection,
  type FoldingRange,
  type Location,
  type ServerCapabilities,
  type SignatureHelp,
  type TextDocuments,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../analysis/analyze';
import { foldingRegions } from '../analysis/folding';
import { formatEdits } from '../analysis/formatting';
import { definitionAt, referencesAt } from '../analysis/references';
import { prepareRename, rename } from '../analysis/rename';
import { encodedSemanticTokens, SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES } from '../analysis/semantic-tokens';
import { SemanticTokensCache } from './semantic-deltas';
import { signatureHelpAt } from '../analysis/signature';

/**
 * Navigation and editing over LSP: go to definition, find references, rename (with prepare),
 * document formatting, folding, semantic tokens (full document, and deltas from the last answer)
 * and signature help. Each
 * handler translates one plain analysis function (server/src/analysis/) into protocol types.
 *
 * Registers the handlers and returns the capabilities to merge into the initialize result:
 * `capabilities: { ...base, ...registerNavigation(connection, documents, analysisOf) }`.
 */
export function registerNavigation(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  analysisOf: (doc: TextDocument) => FileAnalysis,
): ServerCapabilities {
  /** A request about one open document; a bug of ours is logged and answered with nothing. */
  function onDocument<T>(what: string, uri: string, f: (doc: TextDocument) => T): T | null {
    try {
      const doc = documents.get(uri);
      return doc ? f(doc) : null;
    } catch (err) {
      connection.console.error(`${what} failed: ${err instanceof Error ? err.stack : String(err)}`);
      return null;
    }
  }

  connection.onDefinition((params) => onDocument('definition', params.textDocument.uri, (doc): Location[] => {
    const a = analysisOf(doc);
    const span = definitionAt(a.program, doc.offsetAt(params.position));
    return span ? [{ uri: doc.uri, range: a.lines.range(span) }] : [];
  }));

  connection.onReferences((params) => onDocument('references', params.textDocument.uri, (doc): Location[] => {
    const a = analysisOf(doc);
    return referencesAt(a.program, doc.offsetAt(params.position), params.context.includeDeclaration)
      .map((span) => ({ uri: doc.uri, range: a.lines.range(span) }));
  }));

  connection.onPrepareRename((params) => onDocument('prepareRename', params.textDocument.uri, (doc) => {
    const a = analysisOf(doc);
    const r = prepareRename(a.program, doc.offsetAt(params.position));
    // A refusal is an error the editor shows as it is, rather than a silent "cannot rename".
    if ('error' in r) return new ResponseError<void>(LSPErrorCodes.RequestFailed, r.error);
    return { range: a.lines.range(r.span), placeholder: r.placeholder };
  }));

  connection.onRenameRequest((params) => onDocument('rename', params.textDocument.uri, (doc) => {
    const a = analysisOf(doc);
    const r = rename(a.program, doc.offsetAt(params.position), params.newName);
    if ('error' in r) return new ResponseError<void>(LSPErrorCodes.RequestFailed, r.error);
    const edit: WorkspaceEdit = { changes: { [doc.uri]: r.map((e): TextEdit => ({ range: a.lines.range(e.span), newText: e.newText })) } };
    return edit;
  }));

  connection.onDocumentFormatting((params) => onDocument('formatting', params.textDocument.uri, (doc): TextEdit[] => {
    // The language has one style (2-space indentation), whatever the editor's tab settings.
    const text = doc.getText();
    return formatEdits(text).map((e) => ({ range: { start: doc.positionAt(e.span.start), end: doc.positionAt(e.span.end) }, newText: e.newText }));
  }));

  connection.onFoldingRanges((params) => onDocument('foldingRange', params.textDocument.uri, (doc): FoldingRange[] => {
    return foldingRegions(doc.getText()).map((r) => ({ startLine: r.startLine, endLine: r.endLine, ...(r.kind ? { kind: FoldingRangeKind.Comment } : {}) }));
  }));

  // Full answers, and deltas from the last one sent (semantic-deltas.ts).
  const sent = new SemanticTokensCache();
  documents.onDidClose((e) => sent.forget(e.document.uri));
  const encoded = (doc: TextDocument) => {
    const a = analysisOf(doc);
    return encodedSemanticTokens(a.program, a.lines);
  };
  connection.languages.semanticTokens.on((params) => onDocument('semanticTokens', params.textDocument.uri, (doc) => sent.full(doc.uri, encoded(doc))) ?? { data: [] });
  connection.languages.semanticTokens.onDelta((params) => onDocument('semanticTokens', params.textDocument.uri, (doc) => sent.delta(doc.uri, params.previousResultId, encoded(doc))) ?? { data: [] });

  connection.onSignatureHelp((params) => onDocument('signatureHelp', params.textDocument.uri, (doc): SignatureHelp | null => {
    const h = signatureHelpAt(analysisOf(doc).program, doc.offsetAt(params.position));
    if (!h) return null;
    return {
      signatures: h.signatures.map((s) => ({
        label: s.label,
        ...(s.documentation ? { documentation: { kind: 'markdown' as const, value: s.documentation } } : {}),
        parameters: s.parameters.map((p) => ({ label: p.label, ...(p.documentation ? { documentation: p.documentation } : {}) })),
      })),
      activeSignature: h.activeSignature,
      activeParameter: h.activeParameter,
    };
  }));

  return {
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    documentFormattingProvider: true,
    foldingRangeProvider: true,
    semanticTokensProvider: {
      legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [...SEMANTIC_TOKEN_MODIFIERS] },
      full: { delta: true },
    },
    signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
  };
}
