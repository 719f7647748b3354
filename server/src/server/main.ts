import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  DocumentSymbol,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CompletionItem,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { gradientCheck } from '../analysis/gradcheck';
import { DEFAULT_INLAY, inlayHints, type InlayOptions } from '../analysis/inlay';
import { formatNumber } from '../analysis/format';
import { analyze, type FileAnalysis, type RangedDiagnostic } from '../analysis/analyze';
import { IncrementalAnalyzer } from '../analysis/incremental';
import { completionsAt, type CompletionKind } from '../analysis/completion';
import { hoverAt, plotsAt } from '../analysis/hover';
import { outline, type OutlineSymbol, type SymbolKind as OutlineKind } from '../analysis/symbols';
import { cancellationStrategy, cancelled } from './cancellation';
import { registerNavigation } from './navigation';
import { DIAGNOSTIC_DOCS } from '../semantics/diagnostic';
import { registerExport } from './export';
import { Runs, specFileOf, type Run, type RunMessage } from './runs';
import { restrictedDiagnostics, RESTRICTED, WorkspaceTrust } from './trust';
import {
  PlotRequest,
  StopTrainingRequest,
  TrainProgressNotification,
  TrainRequest,
  TrainTargetsRequest,
  WorkspaceTrustedNotification,
} from '../protocol/requests';
import type { RunEvent, TrainAnswer, TrainProgress } from '../protocol/training';

/**
 * The language server: the only layer that knows LSP. It keeps one analysis per open document
 * version and translates the analysis layer's plain results into protocol types.
 * `node dist/server.js --stdio` (any editor) or IPC (VS Code).
 */

const connection = createConnection(ProposedFeatures.all, cancellationStrategy);
const documents = new TextDocuments(TextDocument);

/** The server-side command behind the "Gradient check" code lens. */
const GRADIENT_CHECK = 'netspec.gradientCheck';

/**
 * Quiet time after a keystroke before diagnostics are recomputed, when analysing is expensive
 * (the first analysis of a large file, or one after an edit that changes much). An analysis that
 * cost less than this last time runs at once: waiting would cost more than it saves. Versions
 * superseded before their analysis starts are never analysed; changes that arrive together are
 * analysed once.
 */
const DEBOUNCE_MS = 120;
/** When analysing is cheap: just enough for changes sent together (a paste, a burst from the client) to be analysed once. */
const QUIET_MS = 4;

const cache = new Map<string, { version: number; analysis: FileAnalysis }>();
/** Per open document: the incremental analysis (analysis/incremental.ts) and what its last run cost. */
const analyzers = new Map<string, { analyzer: IncrementalAnalyzer; lastMs: number }>();
const timers = new Map<string, NodeJS.Timeout>();
const runs = new Runs();
/** Workspace trust: in VS Code's Restricted Mode no data file is read and nothing trains (trust.ts). */
const trust = new WorkspaceTrust();

/**
 * The analysis of the document's current version, computed at most once per version (and again
 * when a training run of it ends: its trained parameters change what probes and hovers show).
 */
function analysisOf(doc: TextDocument): FileAnalysis {
  const hit = cache.get(doc.uri);
  if (hit && hit.version === doc.version) return hit.analysis;
  const options = { trained: runs.trainedOf(doc.uri) };
  let entry = analyzers.get(doc.uri);
  if (!entry) analyzers.set(doc.uri, (entry = { analyzer: new IncrementalAnalyzer(), lastMs: DEBOUNCE_MS }));
  const started = performance.now();
  let analysis: FileAnalysis;
  try {
    analysis = entry.analyzer.analyze(doc.getText(), options);
  } catch (err) {
    // A bug of ours in the reuse: start the document afresh, and answer with a plain analysis.
    connection.console.error(`incremental analysis failed for ${doc.uri}: ${err instanceof Error ? err.stack : String(err)}`);
    analyzers.delete(doc.uri);
    analysis = analyze(doc.getText(), options);
  }
  entry.lastMs = performance.now() - started;
  cache.set(doc.uri, { version: doc.version, analysis });
  return analysis;
}

/** How long to wait after a change before analysing (DEBOUNCE_MS). */
function debounceOf(uri: string): number {
  return (analyzers.get(uri)?.lastMs ?? DEBOUNCE_MS) < DEBOUNCE_MS ? QUIET_MS : DEBOUNCE_MS;
}

