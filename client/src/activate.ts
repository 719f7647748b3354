import * as vscode from 'vscode';
import { registerDocs, rewriteCodeTarget } from './docsPanel';
import { registerExportCommand } from './exportCommand';
import { registerExportOnnxCommand } from './exportOnnxCommand';
import { registerIndentation } from './indentation';
import { registerNetworkView } from './networkPanel';
import { registerResetWeightsCommand } from './resetWeightsCommand';
import { lossRose } from './figures';
import { TrainingPanel } from './trainingPanel';
import { registerTrainingControls } from './trainingControls';
import type { BaseLanguageClient, LanguageClientOptions } from 'vscode-languageclient';
import type { ClientPlatform } from './platform';
import { registerDataFiles } from './dataFiles';
import { registerDebugger } from './debugProbe';
import {
  PlotRequest,
  StopTrainingRequest,
  TrainProgressNotification,
  TrainAllRequest,
  TrainRequest,
  TrainTargetsRequest,
  WorkspaceTrustedNotification,
} from '../../server/src/protocol/requests';
import type { TrainEnd, TrainEpoch, TrainProgress } from '../../server/src/protocol/training';
import type { InitializationOptions } from '../../server/src/protocol/initialize';

/**
 * The extension is thin on purpose: it starts the NetSpec language server and wires commands.
 * Everything the editor shows comes from the server, so every LSP editor gets the same. The
 * entry points differ only in how the server starts (platform.ts): `extension.ts` on the desktop
 * (a Node process), `web/extension.ts` in a browser (a Web Worker).
 */
let client: BaseLanguageClient | undefined;

/** The commands of this extension that the server's code lenses may name. */
const CLIENT_COMMANDS = ['netspec.train', 'netspec.trainAll', 'netspec.showPlot', 'netspec.showNetwork', 'netspec.debugProbe'] as const;

export async function activateNetSpec(context: vscode.ExtensionContext, platform: ClientPlatform): Promise<void> {
  const output = vscode.window.createOutputChannel('NetSpec', { log: true });
  context.subscriptions.push(output);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'netspec' }],
    outputChannel: output,
    // The client's default error handler restarts a server that dies (up to 4 times in 3 minutes).
    // Workspace trust, asked again at each (re)start: in Restricted Mode the server reads no data
    // file and trains nothing (server/src/server/trust.ts).
    // `showsTraining`: this extension shows runs itself (status-bar item, panel), so the server
    // sends no work-done progress, which VS Code would show as a second status-bar item.
    // `hoverImages` and `clientCommands`: hovers with plots, and the lenses of this extension's
    // own commands (protocol/initialize.ts).
    initializationOptions: (): InitializationOptions => ({ trusted: vscode.workspace.isTrusted, showsTraining: true, hoverImages: true, clientCommands: [...CLIENT_COMMANDS] }),
    // A code's link opens the rendered reference at its explanation (docsPanel.ts).
    middleware: { handleDiagnostics: (uri, diagnostics, next) => next(uri, diagnostics.map((d) => rewriteCodeTarget(context, d))) },
  };
  client = await platform.createClient(context, clientOptions);
  registerDataFiles(client);
  context.subscriptions.push(
    vscode.commands.registerCommand('netspec.restartServer', async () => {
      output.appendLine('Restarting the NetSpec language server.');
      // What the Node client's restart() does; the browser client has none.
      await client?.stop();
      await client?.start();
    }),
  );
  context.subscriptions.push(vscode.commands.registerCommand('netspec.showPlot', (uri: string, line: number) => showPlot(context, uri, line)));
  registerTraining(context);
  registerExportCommand(context, client);
  registerExportOnnxCommand(context, client);
  registerDocs(context);
  const indent = registerIndentation(context);
  registerResetWeightsCommand(context, client);
  registerNetworkView(context, client, (listener) => {
    progressListeners.add(listener);
    return new vscode.Disposable(() => progressListeners.delete(listener));
  });
  registerDebugger(context, client);
  registerTrainingControls(context, client, (listener) => {
    progressListeners.add(listener);
    return new vscode.Disposable(() => progressListeners.delete(listener));
  }, () => TrainingPanel.shownRun());
  await client.start();
  indent(); // the editors VS Code showed while the extension was starting
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WorkspaceTrustedNotification.type, {})));
  context.subscriptions.push(vscode.commands.registerCommand('netspec.showTrainingPanel', () => void TrainingPanel.show(context)));
  client.onNotification(TrainProgressNotification.type, (p) => {
    latest.set(p.runId, p);
    TrainingPanel.record(p);
    progressListeners.forEach((l) => l(p));
  });
}

