import type { TrainProgress } from '../../../server/src/protocol/training';
import type { FromTrainingPanel, ToTrainingPanel } from '../../../server/src/protocol/webview';
import { RunRecord } from '../runRecord';
import { trainingPanelBody } from '../trainingPanelBody';

/**
 * The training panel beside the editor: the VS Code extension's own panel page (its script
 * dist/media/trainingPanel.js, uPlot and its styles, copied to panel/) in a frame, fed the same
 * messages (server/src/protocol/webview.ts) from the same record of the newest run (runRecord.ts).
 * panel/bridge.js stands in for the webview's `acquireVsCodeApi`, posting the page's `ready` here;
 * the frame's colours are VS Code's light theme variables, which the panel's styles read.
 */
export class PanelHost {
  private readonly record = new RunRecord();
  private ready = false;

  constructor(private readonly frame: HTMLIFrameElement) {
    window.addEventListener('message', (e: MessageEvent<FromTrainingPanel | undefined>) => {
      if (e.source !== frame.contentWindow || e.data?.type !== 'ready') return;
      // The page listens (also after its frame reloaded): it gets the whole run so far.
      this.ready = true;
      this.replay();
    });
    frame.srcdoc = panelDocument();
  }

  /** A run's event: recorded, and shown (a new run starts the panel over). */
  add(p: TrainProgress): void {
    const r = this.record.add(p);
    if (!r) return;
    if (r.restarted) this.replay();
    else this.post({ type: 'progress', items: r.items, pictures: r.picture ? [r.picture] : undefined, snapshots: r.snapshots ? [r.snapshots] : undefined });
  }

  private replay(): void {
    this.post({ type: 'reset' });
    const all = this.record.replay();
    if (all) this.post({ type: 'progress', ...all });
  }

  private post(message: ToTrainingPanel): void {
    // '*': the frame is a srcdoc document of this page's (its origin reads as "null" in some browsers).
    if (this.ready) this.frame.contentWindow?.postMessage(message, '*');
  }
}

/** The frame's page: the panel's body with its scripts, loaded from panel/ beside index.html. */
function panelDocument(): string {
  const base = new URL('panel/', document.baseURI).href;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<base href="${base}">
<link rel="stylesheet" href="uPlot.min.css">
<link rel="stylesheet" href="trainingPanel.css">
<style>
:root {
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  --vscode-font-size: 13px;
  --vscode-editor-font-family: ui-monospace, "Cascadia Code", Menlo, monospace;
  --vscode-editor-font-size: 13px;
  --vscode-editor-background: #ffffff;
  --vscode-editor-foreground: #1f1f1f;
  --vscode-descriptionForeground: #616161;
  --vscode-panel-border: #e5e5e5;
  --vscode-badge-background: #cccccc;
  --vscode-badge-foreground: #333333;
  --vscode-button-background: #005fb8;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #0258a8;
  --vscode-progressBar-background: #0e70c0;
  --vscode-charts-blue: #1a85ff;
  --vscode-charts-green: #388a34;
  --vscode-charts-orange: #d18616;
  --vscode-charts-purple: #652d90;
  --vscode-charts-yellow: #bf8803;
  --vscode-errorForeground: #e51400;
  --vscode-editorWarning-foreground: #bf8803;
  --vscode-inputValidation-warningBackground: #f6f5d2;
  --vscode-testing-iconPassed: #388a34;
}
body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
</style>
<title>NetSpec: Training</title>
</head>
<body>
${trainingPanelBody('Press <b>Train</b> (or the <b>Train</b> lens above a <code>train</code> statement); its loss appears here epoch by epoch.')}
<script src="bridge.js"></script>
<script src="uPlot.iife.min.js"></script>
<script src="trainingPanel.js"></script>
</body>
</html>`;
}