const SEVERITY: Record<RangedDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** docs/LANGUAGE.md beside the bundle (dist/..), where every diagnostic code is explained. */
const DOCS = pathToFileURL(path.join(__dirname, '..', 'docs', 'LANGUAGE.md')).href;
function toLsp(d: RangedDiagnostic): Diagnostic {
  return {
    range: d.range, severity: SEVERITY[d.severity], code: d.code, codeDescription: { href: `${DOCS}#${DIAGNOSTIC_DOCS[d.code]}` },
    source: 'netspec', message: d.message, data: d.suggestion,
  };
}

/** Publishes diagnostics for the version analysed, unless the document has moved on since. */
function publish(uri: string): void {
  const doc = documents.get(uri);
  if (!doc) return;
  const version = doc.version;
  let diagnostics: Diagnostic[];
  try {
    const a = analysisOf(doc);
    diagnostics = [...a.diagnostics.map(toLsp), ...divergences(uri, a), ...restrictedDiagnostics(trust, a)];
  } catch (err) {
    connection.console.error(`analysis failed for ${uri}: ${err instanceof Error ? err.stack : String(err)}`);
    return;
  }
  if (documents.get(uri)?.version !== version) return; // a newer version will publish its own
  void connection.sendDiagnostics({ uri, version, diagnostics });
}

function schedule(uri: string, delay: number): void {
  clearTimeout(timers.get(uri));
  timers.set(uri, setTimeout(() => {
    timers.delete(uri);
    publish(uri);
  }, delay));
}

/** Whether the client answers workspace/configuration (VS Code does; a bare LSP client may not). */
let clientHasConfiguration = false;

connection.onInitialize((params): InitializeResult => {
  clientHasConfiguration = !!params.capabilities.workspace?.configuration;
  trust.initialize(params.initializationOptions);
  // A client that shows runs itself (NetSpec's VS Code extension: its status-bar item and the
  // panel) gets no work-done progress too, which VS Code would show as a second status-bar item.
  clientHasProgress = !!params.capabilities.window?.workDoneProgress && (params.initializationOptions as { showsTraining?: unknown } | undefined)?.showsTraining !== true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: [' ', '('] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      inlayHintProvider: true,
      codeLensProvider: { resolveProvider: false },
      executeCommandProvider: { commands: [GRADIENT_CHECK] },
      ...registerNavigation(connection, documents, analysisOf),
    },
    serverInfo: { name: 'netspec', version: '0.1.0' },
  };
});

/** The inlay-hint settings (`netspec.inlayHints.*`), asked of the client each time: it may change them. */
async function inlayOptions(uri: string): Promise<InlayOptions> {
  if (!clientHasConfiguration) return DEFAULT_INLAY;
  const c = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'netspec.inlayHints' })) as Partial<InlayOptions> | null;
  return { ...DEFAULT_INLAY, ...(c ?? {}) };
}

documents.onDidOpen((e) => schedule(e.document.uri, 0));
documents.onDidChangeContent((e) => schedule(e.document.uri, debounceOf(e.document.uri)));
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri));
  timers.delete(e.document.uri);
  cache.delete(e.document.uri);
  analyzers.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

/** Runs a request handler; a bug of ours is logged and answered with nothing, never a crash. */
function guarded<T>(what: string, f: () => T): T | null {
  try {
    return f();
  } catch (err) {
    connection.console.error(`${what} failed: ${err instanceof Error ? err.stack : String(err)}`);
    return null;
  }
}

/** A request about one open document, answered from its current analysis. */
function onDocument<T>(what: string, uri: string, f: (doc: TextDocument, a: FileAnalysis) => T): T | null {
  return guarded(what, () => {
    const doc = documents.get(uri);
    return doc ? f(doc, analysisOf(doc)) : null;
  });
}

connection.onHover((params) => onDocument('hover', params.textDocument.uri, (doc, a) => {
  const h = hoverAt(a, doc.offsetAt(params.position));
  if (!h) return null;
  return { contents: { kind: 'markdown' as const, value: h.markdown }, range: a.lines.range(h.span) };
}));

const SYMBOL_KIND: Record<OutlineKind, SymbolKind> = {
  network: SymbolKind.Class,
  layer: SymbolKind.Field,
  data: SymbolKind.Array,
  train: SymbolKind.Event,
  probe: SymbolKind.Method,
  let: SymbolKind.Variable,
  eval: SymbolKind.Constant,
  fn: SymbolKind.Function,
};

