import type * as M from 'monaco-editor/editor/editor.api.js';
import {
  CodeActionRequest,
  CodeLensRequest,
  InlayHintRequest,
  type CodeAction,
  type Command,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/browser';
import { fromRange, overlaps, toPosition, toRange, toTextEdit } from './convert';
import { LANGUAGE_ID } from './language';
import type { Markers } from './markers';
import type { Monaco } from './monaco';
import { quietly } from './quietly';
import { DOCUMENT_URI } from './server-session';

/**
 * What the server offers to do: quick fixes (code actions, sent back with the diagnostics they
 * fix), code lenses (Train, Gradient check, Show plot, Show network; their commands are the page's, given as
 * `commands`) and inlay hints. Lenses and hints change when a run ends or a gradient check is
 * done, which the server says with a refresh request: `refresh` asks Monaco again.
 */

/** The commands the server's lenses name (server/src/server/server.ts), each run by the page. */
export interface LensCommands {
  'netspec.train': (uri: string, line: number) => void;
  'netspec.gradientCheck': (uri: string, index: number) => void;
  'netspec.showPlot': (uri: string, line: number) => void;
  'netspec.showNetwork': (uri: string, line: number) => void;
}

export function registerActions(monaco: Monaco, connected: () => Promise<ProtocolConnection>, markers: Markers, commands: LensCommands): { refresh(what: 'codeLens' | 'inlayHints'): void; disposables: M.IDisposable[] } {
  const doc = { uri: DOCUMENT_URI };
  const L = monaco.languages;
  const lensesChanged = new monaco.Emitter<M.languages.CodeLensProvider>();
  const hintsChanged = new monaco.Emitter<void>();
  const command = (c: Command | undefined): M.languages.Command | undefined => (c ? { id: c.command, title: c.title, arguments: c.arguments } : undefined);
  const disposables: M.IDisposable[] = (Object.keys(commands) as (keyof LensCommands)[]).map((id) =>
    monaco.editor.registerCommand(id, (_accessor, ...args: unknown[]) => (commands[id] as (a: unknown, b: unknown) => void)(args[0], args[1])),
  );
  const lensProvider: M.languages.CodeLensProvider = {
    onDidChange: lensesChanged.event,
    provideCodeLenses(_model, token) {
      return quietly(token, async () => {
        const lenses = await (await connected()).sendRequest(CodeLensRequest.type, { textDocument: doc }, token);
        // A lens whose command the page does not run (Debug probe: the page has no debugger) is not shown.
        const runnable = (lenses ?? []).filter((l) => !l.command || l.command.command in commands);
        return { lenses: runnable.map((l) => ({ range: toRange(l.range), command: command(l.command) })), dispose() {} };
      });
    },
  };
  disposables.push(
    L.registerCodeActionProvider(LANGUAGE_ID, {
      provideCodeActions(model, range, _context, token) {
        return quietly(token, async () => {
          const lspRange = fromRange(range);
          // The diagnostics as the server sent them (with their data), not Monaco's markers.
          const diagnostics = markers.current.filter((d) => overlaps(d.range, lspRange));
          const actions = await (await connected()).sendRequest(CodeActionRequest.type, { textDocument: doc, range: lspRange, context: { diagnostics } }, token);
          return {
            actions: (actions ?? []).map((a): M.languages.CodeAction => {
              if (!('edit' in a) && 'command' in a && typeof a.command === 'string') return { title: a.title, command: command(a as Command) };
              const action = a as CodeAction;
              return {
                title: action.title,
                kind: action.kind,
                isPreferred: action.isPreferred,
                diagnostics: action.diagnostics?.map((d) => ({ ...toRange(d.range), message: typeof d.message === 'string' ? d.message : d.message.value, severity: monaco.MarkerSeverity.Error })),
                edit: {
                  edits: Object.entries(action.edit?.changes ?? {}).flatMap(([uri, edits]) =>
                    edits.map((e) => ({ resource: monaco.Uri.parse(uri), textEdit: toTextEdit(e), versionId: model.getVersionId() })),
                  ),
                },
                command: command(action.command),
              };
            }),
            dispose() {},
          };
        });
      },
    }, { providedCodeActionKinds: ['quickfix', 'refactor.rewrite'] }),
    L.registerCodeLensProvider(LANGUAGE_ID, lensProvider),
    L.registerInlayHintsProvider(LANGUAGE_ID, {
      onDidChangeInlayHints: hintsChanged.event,
      provideInlayHints(_model, range, token) {
        return quietly(token, async () => {
          const hints = await (await connected()).sendRequest(InlayHintRequest.type, { textDocument: doc, range: fromRange(range) }, token);
          return {
            hints: (hints ?? []).map((h) => ({
              position: toPosition(h.position),
              label: typeof h.label === 'string' ? h.label : h.label.map((part) => ({ label: part.value })),
              kind: h.kind === 1 ? L.InlayHintKind.Type : L.InlayHintKind.Parameter,
              paddingLeft: h.paddingLeft,
              paddingRight: h.paddingRight,
              tooltip: typeof h.tooltip === 'string' ? h.tooltip : h.tooltip?.value,
            })),
            dispose() {},
          };
        });
      },
    }),
  );
  return {
    refresh(what) {
      if (what === 'codeLens') lensesChanged.fire(lensProvider);
      else hintsChanged.fire();
    },
    disposables,
  };
}
