import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import type { ExportOnnxParams } from '../../server/src/protocol/onnx';
import { ExportOnnxRequest } from '../../server/src/protocol/requests';
import { writeBesideSpec } from './besideSpec';

/**
 * NetSpec: Export to ONNX. The server makes the model (netspec/exportOnnx), with the network's
 * weights trained in this session when it has them, else its own; here only the choice of network
 * (a QuickPick when the file defines several), the file beside the spec (`SPEC.NETWORK.onnx`,
 * through `workspace.fs`, so the browser build writes it too) and a modal question before an
 * existing file is replaced. `(uri, network, weights, dtype)` skip the questions.
 */
export function registerExportOnnxCommand(context: vscode.ExtensionContext, client: BaseLanguageClient): void {
  context.subscriptions.push(vscode.commands.registerCommand('netspec.exportOnnx', async (uri?: string, network?: string, weights?: ExportOnnxParams['weights'], dtype?: ExportOnnxParams['dtype']) => {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? (editor?.document.languageId === 'netspec' ? editor.document.uri.toString() : undefined);
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file with a network first.');
      return;
    }
    let answer = await client.sendRequest(ExportOnnxRequest.type, { uri: target, network, weights, dtype });
    if ('error' in answer && network === undefined && (answer.networks?.length ?? 0) > 1) {
      const pick = await vscode.window.showQuickPick(answer.networks!, { placeHolder: 'Which network should be exported to ONNX?' });
      if (!pick) return;
      answer = await client.sendRequest(ExportOnnxRequest.type, { uri: target, network: pick, weights, dtype });
    }
    if ('error' in answer) {
      void vscode.window.showErrorMessage(`NetSpec: cannot export to ONNX: ${answer.error}`);
      return;
    }
    const out = await writeBesideSpec(target, answer.suggestedName, Uint8Array.from(atob(answer.model), (c) => c.charCodeAt(0)), 'the model');
    if (!out) return;
    const which = answer.weights === 'trained' ? 'the weights trained in this session' : 'its own weights (no run in this session)';
    void vscode.window.showInformationMessage(`Exported ${answer.network} to ${answer.suggestedName} (${answer.dtype}, ${which}).`);
  }));
}