connection.onDocumentSymbol((params) => onDocument('documentSymbol', params.textDocument.uri, (_doc, a) => {
  const convert = (s: OutlineSymbol): DocumentSymbol => DocumentSymbol.create(
    s.name, s.detail, SYMBOL_KIND[s.kind], a.lines.range(s.span), a.lines.range(s.selection), s.children.map(convert),
  );
  return outline(a.program.file).map(convert);
}));

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  activation: CompletionItemKind.Function,
  function: CompletionItemKind.Function,
  loss: CompletionItemKind.EnumMember,
  init: CompletionItemKind.EnumMember,
  value: CompletionItemKind.Variable,
  network: CompletionItemKind.Class,
  data: CompletionItemKind.Struct,
  option: CompletionItemKind.Property,
  layer: CompletionItemKind.Field,
};

connection.onCompletion((params) => onDocument('completion', params.textDocument.uri, (doc, a) => {
  return completionsAt(a.program, doc.offsetAt(params.position)).map((c): CompletionItem => ({
    label: c.label,
    kind: COMPLETION_KIND[c.kind],
    detail: c.detail,
    documentation: c.documentation ? { kind: 'markdown', value: c.documentation } : undefined,
  }));
}));

connection.onCodeAction((params) => guarded('codeAction', () => {
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    const s = d.data as { title: string; range: Diagnostic['range']; newText: string } | undefined;
    if (d.source !== 'netspec' || !s?.newText) continue;
    const action = CodeAction.create(s.title, { changes: { [params.textDocument.uri]: [{ range: s.range, newText: s.newText }] } }, CodeActionKind.QuickFix);
    action.diagnostics = [d];
    action.isPreferred = true;
    actions.push(action);
  }
  const doc = documents.get(params.textDocument.uri);
  if (doc) {
    const a = analysisOf(doc);
    const from = doc.offsetAt(params.range.start);
    const to = doc.offsetAt(params.range.end);
    for (const [name] of runs.trainedOf(params.textDocument.uri)) {
      const stmts = [a.program.networks.get(name)?.stmt, ...a.program.trains.filter((t) => t.stmt.network.text === name).map((t) => t.stmt)];
      if (!stmts.some((st) => st && st.start <= to && st.end >= from)) continue;
      const action = insertTrainedWeights(params.textDocument.uri, a, name);
      if (action) actions.push(action);
    }
  }
  return actions;
}));

connection.languages.inlayHint.on(async (params, token) => {
  const options = await inlayOptions(params.textDocument.uri);
  // Cancelled while the client answered the configuration request: say so rather than compute.
  const stop = cancelled(token, 'inlayHint');
  if (stop) return stop;
  return onDocument('inlayHint', params.textDocument.uri, (doc, a) =>
    inlayHints(a, doc.offsetAt(params.range.start), doc.offsetAt(params.range.end), options).map((h) => ({
      position: doc.positionAt(h.offset),
      label: h.label,
      paddingLeft: true,
      tooltip: h.tooltip,
    })));
});

connection.onCodeLens((params) => onDocument('codeLens', params.textDocument.uri, (_doc, a) => {
  const uri = params.textDocument.uri;
  const at = (offset: number) => a.lines.range({ start: offset, end: offset });
  const gradient = a.probes.filter((p) => p.result).map((p, i) => ({
    range: at(p.stmt.start),
    command: { title: 'Gradient check', command: GRADIENT_CHECK, arguments: [uri, i] },
  }));
  // "Show plot" is the client's command (it opens a panel); the plots come from netspec/plot.
  const plots = a.program.file.statements.filter((s) => s.kind === 'fn' || s.kind === 'network').map((s) => ({
    range: at(s.start),
    command: { title: 'Show plot', command: 'netspec.showPlot', arguments: [uri, a.lines.position(s.start).line] },
  }));
  // "Train" is the client's command: it shows progress and the training panel.
  // In Restricted Mode nothing trains, so no lens offers to.
  const train = !trust.isTrusted ? [] : a.program.trains.map((t) => ({
    range: at(t.stmt.start),
    command: { title: 'Train', command: 'netspec.train', arguments: [uri, a.lines.position(t.stmt.start).line] },
  }));
  return [...train, ...gradient, ...plots];
}));

/** `netspec/plot {uri, line}`: the plots behind "Show plot", as SVG documents. */
connection.onRequest(PlotRequest.type, (params) =>
  onDocument('plot', params.uri, (_doc, a) => plotsAt(a, params.line) ?? null));

