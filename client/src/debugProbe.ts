import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import type { TrainedParametersAnswer } from '../../server/src/protocol/weights';
import { NetSpecDebugSession, type DebugHost } from '../../server/src/debug/session';
import { TrainedParametersRequest } from '../../server/src/protocol/requests';

/**
 * The `netspec` debugger in VS Code: backpropagation stepped through in the debugger's own UI.
 * The adapter is the same code as `dist/debugAdapter.js` (server/src/debug/session.ts), run inline
 * in the extension host, desktop and browser alike; what VS Code adds is reading the spec as the
 * editor has it (unsaved edits included) and the *Debug probe* lens's command.
 */

export const DEBUG_TYPE = 'netspec';

/** The configuration the lens and F5 start: the probe on `line` (1-based), or the file's first. */
export function probeConfiguration(uri: vscode.Uri, line?: number): vscode.DebugConfiguration {
  const config: vscode.DebugConfiguration = { type: DEBUG_TYPE, request: 'launch', name: line ? `Debug probe (line ${line})` : 'Debug probe', program: programOf(uri), stopOnEntry: true };
  if (line) config.probe = line;
  return config;
}

/** A file as the adapter names it: its path on disk, or its URI where there is no disk (the browser). */
function programOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** The URI of a program as `programOf` wrote it, or as a launch.json gives it (a path). */
function uriOf(program: string): vscode.Uri {
  return /^[a-z][\w+.-]*:\/\//i.test(program) ? vscode.Uri.parse(program) : vscode.Uri.file(program);
}

/**
 * The spec as the editor has it: an open document's text (what the hovers and the lenses are
 * computed from), else the file's. Any edit or save of it may be a change: the session reads it
 * again and ends if the text differs from the one it stepped through.
 */
/** The language server's trained parameters of a spec, keyed by network, as the analysis takes them. */
async function trainedOf(client: BaseLanguageClient, program: string): Promise<ReadonlyMap<string, TrainedParametersAnswer['networks'][string]> | undefined> {
  const answer = await client.sendRequest(TrainedParametersRequest.type, { uri: uriOf(program).toString() });
  const entries = Object.entries(answer.networks);
  return entries.length ? new Map(entries) : undefined;
}

const editorHost = (client: BaseLanguageClient): DebugHost => ({
  trained: (program) => trainedOf(client, program),
  async read(program) {
    const uri = uriOf(program);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  },
  watch(program, changed) {
    const uri = uriOf(program);
    const edits = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === uri.toString() && e.contentChanges.length > 0) changed();
    });
    const files = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop() ?? ''));
    files.onDidChange(changed);
    files.onDidDelete(changed);
    return () => {
      edits.dispose();
      files.dispose();
    };
  },
  /**
   * A training session's data files, through the editor's file system: relative to the spec's
   * folder and inside it, and only in a trusted workspace (as the language server reads them).
   */
  async readData(program, rels) {
    const texts: Record<string, { text: string } | { error: string }> = {};
    for (const rel of rels) {
      if (!vscode.workspace.isTrusted) texts[rel] = { error: 'the workspace is not trusted (Restricted Mode), and data files are read only in a trusted one' };
      else if (rel.startsWith('/') || /^[a-z]:/i.test(rel) || rel.split(/[\\/]/).includes('..')) texts[rel] = { error: 'it is not inside the spec\'s folder' };
      else {
        try {
          texts[rel] = { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uriOf(program), '..', rel))) };
        } catch (err) {
          texts[rel] = { error: err instanceof Error ? err.message : String(err) };
        }
      }
    }
    return texts;
  },
});

export function registerDebugger(context: vscode.ExtensionContext, client: BaseLanguageClient): void {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new NetSpecDebugSession(editorHost(client))),
  }));
  context.subscriptions.push(vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
    /** F5 with no launch.json: the active .netspec file, at the probe under the cursor if there is one. */
    resolveDebugConfiguration(_folder, config) {
      if (!config.type && !config.request && !config.name) {
        const editor = vscode.window.activeTextEditor;
        if (editor?.document.languageId !== 'netspec') {
          void vscode.window.showInformationMessage('Open a .netspec file with a probe to debug it.');
          return undefined;
        }
        const line = editor.selection.active.line;
        const onProbe = /^\s*probe\b/.test(editor.document.lineAt(line).text);
        return probeConfiguration(editor.document.uri, onProbe ? line + 1 : undefined);
      }
      if (!config.program) {
        void vscode.window.showErrorMessage('A netspec launch configuration needs "program": the path of a .netspec file.');
        return undefined;
      }
      return config;
    },
  }));
  // The lens's command: the server gives the document and the probe's 0-based line.
  context.subscriptions.push(vscode.commands.registerCommand('netspec.debugProbe', async (uri?: string, line?: number) => {
    const target = uri ? vscode.Uri.parse(uri) : vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file with a probe to debug it.');
      return false;
    }
    const folder = vscode.workspace.getWorkspaceFolder(target);
    return vscode.debug.startDebugging(folder, probeConfiguration(target, line === undefined ? undefined : line + 1));
  }));
}
