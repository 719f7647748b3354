import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { ControlTrainingRequest, EditDataRequest, StopTrainingRequest, TrainTargetsRequest } from '../../server/src/protocol/requests';
import type { TrainEpoch, TrainProgress, TrainingAction } from '../../server/src/protocol/training';
import type { EditDataParams } from '../../server/src/protocol/data-edits';
import type { PanelAction } from '../../server/src/protocol/webview';

/**
 * Pause, Resume, Step (an epoch or a batch) and Retrain, and the training panel's clicks that edit
 * the data. The runs and the edits are the server's (`netspec/controlTraining`,
 * `netspec/editData`); here only which runs a command means, the context key that enables the
 * commands (`netspec.trainingState`: `running`, `paused`, or empty), and the edit applied as one
 * undoable change.
 */

/** The newest run the training panel shows: whose statement Retrain runs again and whose data clicks edit. */
export interface ShownRun {
  uri: string;
  network: string;
  data: string;
}

/** A click on the panel's picture (protocol/webview.ts `FromTrainingPanel`'s `click`). */
export interface DataClick extends ShownRun {
  x: number;
  y: number;
  mode: 'add1' | 'add0' | 'remove';
}

/** The panel's buttons → the commands of the same names. */
export const PANEL_COMMANDS: Record<PanelAction, string> = {
  pause: 'netspec.pauseTraining',
  resume: 'netspec.resumeTraining',
  stepEpoch: 'netspec.stepTraining',
  stepBatch: 'netspec.stepTrainingBatch',
  stop: 'netspec.stopTraining',
  retrain: 'netspec.retrain',
};

export function registerTrainingControls(
  context: vscode.ExtensionContext,
  client: BaseLanguageClient,
  onProgress: (listener: (p: TrainProgress) => void) => vscode.Disposable,
  shownRun: () => ShownRun | undefined,
): void {
  /** The runs going now (paused or not), by id: their newest event. */
  const going = new Map<string, TrainEpoch>();
  let state = '';
  context.subscriptions.push(onProgress((p) => {
    if (p.done) going.delete(p.runId);
    else going.set(p.runId, p);
    const runs = [...going.values()];
    const next = runs.length === 0 ? '' : runs.some((r) => !r.paused) ? 'running' : 'paused';
    if (next !== state) {
      state = next;
      void vscode.commands.executeCommand('setContext', 'netspec.trainingState', state);
    }
  }));

  /** Tells the runs that are (`paused`) or are not paused, and returns how many; says so when there is none. */
  const control = async (action: TrainingAction, paused: boolean, unit?: 'epoch' | 'batch'): Promise<number> => {
    const runs = [...going.values()].filter((r) => (r.paused !== undefined) === paused);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(paused ? 'No paused training run.' : 'No training run going.');
      return 0;
    }
    const told = await Promise.all(runs.map((r) => client.sendRequest(ControlTrainingRequest.type, { uri: r.uri, network: r.network, action, unit })));
    return told.reduce((n, t) => n + t.runs, 0);
  };
  const command = (id: string, f: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, f));
  command(PANEL_COMMANDS.pause, () => control('pause', false));
  command(PANEL_COMMANDS.resume, () => control('resume', true));
  command(PANEL_COMMANDS.stepEpoch, (unit?: 'epoch' | 'batch') => control('step', true, unit === 'batch' ? 'batch' : 'epoch'));
  command(PANEL_COMMANDS.stepBatch, () => control('step', true, 'batch'));

  // Retrain: the shown run's statement again, found by its network and data (clicks move its line).
  command(PANEL_COMMANDS.retrain, async () => {
    const run = shownRun();
    if (!run) {
      void vscode.window.showInformationMessage('No run to train again: start one with NetSpec: Train Network.');
      return;
    }
    const targets = await client.sendRequest(TrainTargetsRequest.type, { uri: run.uri });
    const t = targets?.find((x) => x.network === run.network && x.data === run.data);
    if (!t) {
      void vscode.window.showWarningMessage(`The file has no \`train ${run.network} on ${run.data}\` any more.`);
      return;
    }
    await client.sendRequest(StopTrainingRequest.type, { uri: run.uri });
    await vscode.commands.executeCommand('netspec.train', run.uri, t.line);
  });

  command('netspec.editTrainingData', (click: DataClick) => editData(client, click));
  command('netspec.inlineTrainingData', async (given?: ShownRun) => {
    const run = given ?? shownRun();
    if (!run) {
      void vscode.window.showInformationMessage('No run shown: train a network on generated data first.');
      return;
    }
    return editData(client, { ...run, x: 0, y: 0, mode: 'add1' }, 'inline');
  });
}

/**
 * Writes a click (or the inline rewrite) into the spec as one undoable edit. A click that cannot
 * be written says why and changes nothing: a file VS Code cannot write, a network without two
 * inputs, data from a file; generated data gets an offer to turn it into an inline block.
 */
async function editData(client: BaseLanguageClient, click: DataClick, inline?: 'inline'): Promise<boolean> {
  const uri = vscode.Uri.parse(click.uri);
  if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) {
    void vscode.window.showWarningMessage(`NetSpec: ${uri.path.split('/').pop()} is read-only: the click is not written.`);
    return false;
  }
  const params: EditDataParams = inline
    ? { uri: click.uri, network: click.network, data: click.data, action: 'inline' }
    : { uri: click.uri, network: click.network, data: click.data, action: click.mode === 'remove' ? 'remove' : 'add', point: [click.x, click.y], class: click.mode === 'add0' ? 0 : 1 };
  const answer = await client.sendRequest(EditDataRequest.type, params);
  if ('error' in answer) {
    if (answer.generated) {
      // Not awaited: the offer stays until the user answers, and the click is refused now.
      const convert = 'Turn into an inline block';
      void vscode.window.showInformationMessage(`NetSpec: ${answer.error}.`, convert).then((pick) => pick === convert && editData(client, click, 'inline'));
    } else void vscode.window.showWarningMessage(`NetSpec: cannot write the click: ${answer.error}.`);
    return false;
  }
  const { start, end } = answer.edit.range;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(start.line, start.character, end.line, end.character), answer.edit.newText);
  const applied = await vscode.workspace.applyEdit(edit);
  if (!applied) void vscode.window.showWarningMessage('NetSpec: the editor refused the edit (is the file read-only?).');
  return applied;
}
