import type * as M from 'monaco-editor/editor/editor.api.js';
import {
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  ReferencesRequest,
  RenameRequest,
  SignatureHelpRequest,
  type CompletionItem,
  type DocumentSymbol,
  type Location,
  type ProtocolConnection,
  type SymbolInformation,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/browser';
import { fromPosition, toMarkdown, toRange, toTextEdit } from './convert';
import { LANGUAGE_ID } from './language';
import type { Monaco } from './monaco';
import { quietly } from './quietly';
import { DOCUMENT_URI } from './server-session';

/**
 * The language features Monaco asks for as you read and type, each one LSP request translated:
 * hover (with the plots: Monaco renders data: images in Markdown), completion, signature help,
 * formatting, outline, definition, references and rename. Quick fixes, code lenses and inlay
 * hints are in actions.ts (they have commands and refreshes).
 */

/** LSP's CompletionItemKind (1-based) by name, as Monaco names its own. */
const COMPLETION_KINDS = ['Text', 'Method', 'Function', 'Constructor', 'Field', 'Variable', 'Class', 'Interface', 'Module', 'Property', 'Unit', 'Value', 'Enum', 'Keyword', 'Snippet', 'Color', 'File', 'Reference', 'Folder', 'EnumMember', 'Constant', 'Struct', 'Event', 'Operator', 'TypeParameter'] as const;

/** LSP's SymbolKind (1-based) by name. */
const SYMBOL_KINDS = ['File', 'Module', 'Namespace', 'Package', 'Class', 'Method', 'Property', 'Field', 'Constructor', 'Enum', 'Interface', 'Function', 'Variable', 'Constant', 'String', 'Number', 'Boolean', 'Array', 'Object', 'Key', 'Null', 'EnumMember', 'Struct', 'Event', 'Operator', 'TypeParameter'] as const;

export function registerFeatures(monaco: Monaco, connected: () => Promise<ProtocolConnection>): M.IDisposable[] {
  const doc = { uri: DOCUMENT_URI };
  const L = monaco.languages;
  const locations = (ls: Location | Location[] | null | undefined): M.languages.Location[] =>
    (Array.isArray(ls) ? ls : ls ? [ls] : []).map((l) => ({ uri: monaco.Uri.parse(l.uri), range: toRange(l.range) }));
  const workspaceEdit = (model: M.editor.ITextModel, e: WorkspaceEdit | null): M.languages.WorkspaceEdit => ({
    edits: Object.entries(e?.changes ?? {}).flatMap(([uri, edits]) =>
      edits.map((te) => ({ resource: monaco.Uri.parse(uri), textEdit: toTextEdit(te), versionId: model.getVersionId() })),
    ),
  });
  return [
    L.registerHoverProvider(LANGUAGE_ID, {
      provideHover(_model, position, token) {
        return quietly(token, async () => {
          const h = await (await connected()).sendRequest(HoverRequest.type, { textDocument: doc, position: fromPosition(position) }, token);
          if (!h) return null;
          return { contents: toMarkdown(h.contents), range: h.range ? toRange(h.range) : undefined };
        });
      },
    }),
    L.registerCompletionItemProvider(LANGUAGE_ID, {
      triggerCharacters: [' ', '('],
      provideCompletionItems(model, position, _context, token) {
        return quietly(token, async () => {
          const r = await (await connected()).sendRequest(CompletionRequest.type, { textDocument: doc, position: fromPosition(position) }, token);
          const items: CompletionItem[] = Array.isArray(r) ? r : (r?.items ?? []);
          const word = model.getWordUntilPosition(position);
          const wordRange = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
          return {
            incomplete: !Array.isArray(r) && !!r?.isIncomplete,
            suggestions: items.map((item): M.languages.CompletionItem => {
              const edit = item.textEdit;
              const range = !edit ? wordRange : 'range' in edit ? toRange(edit.range) : { insert: toRange(edit.insert), replace: toRange(edit.replace) };
              const kind = COMPLETION_KINDS[(item.kind ?? 1) - 1] ?? 'Text';
              return {
                label: item.label,
                kind: L.CompletionItemKind[kind],
                detail: item.detail,
                documentation: toMarkdown(item.documentation)[0],
                sortText: item.sortText,
                filterText: item.filterText,
                insertText: edit?.newText ?? item.insertText ?? item.label,
                insertTextRules: item.insertTextFormat === 2 ? L.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
                range,
                additionalTextEdits: item.additionalTextEdits?.map(toTextEdit),
              };
            }),
          };
        });
      },
    }),
    L.registerSignatureHelpProvider(LANGUAGE_ID, {
      signatureHelpTriggerCharacters: ['(', ','],
      provideSignatureHelp(_model, position, token) {
        return quietly(token, async () => {
          const s = await (await connected()).sendRequest(SignatureHelpRequest.type, { textDocument: doc, position: fromPosition(position) }, token);
          if (!s) return null;
          return {
            value: {
              activeSignature: s.activeSignature ?? 0,
              activeParameter: s.activeParameter ?? 0,
              signatures: s.signatures.map((sig) => ({
                label: sig.label,
                documentation: toMarkdown(sig.documentation)[0],
                parameters: (sig.parameters ?? []).map((p) => ({ label: p.label, documentation: toMarkdown(p.documentation)[0] })),
                activeParameter: sig.activeParameter ?? undefined,
              })),
            },
            dispose() {},
          };
        });
      },
    }),
    L.registerDocumentFormattingEditProvider(LANGUAGE_ID, {
      provideDocumentFormattingEdits(_model, options, token) {
        return quietly(token, async () => {
          const edits = await (await connected()).sendRequest(DocumentFormattingRequest.type, { textDocument: doc, options: { tabSize: options.tabSize, insertSpaces: options.insertSpaces } }, token);
          return (edits ?? []).map(toTextEdit);
        });
      },
    }),
    L.registerDocumentSymbolProvider(LANGUAGE_ID, {
      provideDocumentSymbols(_model, token) {
        return quietly(token, async () => {
          const r = await (await connected()).sendRequest(DocumentSymbolRequest.type, { textDocument: doc }, token);
          const symbol = (s: DocumentSymbol | SymbolInformation): M.languages.DocumentSymbol => {
            const range = toRange('range' in s ? s.range : s.location.range);
            return {
              name: s.name,
              detail: 'detail' in s ? (s.detail ?? '') : '',
              kind: L.SymbolKind[SYMBOL_KINDS[s.kind - 1] ?? 'Variable'],
              tags: [],
              range,
              selectionRange: 'selectionRange' in s ? toRange(s.selectionRange) : range,
              children: 'children' in s ? (s.children ?? []).map(symbol) : [],
            };
          };
          return (r ?? []).map(symbol);
        });
      },
    }),
    L.registerDefinitionProvider(LANGUAGE_ID, {
      provideDefinition(_model, position, token) {
        return quietly(token, async () => {
          return locations(await (await connected()).sendRequest(DefinitionRequest.type, { textDocument: doc, position: fromPosition(position) }, token) as Location | Location[] | null);
        });
      },
    }),
    L.registerReferenceProvider(LANGUAGE_ID, {
      provideReferences(_model, position, context, token) {
        return quietly(token, async () => {
          return locations(await (await connected()).sendRequest(ReferencesRequest.type, { textDocument: doc, position: fromPosition(position), context }, token));
        });
      },
    }),
    L.registerRenameProvider(LANGUAGE_ID, {
      async provideRenameEdits(model, position, newName, token) {
        try {
          return workspaceEdit(model, await (await connected()).sendRequest(RenameRequest.type, { textDocument: doc, position: fromPosition(position), newName }, token));
        } catch (err) {
          // The server refuses with a reason (a clash, a built-in): Monaco shows it as is.
          return { edits: [], rejectReason: err instanceof Error ? err.message : String(err) };
        }
      },
    }),
  ];
}
