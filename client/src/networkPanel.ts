import * as vscode from 'vscode';
import { webviewPolicy } from './webviewPolicy';
import { writeBesideSpec } from './besideSpec';
import type { BaseLanguageClient } from 'vscode-languageclient';
import type { NetworkView, NetworkViewParams, ViewRange } from '../../server/src/protocol/network';
import { NetworkViewRequest } from '../../server/src/protocol/requests';
import type { TrainProgress } from '../../server/src/protocol/training';
import type { FromNetworkView, ToNetworkView } from '../../server/src/protocol/webview';
import { besideFreeOf } from './columns';
import { Pacer } from './pacer';

/**
 * NetSpec: Show Network — a webview beside the editor that draws a network as `netspec diagram`
 * does (the server's SVG, `netspec/networkView`), decorated by its page script
 * (webview/networkView.ts): weights or gradients, values and δ or heatmaps per unit, tooltips,
 * a click that reveals a weight in the text. It follows its document's edits (a request ~300 ms
 * after the typing stops) and a run of its network (at most 4 requests a second, never two in
 * flight, once more at the end, when it shows the trained network).
 *
 * One panel per document and network, titled "Network NAME": showing the same network again
 * reveals its panel; another network (or file) gets a panel of its own, so two can be compared
 * side by side. Only what the server answers is drawn: no language logic here.
 */

/** After an edit, the quiet time before the view asks again. */
const EDIT_DEBOUNCE_MS = 300;
/** During a run, the shortest time between two requests: at most 4 a second. */
const LIVE_INTERVAL_MS = 250;

/** How many times a finished run's live parameters are asked again for its trained ones (each LIVE_INTERVAL_MS later). */
const MAX_LIVE_AFTER_END = 40;

/** Subscribes to the client's `netspec/trainProgress` events (activate.ts owns the notification). */
export type OnProgress = (listener: (p: TrainProgress) => void) => vscode.Disposable;

export class NetworkPanel {
  static readonly viewType = 'netspec.network';
  private static readonly open = new Map<string, NetworkPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly pacer: Pacer;
  private ready = false;
  private disposed = false;
  /** The newest view the server drew, and what the page was last sent. */
  view: NetworkView;
  private refused: string | undefined;
  /**
   * Runs whose end was reported. The server may still answer with a run's live parameters just
   * after its end (until its worker has exited): such an answer is followed by another request.
   */
  private readonly ended: string[] = [];
  private liveAfterEnd = 0;

  /** The panel of this document's network, if one is open. */
  static find(uri: string, network: string): NetworkPanel | undefined {
    return NetworkPanel.open.get(key(uri, network));
  }

  /** The panel that has the focus, if it is one of these (the palette's export takes its network). */
  static active(): NetworkPanel | undefined {
    return [...NetworkPanel.open.values()].find((p) => p.panel.active);
  }

