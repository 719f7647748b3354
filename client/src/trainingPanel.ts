import * as vscode from 'vscode';
import { webviewPolicy } from './webviewPolicy';
import type { TrainProgress } from '../../server/src/protocol/training';
import type { FromTrainingPanel, PanelRow, RunSnapshots, ToTrainingPanel } from '../../server/src/protocol/webview';
import { besideFreeOf } from './columns';
import { RunRecord } from './runRecord';
import { trainingPanelBody } from './trainingPanelBody';
import { PANEL_COMMANDS, type DataClick, type ShownRun } from './trainingControls';

/**
 * NetSpec: Training — the webview panel that shows a run live: the loss curve (uPlot), the
 * accuracy when there is one, a header with the run's state and the network's picture with the
 * data over it (a 2-input classifier's decision boundary, another 2-input network's output as a
 * heatmap, a 1-input network's fitted curve); a finished run can be replayed epoch by epoch from
 * the snapshots its worker took. The panel only shows what it is given: no language logic, no
 * training here.
 *
 * Files it loads, all from `dist/media/` (written there by esbuild.js; nothing from a CDN):
 * `uPlot.iife.min.js`, `uPlot.min.css` (npm `uplot`), `trainingPanel.js` (the page script,
 * bundled from `client/src/webview/trainingPanel.ts`), `trainingPanel.css` (from `client/media/`).
 * The messages it exchanges with the page are server/src/protocol/webview.ts.
 */

/** How often queued epochs are posted: one message per interval, however fast the run. */
const FLUSH_MS = 40;
/** How long a panel opened for a run may take to load before the run starts anyway. */
const READY_TIMEOUT_MS = 3000;

/** The newest run, recorded whether or not a panel is open (runRecord.ts). */
const record = new RunRecord();

export class TrainingPanel {
  static readonly viewType = 'netspec.training';
  private static current: TrainingPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  /** Epochs not posted yet. */
  private unsent: PanelRow[] = [];
  /** The runs whose newest picture was not posted yet. */
  private picturesUnsent = new Set<string>();
  private snapshotsUnsent: RunSnapshots[] = [];
  /** Resolved when the page script listens (its first `ready`). */
  private readonly readyOnce: Promise<void>;
  private resolveReady: () => void = () => undefined;

  /** The open panel, if any: to update it without opening one. */
  static currentPanel(): TrainingPanel | undefined {
    return TrainingPanel.current && !TrainingPanel.current.disposed ? TrainingPanel.current : undefined;
  }

  /**
   * Records a progress event (with the epochs in its `recent`) and shows it in the open panel.
   * A new run (or group of compared runs) starts the panel over; events of an older run (several
   * may train at once) are ignored: the panel follows the newest.
   */
  static record(p: TrainProgress): void {
    const r = record.add(p);
    if (!r) return;
    // A new run: the replay of the record brings this event too (queueing it again would repeat its snapshots).
    if (r.restarted) TrainingPanel.currentPanel()?.restart();
    else TrainingPanel.currentPanel()?.queue(r.items, r.picture?.runId, r.snapshots, r.done);
  }

  /** A run of the record (by default the newest, the one the panel shows first), if any. */
  static shownRun(runId?: string): ShownRun | undefined {
    const run = record.runs.find((r) => r.runId === runId) ?? record.runs.at(-1);
    const row = run?.history.at(-1);
    return row && { uri: row.uri, network: row.network, data: row.data };
  }

  /** Creates the panel, or reveals the one there is (without taking focus from the editor). */
  static show(context: vscode.ExtensionContext): TrainingPanel {
    const open = TrainingPanel.current;
    if (open && !open.disposed) {
      open.panel.reveal(open.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      return open;
    }
    const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(
      TrainingPanel.viewType,
      'NetSpec: Training',
      // Beside the editor, past a network view: the two are watched together during a run.
      { viewColumn: besideFreeOf(['netspec.network']), preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media] },
    );
    TrainingPanel.current = new TrainingPanel(panel, media);
    return TrainingPanel.current;
  }

  /**
   * Resolves once the page listens, or after READY_TIMEOUT_MS (a webview that never loads must not
   * keep a run from starting): a run started after it shows from its first epoch.
   */
  whenReady(): Promise<void> {
    return Promise.race([this.readyOnce, new Promise<void>((resolve) => setTimeout(resolve, READY_TIMEOUT_MS))]);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, media: vscode.Uri) {
    this.readyOnce = new Promise((resolve) => (this.resolveReady = resolve));
    panel.webview.html = html(panel.webview, media);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromTrainingPanel | undefined) => {
      // The script sends `ready` once it listens (also after a reload): replay the run.
      if (m?.type === 'ready') {
        this.ready = true;
        this.replay();
        this.resolveReady();
      } else if (m?.type === 'control' && Object.hasOwn(PANEL_COMMANDS, m.action)) {
        void vscode.commands.executeCommand(PANEL_COMMANDS[m.action]);
      } else if (m?.type === 'click') {
        // Into the data of the run the page showed (not a newer one started since).
        const run = record.runs.some((r) => r.runId === m.runId) ? TrainingPanel.shownRun(m.runId) : undefined;
        if (run) void vscode.commands.executeCommand('netspec.editTrainingData', { ...run, x: m.x, y: m.y, mode: m.mode } satisfies DataClick);
      }
    }, undefined, this.disposables);
  }

  /** A new run: the webview starts over from the record. */
  private restart(): void {
    if (this.ready) this.replay();
  }

  private replay(): void {
    this.unsent = [];
    this.picturesUnsent.clear();
    this.snapshotsUnsent = [];
    void this.post({ type: 'reset' });
    const all = record.replay();
    if (all) void this.post({ type: 'progress', ...all });
  }

  /** Queues epochs for the webview: posted at most every FLUSH_MS, the end of a run at once. */
  private queue(items: PanelRow[], pictureOf: string | undefined, snapshots: RunSnapshots | undefined, done: boolean): void {
    if (this.disposed || !this.ready) return; // the `ready` replay will bring them
    this.unsent.push(...items);
    if (snapshots) this.snapshotsUnsent.push(snapshots);
    if (pictureOf !== undefined) this.picturesUnsent.add(pictureOf);
    if (done) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed || !this.ready || (this.unsent.length === 0 && this.picturesUnsent.size === 0 && this.snapshotsUnsent.length === 0)) return;
    const snapshots = this.snapshotsUnsent.length ? this.snapshotsUnsent : undefined;
    const pictures = [...this.picturesUnsent].flatMap((id) => record.pictureOf(id) ?? []);
    const message: ToTrainingPanel = { type: 'progress', items: this.unsent, pictures: pictures.length ? pictures : undefined, snapshots };
    this.unsent = [];
    this.picturesUnsent.clear();
    this.snapshotsUnsent = [];
    void this.post(message);
  }

  private post(message: ToTrainingPanel): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (TrainingPanel.current === this) TrainingPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()!.dispose();
  }
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const { nonce, src, csp } = webviewPolicy(webview, media, `${webview.cspSource} data:`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${src('uPlot.min.css')}">
<link rel="stylesheet" href="${src('trainingPanel.css')}">
<title>NetSpec: Training</title>
</head>
<body>
${trainingPanelBody('Start a run with <b>NetSpec: Train Network</b>; its loss appears here epoch by epoch.', true)}
<script nonce="${nonce}" src="${src('uPlot.iife.min.js')}"></script>
<script nonce="${nonce}" src="${src('trainingPanel.js')}"></script>
</body>
</html>`;
}
