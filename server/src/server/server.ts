import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DocumentSymbol,
  MessageType,
  ShowMessageNotification,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeActionParams,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { gradientCheck } from '../analysis/gradcheck';
import { DEFAULT_INLAY, inlayHints, type InlayOptions } from '../analysis/inlay';
import { formatNumber } from '../analysis/format';
import { analyze, type FileAnalysis, type RangedDiagnostic } from '../analysis/analyze';
import { IncrementalAnalyzer } from '../analysis/incremental';
import { completionsAt, type CompletionKind } from '../analysis/completion';
import { hoverAt, plotsAt } from '../analysis/hover';
import { outline, type OutlineSymbol, type SymbolKind as OutlineKind } from '../analysis/symbols';
import { cancelled } from './cancellation';
import { registerNavigation } from './navigation';
import { DIAGNOSTIC_DOCS } from '../semantics/diagnostic';
import { fingerprint } from '../analysis/fingerprint';
import { DEFAULT_WEIGHT_DIGITS } from '../analysis/weights-text';
import { registerExport } from './export';
import { Runs, type Run, type RunMessage } from './runs';
import { dataFilesOf } from '../runs/jobs';
import type { ServerPlatform } from './platform';
import { droppedMessage, DroppedWeights, insertTrainedWeights, lossRoseDiagnostics, trainText } from './trainedWeights';
import { restrictedDiagnostics, RESTRICTED, WorkspaceTrust } from './trust';
import {
  PlotRequest,
  ResetTrainedWeightsRequest,
  StopTrainingRequest,
  TrainProgressNotification,
  TrainRequest,
  TrainTargetsRequest,
  TrainedWeightsRequest,
  WorkspaceTrustedNotification,
} from '../protocol/requests';
import type { RunEvent, TrainAnswer, TrainProgress } from '../protocol/training';

/**
 * The language server: the only layer that knows LSP. It keeps one analysis per open document
 * version and translates the analysis layer's plain results into protocol types. The entry
 * points make the connection and the platform: `main.ts` (Node: `node dist/server.js --stdio`
 * for any editor, or IPC for VS Code) and `web.ts` (a browser Web Worker, `dist/web/server.js`).
 */