  /** Opens the panel of `view`'s network beside the editor, or reveals the open one with this view. */
  static show(context: vscode.ExtensionContext, client: BaseLanguageClient, onProgress: OnProgress, view: NetworkView): NetworkPanel {
    const open = NetworkPanel.find(view.uri, view.network);
    if (open) {
      open.panel.reveal(open.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      open.update(view);
      return open;
    }
    const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(
      NetworkPanel.viewType,
      `Network ${view.network}`,
      // Beside the editor, past the training panel: the two are watched together during a run.
      { viewColumn: besideFreeOf(['netspec.training']), preserveFocus: true },
      // No retainContextWhenHidden: a panel shown again reloads, says `ready` and is sent the newest view.
      { enableScripts: true, localResourceRoots: [media] },
    );
    const created = new NetworkPanel(panel, media, client, onProgress, view);
    NetworkPanel.open.set(key(view.uri, view.network), created);
    return created;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    media: vscode.Uri,
    private readonly client: BaseLanguageClient,
    onProgress: OnProgress,
    view: NetworkView,
  ) {
    this.view = view;
    this.pacer = new Pacer(() => this.refresh(), LIVE_INTERVAL_MS);
    panel.webview.html = html(panel.webview, media);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromNetworkView | undefined) => void this.receive(m), undefined, this.disposables);
    // A panel shown again asks for what changed while it was hidden (no requests are made then).
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.visible) this.pacer.soon();
    }, undefined, this.disposables);
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.view.uri && e.contentChanges.length > 0) this.pacer.debounce(EDIT_DEBOUNCE_MS);
      }),
      onProgress((p) => {
        if (p.uri !== this.view.uri || p.network !== this.view.network) return;
        if (p.done) {
          this.ended.push(p.runId);
          if (this.ended.length > 16) this.ended.shift();
        }
        if (!this.panel.visible) return;
        // The run's end too: the server then draws the trained network.
        this.pacer.soon();
      }),
    );
  }

  private async receive(m: FromNetworkView | undefined): Promise<void> {
    if (!m) return;
    if (m.type === 'ready') {
      this.ready = true;
      this.post({ type: 'view', view: this.view });
      if (this.refused !== undefined) this.post({ type: 'refused', error: this.refused });
    } else if (m.type === 'reveal') {
      await reveal(this.view.uri, m.range);
    } else if (m.type === 'export') {
      await vscode.commands.executeCommand('netspec.exportNetworkDiagram', this.view.uri, this.view.network);
    }
  }

  /** Asks the server for the network again (the pacer calls it) and shows the answer. */
  private async refresh(): Promise<void> {
    if (this.disposed || !this.panel.visible) return;
    const params: NetworkViewParams = { uri: this.view.uri, network: this.view.network };
    let answer: Awaited<ReturnType<typeof requestView>>;
    try {
      answer = await requestView(this.client, params);
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    if (this.disposed) return;
    if (!answer) return; // the document was closed: keep the last drawing
    if ('error' in answer) {
      this.refused = answer.error;
      this.post({ type: 'refused', error: answer.error });
      return;
    }
    this.update(answer);
    // A finished run's last live parameters: ask again (a few times) for the trained ones.
    const p = answer.parameters;
    if (p.kind === 'live' && this.ended.includes(p.runId) && this.liveAfterEnd++ < MAX_LIVE_AFTER_END) this.pacer.debounce(LIVE_INTERVAL_MS);
    else if (p.kind !== 'live') this.liveAfterEnd = 0;
  }

  private update(view: NetworkView): void {
    this.view = view;
    this.refused = undefined;
    this.post({ type: 'view', view });
  }

  private post(message: ToNetworkView): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pacer.dispose();
    if (NetworkPanel.open.get(key(this.view.uri, this.view.network)) === this) NetworkPanel.open.delete(key(this.view.uri, this.view.network));
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()!.dispose();
  }
}

function key(uri: string, network: string): string {
  return `${uri}#${network}`;
}

function requestView(client: BaseLanguageClient, params: NetworkViewParams) {
  return client.sendRequest(NetworkViewRequest.type, params);
}

/**
 * Selects `range` in the spec's editor (the one showing it, else the first column), so that the
 * cursor lands on a weight's entry in its `weights` matrix, or on a layer's line.
 */
async function reveal(uri: string, range: ViewRange): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
  const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, selection, preserveFocus: false });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * The network the command is about: (uri, line) from a lens; from the palette, the active netspec
 * editor and the line of its cursor (the server takes the network whose statement, or whose
 * `train`/`probe` statement, is there, or the file's only network). A file with several networks
 * and none at the line gets a QuickPick.
 */
async function resolveView(client: BaseLanguageClient, uri: string | undefined, line: number | undefined, network?: string): Promise<NetworkView | undefined> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ?? (editor?.document.languageId === 'netspec' ? editor.document.uri.toString() : undefined);
  if (!target) {
    void vscode.window.showInformationMessage('Open a .netspec file with a network first.');
    return undefined;
  }
  const at = line ?? (network === undefined && editor?.document.uri.toString() === target ? editor.selection.active.line : undefined);
  let answer = await requestView(client, { uri: target, ...(network !== undefined ? { network } : {}), ...(at !== undefined ? { line: at } : {}) });
  // Several networks and none at the line: which one? (With one, its error is the answer.)
  if (answer && 'error' in answer && network === undefined && answer.networks && answer.networks.length > 1) {
    const pick = await vscode.window.showQuickPick(answer.networks, { placeHolder: `${answer.error}: pick one` });
    if (!pick) return undefined;
    answer = await requestView(client, { uri: target, network: pick });
  }
  if (!answer) {
    void vscode.window.showInformationMessage('Open the file in an editor first.');
    return undefined;
  }
  if ('error' in answer) {
    void vscode.window.showErrorMessage(`NetSpec: cannot show the network: ${answer.error}`);
    return undefined;
  }
  return answer;
}