const progressListeners = new Set<(p: TrainProgress) => void>();
/** Runs asked for whose panel is still opening: Stop Training marks them, and they do not start. */
const startsPending = new Set<{ stopped: boolean }>();
/** The last event of each run: a fast run may finish before its progress notification is shown. */
const latest = new Map<string, TrainProgress>();

/**
 * NetSpec: Train Network / Stop Training. The run itself is the server's; here only what VS Code
 * shows of it: a progress notification whose Cancel stops the run, and a status-bar item.
 */
function registerTraining(context: vscode.ExtensionContext): void {
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  status.command = 'netspec.stopTraining';
  context.subscriptions.push(status);
  const running = new Map<string, TrainEpoch>();
  const showStatus = () => {
    const runs = [...running.values()];
    if (runs.length === 0) return status.hide();
    const r = runs[runs.length - 1];
    status.text = `${r.paused ? '$(debug-pause) paused · ' : '$(sync~spin) '}${r.network}: epoch ${r.epoch}/${r.epochs} · loss ${Number.isFinite(r.loss) ? r.loss.toPrecision(4) : '–'}`;
    status.tooltip = 'NetSpec is training; click to stop';
    status.show();
  };
  progressListeners.add((p) => {
    if (p.done) running.delete(p.runId);
    else running.set(p.runId, p);
    showStatus();
  });

  context.subscriptions.push(vscode.commands.registerCommand('netspec.train', async (uri?: string, line?: number) => {
    if (!client) return;
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file with a train statement first.');
      return;
    }
    if (line === undefined) {
      const choices = await client.sendRequest(TrainTargetsRequest.type, { uri: target });
      if (!choices || choices.length === 0) {
        void vscode.window.showInformationMessage('This file has no train statement.');
        return;
      }
      const pick = choices.length === 1 ? choices[0] : (await vscode.window.showQuickPick(
        choices.map((c) => ({ label: `train ${c.network} on ${c.data}`, description: `line ${c.line + 1}`, choice: c })),
        { placeHolder: 'Which network?' },
      ))?.choice;
      if (!pick) return;
      line = pick.line;
    }
    // The panel first, then the run: a run of a few seconds would otherwise end before the panel
    // shows its first epoch. Stop Training while the panel opens stops the run before it starts.
    if (vscode.workspace.getConfiguration('netspec').get<boolean>('training.openPanel', true)) {
      const pending = { stopped: false };
      startsPending.add(pending);
      await TrainingPanel.show(context).whenReady();
      startsPending.delete(pending);
      if (pending.stopped) {
        void vscode.window.showInformationMessage('Training stopped before it started.');
        return;
      }
    }
    const started = await client.sendRequest(TrainRequest.type, { uri: target, line });
    if ('error' in started) {
      void vscode.window.showErrorMessage(`NetSpec: cannot train: ${started.error}`);
      return;
    }
    const runId = started.runId;
    const finished = (p: TrainEnd) => {
      if (p.cancelled) void vscode.window.showInformationMessage(p.epoch ? `Training ${p.network} stopped at epoch ${p.epoch}.` : `Training ${p.network} stopped.`);
      else if (p.error === undefined && !p.diverged) {
        const rose = lossRose(p.firstLoss, p.finalLoss);
        if (rose) void vscode.window.showWarningMessage(`Trained ${p.network}, but ${rose}: the learning rate may be too high. Probes and hovers now use the trained weights.`);
        else void vscode.window.showInformationMessage(`Trained ${p.network}: final loss ${p.loss.toPrecision(4)}. Probes and hovers now use the trained weights.`);
      }
    };
    // A run that ends within half a second gets no progress notification, only its result: a
    // notification opened and closed at once would flicker (and VS Code may leave it open).
    const early = await new Promise<TrainEnd | undefined>((resolve) => {
      const timer = setTimeout(() => {
        progressListeners.delete(listener);
        resolve(endOf(latest.get(runId)));
      }, 500);
      const listener = (p: TrainProgress) => {
        if (p.runId !== runId || !p.done) return;
        clearTimeout(timer);
        progressListeners.delete(listener);
        resolve(p);
      };
      progressListeners.add(listener);
      const seen = endOf(latest.get(runId));
      if (seen) listener(seen);
    });
    if (early) {
      finished(early);
      return;
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${started.network}`, cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        let shown = 0;
        const listener = (p: TrainProgress) => {
          if (p.runId !== runId) return;
          // The end first: a cancelled or failed run's last event has no epoch or loss to report.
          if (p.done) {
            progressListeners.delete(listener);
            resolve();
            finished(p);
            return;
          }
          const pct = Math.floor((100 * p.epoch) / p.epochs);
          progress.report({ message: `epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toPrecision(4)}`, increment: pct - shown });
          shown = pct;
        };
        progressListeners.add(listener);
        const seen = latest.get(runId);
        if (seen) listener(seen);
        token.onCancellationRequested(() => void client?.sendRequest(StopTrainingRequest.type, { uri: target }));
      }),
    );
  }));

  /**
   * NetSpec: Train All Statements — every `train` statement of the file at once (compared runs):
   * the panel overlays their curves. Each network then keeps the parameters of its run that
   * finishes last; the end is told once, when all have ended.
   */
  context.subscriptions.push(vscode.commands.registerCommand('netspec.trainAll', async (uri?: string) => {
    if (!client) return;
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    if (!target) {
      void vscode.window.showInformationMessage('Open a .netspec file with train statements first.');
      return;
    }
    if (vscode.workspace.getConfiguration('netspec').get<boolean>('training.openPanel', true)) {
      const pending = { stopped: false };
      startsPending.add(pending);
      await TrainingPanel.show(context).whenReady();
      startsPending.delete(pending);
      if (pending.stopped) return;
    }
    const started = await client.sendRequest(TrainAllRequest.type, { uri: target });
    if ('error' in started) {
      void vscode.window.showErrorMessage(`NetSpec: cannot train: ${started.error}`);
      return;
    }
    const open = new Set(started.runs.map((r) => r.runId));
    const ends = new Map<string, TrainEnd>();
    const listener = (p: TrainProgress) => {
      if (!open.has(p.runId) || !p.done) return;
      ends.set(p.runId, p);
      if (ends.size < open.size) return;
      progressListeners.delete(listener);
      const trained = [...ends.values()].filter((e) => !e.cancelled && e.error === undefined);
      const last = trained.at(-1);
      void vscode.window.showInformationMessage(`Trained ${trained.length} of ${open.size} runs${last ? `; probes and hovers use the run that finished last (${last.label ?? last.network})` : ''}.`);
    };
    progressListeners.add(listener);
    for (const r of open) {
      const seen = endOf(latest.get(r));
      if (seen) listener(seen);
    }
  }));

  context.subscriptions.push(vscode.commands.registerCommand('netspec.stopTraining', async () => {
    const pending = startsPending.size;
    for (const p of startsPending) p.stopped = true;
    const r = await client?.sendRequest(StopTrainingRequest.type, {});
    if (!r?.stopped && !pending) void vscode.window.showInformationMessage('No training run to stop.');
  }));
}

/**
 * "Show plot": the activations of a network, or a fn, with their derivatives, in a panel.
 * The server draws the SVGs (any editor could show them); this only frames them, under a
 * Content Security Policy that allows nothing but inline images and styles.
 */
async function showPlot(context: vscode.ExtensionContext, uri: string, line: number): Promise<void> {
  if (!client) return;
  const answer = await client.sendRequest(PlotRequest.type, { uri, line });
  if (!answer || answer.items.length === 0) {
    void vscode.window.showInformationMessage('Nothing to plot here.');
    return;
  }
  const panel = vscode.window.createWebviewPanel('netspec.plot', answer.title, vscode.ViewColumn.Beside, { enableScripts: false });
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const figures = answer.items.map((i) => `<figure><img alt="${escape(i.label)}" src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(i.svg)}"><figcaption><b>${escape(i.label)}</b><br>${escape(i.caption)}</figcaption></figure>`).join('\n');
  panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);background:var(--vscode-editor-background)}
figure{display:inline-block;margin:12px;padding:8px;border:1px solid var(--vscode-panel-border)}figcaption{font-family:var(--vscode-editor-font-family);margin-top:6px}</style>
</head><body><h2>${escape(answer.title)}</h2>${figures}</body></html>`;
  context.subscriptions.push(panel);
}

/** The event if it ends its run. */
function endOf(p: TrainProgress | undefined): TrainEnd | undefined {
  return p?.done ? p : undefined;
}

export async function deactivateNetSpec(): Promise<void> {
  await client?.stop();
  client = undefined;
}
