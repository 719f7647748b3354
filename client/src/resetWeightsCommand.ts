import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { ResetTrainedWeightsRequest, TrainedWeightsRequest } from '../../server/src/protocol/requests';
import type { ResetTrainedWeightsAnswer } from '../../server/src/protocol/weights';

/**
 * NetSpec: Reset Trained Weights. The parameters are the server's; here only the choice: the one
 * network that has trained weights, or, when several have, a QuickPick with "All networks" first.
 * `(uri, network)` skip the questions; `network` left out with a uri resets every network of it.
 * Resolves with the server's answer (undefined when nothing was asked of it).
 */
export function registerResetWeightsCommand(context: vscode.ExtensionContext, client: BaseLanguageClient): void {
  context.subscriptions.push(vscode.commands.registerCommand('netspec.resetTrainedWeights', async (uri?: string, network?: string): Promise<ResetTrainedWeightsAnswer | undefined> => {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? (editor?.document.languageId === 'netspec' ? editor.document.uri.toString() : undefined);
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file first.');
      return undefined;
    }
    if (uri === undefined && network === undefined) {
      const { networks } = await client.sendRequest(TrainedWeightsRequest.type, { uri: target });
      if (networks.length === 0) {
        void vscode.window.showInformationMessage('No network of this file uses trained weights: it already computes with its own.');
        return undefined;
      }
      if (networks.length === 1) network = networks[0];
      else {
        const all = { label: 'All networks', description: networks.join(', '), network: undefined as string | undefined };
        const pick = await vscode.window.showQuickPick(
          [all, ...networks.map((n) => ({ label: n, description: 'back to the file\'s own weights', network: n as string | undefined }))],
          { placeHolder: 'Reset the trained weights of which network?' },
        );
        if (!pick) return undefined;
        network = pick.network;
      }
    }
    const answer = await client.sendRequest(ResetTrainedWeightsRequest.type, { uri: target, network });
    // Plain names: a notification shows backticks as they are.
    const names = answer.reset.join(', ');
    void vscode.window.showInformationMessage(answer.reset.length === 0
      ? 'No trained weights to reset.'
      : `${names} ${answer.reset.length === 1 ? 'uses' : 'use'} the file's own weights again${answer.stopped ? ` (a run in progress was stopped)` : ''}.`);
    return answer;
  }));
}