/** `netspec.gradientCheck(uri, i)`: the i-th successful probe, backpropagation vs central differences. */
connection.onExecuteCommand((params) => {
  if (params.command !== GRADIENT_CHECK) return null;
  const [uri, index] = (params.arguments ?? []) as [string, number];
  return onDocument('gradientCheck', uri, (_doc, a) => {
    const p = a.probes.filter((x) => x.result)[index];
    const net = p && a.program.networks.get(p.network)?.network;
    if (!p || !net || !p.input || !p.target) return null;
    const r = gradientCheck(net, p.input, p.target);
    const verdict = r.worst < 1e-5 ? 'backpropagation agrees with finite differences' : 'backpropagation and finite differences DISAGREE';
    // A notification, not a request: it needs no answer, so any LSP client can show it.
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Info,
      message: `Gradient check of probe ${p.network} (line ${p.line}): ${verdict}. Worst relative error ${formatNumber(r.worst, 2)} over ${r.count} parameters, at ${r.at} (exact ${formatNumber(r.exact)}, numeric ${formatNumber(r.numeric)}).`,
    });
    return r;
  });
});

// A rejected promise of ours (e.g. a client that refuses a request) is logged, never fatal.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

// ---- training runs ----------------------------------------------------------------------------

/** A run that diverged leaves a warning on its `learning_rate` (or its `train` keyword). */
function divergences(uri: string, a: FileAnalysis): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [network, o] of runs.outcomesOf(uri)) {
    if (!o.diverged) continue;
    const t = a.program.trains.find((x) => x.stmt.network.text === network);
    if (!t) continue;
    const lr = t.stmt.options.find((x) => x.name.text === 'learning_rate');
    const span = lr ?? { start: t.stmt.start, end: t.stmt.start + 5 };
    const d = o.diverged;
    out.push({
      range: a.lines.range(span), severity: DiagnosticSeverity.Warning, code: 'diverged', source: 'netspec',
      codeDescription: { href: `${DOCS}#${DIAGNOSTIC_DOCS.diverged}` },
      message: `Training \`${network}\` diverged at epoch ${d.epoch}, step ${d.step}: the batch loss became ${d.loss}. Lower the learning rate${lr ? ` (now ${a.program.file.text.slice(lr.value.start, lr.value.end)})` : ''}.`,
    });
  }
  return out;
}

/** After a run ends: analyse again with its parameters, and let the editor refresh what it shows. */
function refreshAfterRun(uri: string): void {
  cache.delete(uri);
  publish(uri);
  void connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
}

let clientHasProgress = false;

connection.onRequest(TrainTargetsRequest.type, (params) => onDocument('trainTargets', params.uri, (_doc, a) =>
  a.program.trains.map((t) => ({ network: t.stmt.network.text, data: t.stmt.data.text, line: a.lines.position(t.stmt.start).line, epochs: t.epochs }))));

/**
 * `netspec/train {uri, line}`: starts the `train` statement on that line in a worker. Progress
 * goes out as LSP work-done progress (cancellable: cancelling stops the worker at once) and as
 * `netspec/trainProgress` notifications for the training panel.
 */
connection.onRequest(TrainRequest.type, async (params): Promise<TrainAnswer> => {
  const doc = documents.get(params.uri);
  if (!doc) return { error: 'the document is not open' };
  if (!trust.isTrusted) return { error: RESTRICTED };
  const a = analysisOf(doc);
  const t = a.program.trains.find((x) => a.lines.position(x.stmt.start).line === params.line);
  if (!t) return { error: `there is no train statement on line ${params.line + 1}` };
  if (a.diagnostics.some((d) => d.severity === 'error')) return { error: 'the file has errors; fix them before training' };
  const network = t.stmt.network.text;
  const data = t.stmt.data.text;
  const reporter = clientHasProgress ? await connection.window.createWorkDoneProgress() : undefined;
  reporter?.begin(`Training ${network} on ${data}`, 0, 'starting', true);
  let finished = false;
  /** The newest epoch reported, so a stopped run's last event says where it stopped. */
  let last: { epoch: number; epochs: number; loss: number } | undefined;
  const eventOf = (run: Run): RunEvent => ({ runId: run.id, uri: params.uri, network, data });
  const notify = (event: TrainProgress) => void connection.sendNotification(TrainProgressNotification.type, event);
  const onMessage = (run: Run, m: RunMessage) => {
    if (m.kind === 'progress') {
      reporter?.report(Math.floor((100 * m.epoch) / m.epochs), `epoch ${m.epoch}/${m.epochs} · loss ${formatNumber(m.loss, 4)}`);
      last = { epoch: m.epoch, epochs: m.epochs, loss: m.loss };
      const { kind: _, ...progress } = m;
      notify({ ...eventOf(run), ...progress, done: false });
    } else if (m.kind === 'done') {
      finished = true;
      runs.record(params.uri, network, m.diverged
        ? { diverged: { ...m.diverged, line: run.line } }
        : { trained: { layers: m.layers } });
      notify({ ...eventOf(run), epoch: m.epochs, epochs: t.epochs, loss: m.finalLoss, done: true, diverged: m.diverged, finalLoss: m.finalLoss, firstLoss: m.firstLoss });
      if (m.diverged) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Training ${network} diverged at epoch ${m.diverged.epoch}: the loss became ${m.diverged.loss}. Lower the learning rate.` });
      refreshAfterRun(params.uri);
    } else {
      finished = true;
      notify({ ...eventOf(run), done: true, error: m.message });
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Training ${network} failed: ${m.message}` });
    }
  };
  const run = runs.start(params.uri, network, data, { text: doc.getText(), specFile: specFileOf(params.uri), line: params.line }, onMessage, (r) => {
    reporter?.done();
    if (!finished) notify({ ...eventOf(r), ...last, done: true, cancelled: true });
  });
  reporter?.token.onCancellationRequested(() => runs.stop(params.uri, network));
  return { runId: run.id, network, data };
});

