import { ExecuteCommandRequest, type MessageType } from 'vscode-languageserver-protocol/browser';
import { NetworkViewRequest, PlotRequest, StopTrainingRequest, TrainRequest, TrainTargetsRequest } from '../../../server/src/protocol/requests';
import type { TrainProgress } from '../../../server/src/protocol/training';
import { registerActions } from './actions';
import { fromRange } from './convert';
import { registerFeatures } from './features';
import { LANGUAGE_ID, registerLanguage } from './language';
import { Markers } from './markers';
import { monaco } from './monaco';
import { PanelHost } from './panel';
import { showPlots } from './plot-dialog';
import { DOCUMENT_URI, ServerSession } from './server-session';
import { shareFragment, textOfFragment } from './share';
import { storedText, storeText } from './storage';

/**
 * The playground page (dist/playground/index.html): Monaco on the left, wired through LSP to the
 * language server running in a Web Worker (server-session.ts), the training panel on the right
 * (panel.ts), a toolbar (examples, Train, Stop, Share) and a status line. The text lives in the
 * address (`#code/…`, share.ts) and in localStorage (storage.ts), so a reload keeps it.
 */

/** examples/*.netspec by name, compiled in by scripts/playground.js. */
declare const NETSPEC_EXAMPLES: Record<string, string>;
/** The example a first visit (or a link that cannot be read) shows. */
const DEFAULT_EXAMPLE = 'xor';
/** How long typing must pause before the text is stored and the address updated. */
const PERSIST_MS = 400;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLElement>('status');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const shareUrl = $<HTMLInputElement>('shareUrl');

function status(text: string, kind: 'info' | 'warning' | 'error' = 'info'): void {
  statusLine.textContent = text;
  statusLine.className = kind;
}

/** The text to start from, and what to say about where it came from. */
function initialText(): { text: string; note?: string; problem?: string } {
  const fromLink = textOfFragment(location.hash);
  const example = NETSPEC_EXAMPLES[DEFAULT_EXAMPLE] ?? Object.values(NETSPEC_EXAMPLES)[0] ?? '';
  if (fromLink && 'text' in fromLink) return { text: fromLink.text, note: 'Opened the text of the link.' };
  if (fromLink) return { text: example, problem: `${fromLink.error} Showing the ${DEFAULT_EXAMPLE} example instead.` };
  const stored = storedText();
  if (stored !== undefined) return { text: stored, note: 'Restored your text from this browser.' };
  return { text: example };
}

registerLanguage(monaco);
const start = initialText();
const model = monaco.editor.createModel(start.text, LANGUAGE_ID, monaco.Uri.parse(DOCUMENT_URI));
const editor = monaco.editor.create($('editor'), {
  model,
  theme: 'netspec',
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 14,
  tabSize: 2,
  insertSpaces: true,
  detectIndentation: false,
  inlayHints: { enabled: 'on' },
  hover: { delay: 300 },
  fixedOverflowWidgets: true,
  scrollBeyondLastLine: false,
});
const markers = new Markers(monaco, model);
const panel = new PanelHost($<HTMLIFrameElement>('panel'));

/** The runs this page started that have not ended. */
const running = new Set<string>();
function updateRunButtons(): void {
  stopButton.disabled = running.size === 0;
}

const session = new ServerSession(new URL('web/server.js', document.baseURI).href, { text: () => model.getValue(), version: () => model.getVersionId() }, {
  diagnostics: (p) => markers.publish(p),
  progress: (p) => onProgress(p),
  message: (type: MessageType, text: string) => status(text, type === 1 ? 'error' : type === 2 ? 'warning' : 'info'),
  refresh: (what) => actions.refresh(what),
  restarted: (reason) => {
    running.clear();
    updateRunButtons();
    status(`The language server stopped (${reason}) and was restarted with your text; runs in progress were lost.`, 'warning');
  },
  stopped: (reason) => {
    running.clear();
    updateRunButtons();
    markers.clear();
    status(`The language server stopped: ${reason}`, 'error');
  },
});
const connected = () => session.connected();
registerFeatures(monaco, connected);
const actions = registerActions(monaco, connected, markers, {
  'netspec.train': (_uri, line) => void train(line),
  'netspec.gradientCheck': (uri, index) => void gradientCheck(uri, index),
  'netspec.showPlot': (uri, line) => void showPlot(uri, line),
  'netspec.showNetwork': (uri, line) => void showNetwork(uri, line),
});

