import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { ExportPyTorchRequest, TrainedWeightsRequest, TrainTargetsRequest } from '../../server/src/protocol/requests';
import type { ExportStart } from '../../server/src/protocol/pytorch';
import { writeBesideSpec } from './besideSpec';

/**
 * NetSpec: Export to PyTorch. The server writes the program; here only the choice of network
 * (a QuickPick when the file trains several), where the program starts when the network has
 * trained weights (a QuickPick: reproduce the run from the initial weights, or continue from the
 * trained ones), the file beside the spec, and a modal question before an existing file is
 * replaced: nothing is written until the user agrees. `(uri, network, start)` skip the questions.
 */
export function registerExportCommand(context: vscode.ExtensionContext, client: BaseLanguageClient): void {
  context.subscriptions.push(vscode.commands.registerCommand('netspec.exportPyTorch', async (uri?: string, network?: string, start?: ExportStart) => {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? (editor?.document.languageId === 'netspec' ? editor.document.uri.toString() : undefined);
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file with a train statement first.');
      return;
    }
    if (network === undefined) {
      const choices = await client.sendRequest(TrainTargetsRequest.type, { uri: target });
      const networks = [...new Map((choices ?? []).map((c) => [c.network, c])).values()];
      if (networks.length === 0) {
        void vscode.window.showInformationMessage('This file has no train statement: an export is a network with its training run.');
        return;
      }
      const pick = networks.length === 1 ? networks[0] : (await vscode.window.showQuickPick(
        networks.map((c) => ({ label: c.network, description: `train ${c.network} on ${c.data}, line ${c.line + 1}`, choice: c })),
        { placeHolder: 'Which network should be exported to PyTorch?' },
      ))?.choice;
      if (!pick) return;
      network = pick.network;
    }
    if (start === undefined) {
      const trained = await client.sendRequest(TrainedWeightsRequest.type, { uri: target });
      if (trained.networks.includes(network)) {
        const pick = await vscode.window.showQuickPick([
          { label: 'Reproduce the run', description: 'from the initial weights', detail: `The program starts from the weights the file defines, as the editor's run of ${network} did.`, start: 'initial' as const },
          { label: 'Continue from the trained weights', description: 'from the last run\'s result', detail: `The program starts from the weights the last run of ${network} trained, and trains on from there.`, start: 'trained' as const },
        ], { placeHolder: `${network} has trained weights: where should the exported program start?` });
        if (!pick) return;
        start = pick.start;
      }
    }
    const answer = await client.sendRequest(ExportPyTorchRequest.type, { uri: target, network, start });
    if ('error' in answer) {
      void vscode.window.showErrorMessage(`NetSpec: cannot export: ${answer.error}`);
      return;
    }
    const out = await writeBesideSpec(target, answer.suggestedName, new TextEncoder().encode(answer.source), 'the program');
    if (!out) return;
    // Not awaited: the command is done once the file is written, whether or not the toast is clicked.
    const open = 'Open';
    void vscode.window.showInformationMessage(`Exported ${answer.network}${answer.start === 'trained' ? ' (from its trained weights)' : ''} to ${answer.suggestedName}: run it with \`python3 ${answer.suggestedName} --json\`.`, open)
      .then((next) => (next === open ? vscode.window.showTextDocument(out) : undefined));
  }));
}