/**
 * NetSpec: Show Network (`netspec.showNetwork`, arguments `[uri, line]` from the *Show network*
 * lens, none from the palette) and NetSpec: Export Network Diagram (SVG)
 * (`netspec.exportNetworkDiagram`, arguments `[uri, network]` from the view's button, none from the
 * palette). Each returns what it did, for tests: the network shown, the file written.
 */
export function registerNetworkView(context: vscode.ExtensionContext, client: BaseLanguageClient, onProgress: OnProgress): void {
  context.subscriptions.push(vscode.commands.registerCommand('netspec.showNetwork', async (uri?: string, line?: number) => {
    const view = await resolveView(client, typeof uri === 'string' ? uri : undefined, typeof line === 'number' ? line : undefined);
    if (!view) return undefined;
    NetworkPanel.show(context, client, onProgress, view);
    return view.network;
  }));
  context.subscriptions.push(vscode.commands.registerCommand('netspec.exportNetworkDiagram', async (uri?: string, network?: string) => {
    const panel = typeof uri === 'string' && typeof network === 'string' ? NetworkPanel.find(uri, network) : uri === undefined ? NetworkPanel.active() : undefined;
    const view = panel?.view ?? (await resolveView(client, typeof uri === 'string' ? uri : undefined, undefined, typeof network === 'string' ? network : undefined));
    if (!view) return undefined;
    return exportDiagram(view);
  }));
}

/**
 * Writes the view's SVG (what `netspec diagram` writes for these parameters) to SPEC.NETWORK.svg
 * beside the spec through workspace.fs (both hosts), asking before it replaces a file; then offers
 * to open it.
 */
async function exportDiagram(view: NetworkView): Promise<vscode.Uri | undefined> {
  const spec = vscode.Uri.parse(view.uri);
  const base = spec.path.slice(spec.path.lastIndexOf('/') + 1).replace(/\.netspec$/, '');
  const name = `${base}.${view.network}.svg`;
  const out = await writeBesideSpec(view.uri, name, new TextEncoder().encode(view.svg), 'the diagram');
  if (!out) return undefined;
  const open = 'Open';
  const what = view.parameters.kind === 'trained' ? ' (trained weights)' : view.parameters.kind === 'live' ? ` (epoch ${view.parameters.epoch} of the run)` : '';
  // Not awaited: the command is done once the file is written.
  void vscode.window.showInformationMessage(`Exported the diagram of ${view.network}${what} to ${name}.`, open)
    .then((next) => (next === open ? vscode.commands.executeCommand('vscode.open', out) : undefined));
  return out;
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const { nonce, src, csp } = webviewPolicy(webview, media, 'data:');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${src('networkView.css')}">
<title>Network</title>
</head>
<body>
<header>
  <div class="title"><span id="title">Network</span> <span id="params" class="params"></span></div>
  <div id="probe" class="dim"></div>
  <div class="toolbar">
    <div class="segmented" role="radiogroup" aria-label="The lines show">
      <label><input type="radio" name="mode" id="mode-weights" value="weights" checked> weights</label>
      <label id="gradients-label"><input type="radio" name="mode" id="mode-gradients" value="gradients"> gradients</label>
    </div>
    <button id="export" type="button" title="Write this diagram as SPEC.NETWORK.svg beside the spec">Export network diagram (SVG)</button>
  </div>
  <div id="hint" class="dim" hidden></div>
  <div id="legend" class="legend"></div>
  <ul id="notes" class="notes" hidden></ul>
  <p id="error" class="error" role="status" hidden></p>
</header>
<main id="diagram" aria-live="off"><p class="dim">Drawing the network…</p></main>
<div id="tip" class="tip" role="tooltip" hidden></div>
<div id="zoom" class="zoom" hidden><canvas id="zoomCanvas" width="160" height="160"></canvas><div id="zoomCaption" class="dim"></div></div>
<script nonce="${nonce}" src="${src('networkView.js')}"></script>
</body>
</html>`;
}