session.start().then(
  () => status(start.problem ?? start.note ?? 'Ready. Hover a name for its value and formula; press Train to fit the network.', start.problem ? 'error' : 'info'),
  () => undefined, // the session restarts the server and says so
);
if (start.problem) status(start.problem, 'error');

model.onDidChangeContent((e) => {
  void session.changed(e.changes.map((c) => ({ range: fromRange(c.range), rangeLength: c.rangeLength, text: c.text }))).catch(() => undefined);
  schedulePersist();
});

let persistTimer: ReturnType<typeof setTimeout> | undefined;
function schedulePersist(): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persist, PERSIST_MS);
}

/** The text into localStorage and the address (replacing the history entry: typing is not navigation). */
function persist(): void {
  const text = model.getValue();
  storeText(text);
  const link = shareFragment(text);
  const address = location.pathname + location.search + ('fragment' in link ? link.fragment : '');
  history.replaceState(null, '', address);
}

/** Starts the `train` statement on `line`, or the one at the cursor, or the first. */
async function train(line?: number): Promise<void> {
  const connection = await connected();
  let at = line;
  if (at === undefined) {
    const targets = (await connection.sendRequest(TrainTargetsRequest.type, { uri: DOCUMENT_URI })) ?? [];
    if (targets.length === 0) {
      status('Nothing to train: the file has no train statement (write `train <network> on <data> { epochs 100 }`).', 'warning');
      return;
    }
    const cursor = (editor.getPosition()?.lineNumber ?? 1) - 1;
    at = ([...targets].reverse().find((t) => t.line <= cursor) ?? targets[0]).line;
  }
  const answer = await connection.sendRequest(TrainRequest.type, { uri: DOCUMENT_URI, line: at });
  if ('error' in answer) {
    status(`Cannot train: ${answer.error}`, 'error');
    return;
  }
  running.add(answer.runId);
  updateRunButtons();
  status(`Training ${answer.network} on ${answer.data}…`);
}

function onProgress(p: TrainProgress): void {
  panel.add(p);
  if (!p.done) {
    // JSON has no NaN: a diverged loss arrives as null.
    if (running.has(p.runId)) status(`Training ${p.network}: epoch ${p.epoch} / ${p.epochs}${Number.isFinite(p.loss) ? `, loss ${p.loss.toPrecision(4)}` : ''}`);
    return;
  }
  running.delete(p.runId);
  updateRunButtons();
  if (p.error !== undefined) status(`Training ${p.network} failed: ${p.error}`, 'error');
  else if (p.cancelled) status(`Stopped training ${p.network}.`);
  else if (p.diverged) status(`Training ${p.network} diverged at epoch ${p.diverged.epoch}: lower the learning rate.`, 'warning');
  else status(`Trained ${p.network}${Number.isFinite(p.finalLoss) ? `: final loss ${p.finalLoss.toPrecision(4)}` : ''}. Hovers and probes now use the trained weights.`);
}

async function gradientCheck(uri: string, index: number): Promise<void> {
  // The verdict comes back as a window/showMessage, which the status line shows.
  await (await connected()).sendRequest(ExecuteCommandRequest.type, { command: 'netspec.gradientCheck', arguments: [uri, index] });
}

async function showPlot(uri: string, line: number): Promise<void> {
  const answer = await (await connected()).sendRequest(PlotRequest.type, { uri, line });
  if (answer) showPlots($<HTMLDialogElement>('plot'), answer);
  else status('Nothing to plot on that line.', 'warning');
}