/** `netspec/stopTraining {uri?}`: stops this document's runs, or every run. */
connection.onRequest(StopTrainingRequest.type, (params) => ({ stopped: runs.stop(params?.uri).length }));

/** The `weights`/`bias` lines of a trained network, replacing the ones it has (one undoable edit). */
function insertTrainedWeights(uri: string, a: FileAnalysis, network: string): CodeAction | undefined {
  const trained = runs.trainedOf(uri).get(network);
  const info = a.program.networks.get(network);
  if (!trained || !info?.network) return undefined;
  const stmt = info.stmt;
  const text = a.program.file.text;
  // Lines as the document has them (\n, \r\n or a lone \r), never assumed to be \n.
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const lineOf = (o: number) => a.lines.position(o).line;
  const startOf = (line: number) => a.lines.offset({ line, character: 0 });
  const nextStart = (line: number) => (line + 1 < a.lines.lineCount ? startOf(line + 1) : text.length);
  const blank = (from: number, to: number) => /^[ \t]*$/.test(text.slice(from, to));
  const close = stmt.end - 1; // the closing brace; an unclosed network has no place for the lines
  if (text[close] !== '}') return undefined;
  // An item alone on its lines goes with them; one that shares a line (`{ … weights y = … }`) goes alone.
  const edits = stmt.items.filter((i) => i.kind === 'weights' || i.kind === 'bias').map((i) => {
    const alone = blank(startOf(lineOf(i.start)), i.start) && blank(i.end, a.lines.offset({ line: lineOf(i.end), character: Number.MAX_SAFE_INTEGER }));
    const span = alone ? { start: startOf(lineOf(i.start)), end: nextStart(lineOf(i.end)) } : { start: i.start, end: i.end };
    return { range: a.lines.range(span), newText: '' };
  });
  const lines: string[] = [];
  info.network.layers.forEach((l, i) => {
    const p = trained.layers[i];
    const rows = Array.from({ length: l.inputs }, (_, j) => `[${Array.from(p.W).slice(j * l.units, (j + 1) * l.units).map((x) => String(x)).join(', ')}]`);
    lines.push(`  weights ${l.name} = [${rows.join(', ')}]`);
    if (l.hasBias) lines.push(`  bias ${l.name} = [${Array.from(p.b).map((x) => String(x)).join(', ')}]`);
  });
  // Before the closing brace: on the lines above it, or, if it shares its line, on new lines before it.
  const braceLine = startOf(lineOf(close));
  const own = blank(braceLine, close);
  const at = own ? braceLine : close;
  edits.push({ range: a.lines.range({ start: at, end: at }), newText: (own ? '' : eol) + lines.join(eol) + eol });
  const action = CodeAction.create(`Insert trained weights of ${network}`, { changes: { [uri]: edits } }, CodeActionKind.RefactorRewrite);
  return action;
}

registerExport(connection, documents, () => trust.isTrusted);
/** The user trusted the workspace: from now on data files are read and networks train. */
connection.onNotification(WorkspaceTrustedNotification.type, () => {
  trust.grant();
  for (const doc of documents.all()) publish(doc.uri);
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
});

documents.listen(connection);
connection.listen();