export function startServer(connection: Connection, platform: ServerPlatform): void {
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
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const runs = new Runs(platform.startWorker);
  /** Networks whose trained weights were dropped because their definition changed (trainedWeights.ts). */
  const dropped = new DroppedWeights();
  /**
   * The gradient checks run, per document: the worst relative error, by the probe's text and the
   * fingerprint of the network it ran on (trained parameters included), so that a lens shows a
   * result only while the probe and the network are the ones checked.
   */
  const gradientChecks = new Map<string, Map<string, number>>();
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
    dropStale(doc.uri, analysis.staleTrained);
    return analysis;
  }

  /**
   * Trained parameters whose network has changed its definition since the run (the analysis did
   * not apply them) are dropped, never kept for a later network that happens to match in shape;
   * the user is told, by a message and an information diagnostic on the network.
   */
  function dropStale(uri: string, stale: readonly string[]): void {
    for (const network of stale) {
      runs.forget(uri, network);
      dropped.add(uri, network);
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: droppedMessage(network) });
    }
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

  /** docs/LANGUAGE.md, where every diagnostic code is explained. */
  const DOCS = platform.docs;
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
      diagnostics = [
        ...a.diagnostics.map(toLsp), ...divergences(uri, a), ...restrictedDiagnostics(trust, a),
        ...lossRoseDiagnostics(a, runs.outcomesOf(uri)).map(toLsp), ...dropped.diagnostics(uri, a).map(toLsp),
      ];
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
    dropped.clear(e.document.uri);
    gradientChecks.delete(e.document.uri);
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

  connection.onCodeAction(async (params) => {
    // The setting matters only to "Insert trained weights": no round trip to the client without them.
    const digits = runs.trainedOf(params.textDocument.uri).size ? await insertWeightsDigits(params.textDocument.uri) : DEFAULT_WEIGHT_DIGITS;
    return guarded('codeAction', () => codeActions(params, digits));
  });

  /** `netspec.insertWeights.significantDigits` (1…17, default 6), asked of the client each time. */
  async function insertWeightsDigits(uri: string): Promise<number> {
    if (!clientHasConfiguration) return DEFAULT_WEIGHT_DIGITS;
    const c = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'netspec.insertWeights' }).catch(() => null)) as { significantDigits?: unknown } | null;
    const d = Number(c?.significantDigits);
    return Number.isInteger(d) && d >= 1 && d <= 17 ? d : DEFAULT_WEIGHT_DIGITS;
  }

  /** Quick fixes for the diagnostics in the request, and "Insert trained weights" where the range touches a trained network or its train statement. */
  function codeActions(params: CodeActionParams, digits: number): CodeAction[] {
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
      for (const [name, trained] of runs.trainedOf(params.textDocument.uri)) {
        const stmts = [a.program.networks.get(name)?.stmt, ...a.program.trains.filter((t) => t.stmt.network.text === name).map((t) => t.stmt)];
        if (!stmts.some((st) => st && st.start <= to && st.end >= from)) continue;
        const action = insertTrainedWeights(params.textDocument.uri, a, name, trained, digits);
        if (action) actions.push(action);
      }
    }
    return actions;
  }

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
    const checked = gradientChecks.get(uri);
    const gradient = a.probes.filter((p) => p.result).map((p, i) => {
      const worst = checked?.get(gradientCheckKey(a, p));
      const title = worst === undefined ? 'Gradient check' : `Gradient check ${worst < GRADIENT_AGREES ? '✓' : '✗'} worst ${formatNumber(worst, 2)}`;
      return { range: at(p.stmt.start), command: { title, command: GRADIENT_CHECK, arguments: [uri, i] } };
    });
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
    // "Debug probe" is the client's command: it starts the `netspec` debugger on the probe (0-based line).
    const debug = a.probes.filter((p) => p.result).map((p) => ({
      range: at(p.stmt.start),
      command: { title: 'Debug probe', command: 'netspec.debugProbe', arguments: [uri, a.lines.position(p.stmt.start).line] },
    }));
    return [...train, ...gradient, ...debug, ...plots];
  }));

  /** `netspec/plot {uri, line}`: the plots behind "Show plot", as SVG documents. */
  connection.onRequest(PlotRequest.type, (params) =>
    onDocument('plot', params.uri, (_doc, a) => plotsAt(a, params.line) ?? null));

  /** Below this worst relative error, backpropagation and central differences agree. */
  const GRADIENT_AGREES = 1e-5;

  /** What a gradient check's result is kept by: the probe's text and its network's fingerprint (parameters included). */
  function gradientCheckKey(a: FileAnalysis, p: FileAnalysis['probes'][number]): string {
    const net = a.program.networks.get(p.network)?.network;
    return `${a.text.slice(p.stmt.start, p.stmt.end).replace(/\s+/g, ' ')}\u0000${net ? fingerprint(net) : ''}`;
  }

  /**
   * `netspec.gradientCheck(uri, i)`: the i-th successful probe, backpropagation vs central
   * differences. The result goes out as a message, and stays in the probe's lens title
   * ("Gradient check ✓ worst 1.7e-9") until the probe or its network changes.
   */
  connection.onExecuteCommand((params) => {
    if (params.command !== GRADIENT_CHECK) return null;
    const [uri, index] = (params.arguments ?? []) as [string, number];
    return onDocument('gradientCheck', uri, (_doc, a) => {
      const p = a.probes.filter((x) => x.result)[index];
      const net = p && a.program.networks.get(p.network)?.network;
      if (!p || !net || !p.input || !p.target) return null;
      const r = gradientCheck(net, p.input, p.target);
      if (!gradientChecks.has(uri)) gradientChecks.set(uri, new Map());
      gradientChecks.get(uri)!.set(gradientCheckKey(a, p), r.worst);
      void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      const verdict = r.worst < GRADIENT_AGREES ? 'backpropagation agrees with finite differences' : 'backpropagation and finite differences DISAGREE';
      // A notification, not a request: it needs no answer, so any LSP client can show it.
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Info,
        message: `Gradient check of probe ${p.network} (line ${p.line}): ${verdict}. Worst relative error ${formatNumber(r.worst, 2)} over ${r.count} parameters, at ${r.at} (exact ${formatNumber(r.exact)}, numeric ${formatNumber(r.numeric)}).`,
      });
      return r;
    });
  });

  // A rejected promise of ours (e.g. a client that refuses a request) is logged, never fatal.
  platform.onUnhandledRejection((reason) => {
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
    // The text as it is now: the data files are read (in the browser, by the client) before the run starts.
    const text = doc.getText();
    const files = await platform.fetchFiles(params.uri, dataFilesOf(a, t));
    const reporter = clientHasProgress ? await connection.window.createWorkDoneProgress() : undefined;
    reporter?.begin(`Training ${network} on ${data}`, 0, 'starting', true);
    let finished = false;
    /** The newest epoch reported, so a stopped run's last event says where it stopped. */
    let last: { epoch: number; epochs: number; loss: number } | undefined;
    /** The train statement as it ran: its `loss-rose` warning (trainedWeights.ts) lasts while it reads the same. */
    const ran = trainText(a, t.stmt);
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
          : { trained: { definition: m.definition, layers: m.layers, standardize: m.standardize }, losses: { first: m.firstLoss, final: m.finalLoss, train: ran } });
        dropped.clear(params.uri, network);
        gradientChecks.delete(params.uri);
        notify({ ...eventOf(run), epoch: m.epochs, epochs: t.epochs, loss: m.finalLoss, done: true, diverged: m.diverged, finalLoss: m.finalLoss, firstLoss: m.firstLoss });
        if (m.diverged) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Training ${network} diverged at epoch ${m.diverged.epoch}: the loss became ${m.diverged.loss}. Lower the learning rate.` });
        refreshAfterRun(params.uri);
      } else {
        finished = true;
        notify({ ...eventOf(run), done: true, error: m.message });
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Training ${network} failed: ${m.message}` });
      }
    };
    const run = runs.start(params.uri, network, data, { text, specFile: platform.specFile(params.uri), line: params.line, files }, onMessage, (r) => {
      reporter?.done();
      if (!finished) notify({ ...eventOf(r), ...last, done: true, cancelled: true });
    });
    reporter?.token.onCancellationRequested(() => runs.stop(params.uri, network));
    return { runId: run.id, network, data };
  });

  /** `netspec/stopTraining {uri?}`: stops this document's runs, or every run. */
  connection.onRequest(StopTrainingRequest.type, (params) => ({ stopped: runs.stop(params?.uri).length }));

  /** `netspec/trainedWeights {uri}`: the networks that use a run's parameters (stale ones dropped first). */
  connection.onRequest(TrainedWeightsRequest.type, (params) => onDocument('trainedWeights', params.uri, () =>
    ({ networks: [...runs.trainedOf(params.uri).keys()] })) ?? { networks: [] });

  /**
   * `netspec/resetTrainedWeights {uri, network?}`: back to the file's own parameters, for one
   * network or every network of the document; a run of them still going is stopped first, or it
   * would bring trained parameters back when it ends.
   */
  connection.onRequest(ResetTrainedWeightsRequest.type, (params) => {
    const stopped = runs.stop(params.uri, params.network).length;
    const reset = runs.forget(params.uri, params.network);
    dropped.clear(params.uri, params.network);
    refreshAfterRun(params.uri);
    return { reset, stopped };
  });

  registerExport(connection, documents, platform, () => trust.isTrusted, (uri) => {
    const doc = documents.get(uri);
    if (doc) analysisOf(doc); // drops parameters whose network has changed since its run
    return runs.trainedOf(uri);
  });
  /** The user trusted the workspace: from now on data files are read and networks train. */
  connection.onNotification(WorkspaceTrustedNotification.type, () => {
    trust.grant();
    for (const doc of documents.all()) publish(doc.uri);
    void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });

  documents.listen(connection);
  connection.listen();
}