/** "Show network" in the page: the diagram `netspec diagram` draws, at the network's current parameters, in the plot dialog. */
async function showNetwork(uri: string, line: number): Promise<void> {
  const view = await (await connected()).sendRequest(NetworkViewRequest.type, { uri, line });
  if (!view || 'error' in view) {
    status(view ? `No network to show: ${view.error}.` : 'No network to show.', 'warning');
    return;
  }
  const weights = view.parameters.kind === 'file' ? 'its initial weights' : view.parameters.kind === 'trained' ? 'its trained weights' : `epoch ${view.parameters.epoch}`;
  const caption = `every weight a line, blue w > 0, orange w < 0, its width growing with |w|; at ${weights}.`;
  showPlots($<HTMLDialogElement>('plot'), { title: `Network ${view.network}`, items: [{ label: view.network, svg: view.svg, caption }] });
}

trainButton.addEventListener('click', () => void train());
stopButton.addEventListener('click', () => {
  void connected().then((c) => c.sendRequest(StopTrainingRequest.type, { uri: DOCUMENT_URI }));
});

$<HTMLButtonElement>('share').addEventListener('click', () => {
  const link = shareFragment(model.getValue());
  if ('error' in link) {
    status(link.error, 'error');
    return;
  }
  const url = location.origin + location.pathname + location.search + link.fragment;
  history.replaceState(null, '', url);
  shareUrl.hidden = false;
  shareUrl.value = url;
  shareUrl.select();
  navigator.clipboard.writeText(url).then(
    () => status('Link copied: it holds the whole text, so whoever opens it sees this file.'),
    () => status('The link is in the box above: copy it from there (the browser did not let the page copy it).', 'warning'),
  );
});

const examples = $<HTMLSelectElement>('examples');
for (const name of Object.keys(NETSPEC_EXAMPLES)) examples.add(new Option(name, name));
examples.addEventListener('change', () => {
  const text = NETSPEC_EXAMPLES[examples.value];
  if (text === undefined) return;
  // An edit, not a new model: Ctrl+Z brings back what was there.
  editor.executeEdits('examples', [{ range: model.getFullModelRange(), text }]);
  editor.setPosition({ lineNumber: 1, column: 1 });
  editor.revealLine(1);
  status(`Opened the ${examples.value} example (Ctrl+Z brings back your text).`);
  examples.value = '';
  editor.focus();
});

/**
 * For benchmarks and tests: set the text as one edit, read what the server said of the current
 * version, find where a position is on the page, and stop the server's worker silently (as a
 * browser that killed it would: the heartbeat finds it and the page restarts it).
 */
(window as unknown as { netspecPlayground: object }).netspecPlayground = {
  setText(text: string): number {
    editor.executeEdits('api', [{ range: model.getFullModelRange(), text }]);
    return model.getVersionId();
  },
  /** Inserts `text` at a position (1-based), as typing would: one small edit. Returns the new version. */
  insert(lineNumber: number, column: number, text: string): number {
    editor.executeEdits('api', [{ range: new monaco.Range(lineNumber, column, lineNumber, column), text }]);
    return model.getVersionId();
  },
  text: () => model.getValue(),
  version: () => model.getVersionId(),
  diagnosticsSeen: () => markers.seen(),
  diagnostics: () => markers.current,
  status: () => statusLine.textContent,
  /** The page coordinates of a position (1-based line and column), scrolled into view: where a test points the mouse. */
  pointOf(lineNumber: number, column: number): { x: number; y: number } | undefined {
    editor.revealPositionInCenter({ lineNumber, column });
    const at = editor.getScrolledVisiblePosition({ lineNumber, column });
    const box = editor.getDomNode()?.getBoundingClientRect();
    return at && box ? { x: box.left + at.left + 2, y: box.top + at.top + at.height / 2 } : undefined;
  },
  stopServerWorker: () => session.currentWorker()?.terminate(),
};
