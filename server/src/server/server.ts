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
  type ShowMessageParams,
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
import { registerDataEdits } from './data-edits';
import { DIAGNOSTIC_DOCS } from '../semantics/diagnostic';
import { fingerprint } from '../analysis/fingerprint';
import { DEFAULT_WEIGHT_DIGITS } from '../analysis/weights-text';
import { exportToWorkspace, registerExport } from './export';
import { onnxModelOf, writeModelBeside } from './export-onnx';
import { initOf, networkOfRequest, networkView, withParameters } from './network-view';
import type { NetworkViewAnswer } from '../protocol/network';
import { Runs, type Run, type RunMessage } from './runs';
import { dataFilesOf } from '../runs/jobs';
import type { ServerPlatform } from './platform';
import { divergedDiagnostics, droppedMessage, DroppedWeights, insertTrainedWeights, lossRoseDiagnostics, trainedParametersAnswer, trainText } from './trainedWeights';
import { restrictedDiagnostics, RESTRICTED, WorkspaceTrust } from './trust';
import {
  ExportOnnxRequest,
  NetworkViewRequest,
  PlotRequest,
  ResetTrainedWeightsRequest,
  StopTrainingRequest,
  ControlTrainingRequest,
  TrainProgressNotification,
  TrainRequest,
  TrainTargetsRequest,
  TrainedParametersRequest,
  TrainedWeightsRequest,
  WorkspaceTrustedNotification,
} from '../protocol/requests';
import type { RunEvent, TrainAnswer, TrainEnd, TrainProgress } from '../protocol/training';
import { registerTrainAll } from './trainAll';
import { DocumentEdits } from './edits';
import { trainLabel } from '../analysis/train-label';
import { SERVER_COMMANDS } from '../protocol/initialize';
import { ClientFeatures } from './client';

/**
 * The language server: the only layer that knows LSP. It keeps one analysis per open document
 * version and translates the analysis layer's plain results into protocol types. The entry
 * points make the connection and the platform: `main.ts` (Node: `node dist/server.js --stdio`
 * for any editor, or IPC for VS Code) and `web.ts` (a browser Web Worker, `dist/web/server.js`).
 */
declare const NETSPEC_VERSION: string | undefined;

/** Runs `f` in a later macrotask, behind what is queued now: setImmediate in Node, a 0 ms timer in a Web Worker. */
const afterMessages: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);

export function startServer(connection: Connection, platform: ServerPlatform): void {
  /** What the editor's changes left of each document's text since its last analysis (edits.ts). */
  const edits = new DocumentEdits();
  const documents = new TextDocuments(edits.configuration);

  /**
   * Quiet time after a keystroke before diagnostics are recomputed, when analysing is expensive
   * (the first analysis of a large file, or one after an edit that changes much). An analysis that
   * cost less than this last time runs at once: waiting would cost more than it saves. Versions
   * superseded before their analysis starts are never analysed; changes that arrive together are
   * analysed once.
   */
  const DEBOUNCE_MS = 120;

  const cache = new Map<string, { version: number; analysis: FileAnalysis }>();
  /** Per open document: the incremental analysis (analysis/incremental.ts) and what its last run cost. */
  const analyzers = new Map<string, { analyzer: IncrementalAnalyzer; lastMs: number }>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per document: the latest scheduling, so that a superseded one does nothing. */
  const generations = new Map<string, number>();
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
      analysis = entry.analyzer.analyze(doc.getText(), options, edits.take(doc.uri));
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

  /** How long to wait after a change before analysing (DEBOUNCE_MS); 0: as soon as the messages already received are handled. */
  function debounceOf(uri: string): number {
    return (analyzers.get(uri)?.lastMs ?? DEBOUNCE_MS) < DEBOUNCE_MS ? 0 : DEBOUNCE_MS;
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
        ...a.diagnostics.map(toLsp), ...divergedDiagnostics(a, runs.outcomesOf(uri)).map(toLsp), ...restrictedDiagnostics(trust, a),
        ...lossRoseDiagnostics(a, runs.outcomesOf(uri)).map(toLsp), ...dropped.diagnostics(uri, a).map(toLsp),
      ];
    } catch (err) {
      connection.console.error(`analysis failed for ${uri}: ${err instanceof Error ? err.stack : String(err)}`);
      return;
    }
    if (documents.get(uri)?.version !== version) return; // a newer version will publish its own
    void connection.sendDiagnostics({ uri, version, diagnostics });
  }

  /**
   * Analyses and publishes `uri` after `delay` ms, or with 0 once the messages already received
   * are handled: the JSON-RPC connection handles one queued message per macrotask, so two hops
   * of `afterMessages` land behind the next queued change, which reschedules (changes sent
   * together are analysed once), without a timer's wait when none follows.
   */
  function schedule(uri: string, delay: number): void {
    clearTimeout(timers.get(uri));
    const generation = (generations.get(uri) ?? 0) + 1;
    generations.set(uri, generation);
    const run = () => {
      if (generations.get(uri) !== generation) return; // a later change rescheduled it
      timers.delete(uri);
      publish(uri);
    };
    if (delay > 0) timers.set(uri, setTimeout(run, delay));
    else afterMessages(() => afterMessages(run));
  }

  /** What the client declared it can do (client.ts): images in hovers, its own commands, refresh, progress, configuration. */
  const features = new ClientFeatures();

  connection.onInitialize((params): InitializeResult => {
    features.initialize(params);
    trust.initialize(params.initializationOptions);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        documentSymbolProvider: true,
        completionProvider: { triggerCharacters: [' ', '('] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
        ...registerNavigation(connection, documents, analysisOf),
      },
      serverInfo: { name: 'netspec', version: typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0' },
    };
  });

  /** The inlay-hint settings (`netspec.inlayHints.*`), asked of the client each time: it may change them. */
  async function inlayOptions(uri: string): Promise<InlayOptions> {
    const c = (await features.section(connection, uri, 'netspec.inlayHints')) as Partial<InlayOptions> | null;
    return { ...DEFAULT_INLAY, ...(c ?? {}) };
  }

  /** A client without workspace/configuration sends its settings here (client.ts); the hints follow them. */
  connection.onDidChangeConfiguration((params) => {
    features.changeSettings(params.settings);
    features.refresh(connection, { inlayHints: true });
  });

  documents.onDidOpen((e) => schedule(e.document.uri, 0));
  documents.onDidChangeContent((e) => schedule(e.document.uri, debounceOf(e.document.uri)));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    generations.delete(e.document.uri);
    cache.delete(e.document.uri);
    analyzers.delete(e.document.uri);
    edits.forget(e.document.uri);
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
    const h = hoverAt(a, doc.offsetAt(params.position), { images: features.hoverImages });
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
    const c = await features.section(connection, uri, 'netspec.insertWeights');
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
      return { range: at(p.stmt.start), command: { title, command: SERVER_COMMANDS.gradientCheck, arguments: [uri, i] } };
    });
    const own = features.clientCommands;
    // "Show plot" and "Show network" open webviews: offered only to a client that runs them (VS
    // Code's extension, the playground). Their data comes from netspec/plot and netspec/networkView.
    const plots = !own.has('netspec.showPlot') ? [] : a.program.file.statements.filter((s) => s.kind === 'fn' || s.kind === 'network').map((s) => ({
      range: at(s.start),
      command: { title: 'Show plot', command: 'netspec.showPlot', arguments: [uri, a.lines.position(s.start).line] },
    }));
    // "Train" is the client's command where it has one (progress, the training panel); any other
    // client gets the server's: a run reported by work-done progress or messages, with Stop while
    // it goes and Export to PyTorch beside it. In Restricted Mode nothing trains: no lens offers to.
    const train = !trust.isTrusted ? [] : a.program.trains.flatMap((t) => {
      const line = a.lines.position(t.stmt.start).line;
      // Several statements (sgd against adam…): "Train all" runs them together, compared in the panel.
      const all = own.has('netspec.trainAll') && a.program.trains.length > 1 ? [{ range: at(t.stmt.start), command: { title: 'Train all', command: 'netspec.trainAll', arguments: [uri] } }] : [];
      if (own.has('netspec.train')) return [{ range: at(t.stmt.start), command: { title: 'Train', command: 'netspec.train', arguments: [uri, line] } }, ...all];
      const going = runs.activeOf(uri, t.stmt.network.text);
      return [
        going
          ? { range: at(t.stmt.start), command: { title: 'Stop training', command: SERVER_COMMANDS.stopTraining, arguments: [uri] } }
          : { range: at(t.stmt.start), command: { title: 'Train', command: SERVER_COMMANDS.train, arguments: [uri, line] } },
        { range: at(t.stmt.start), command: { title: 'Export to PyTorch', command: SERVER_COMMANDS.exportPyTorch, arguments: [uri, t.stmt.network.text] } },
      ];
    });
    // Export to ONNX needs no train statement: on each network, for clients without NetSpec's own commands.
    const onnx = !trust.isTrusted || own.has('netspec.train') ? [] : [...a.program.networks.values()].map((n) => ({
      range: at(n.stmt.start),
      command: { title: 'Export to ONNX', command: SERVER_COMMANDS.exportOnnx, arguments: [uri, n.stmt.name.text] },
    }));
    const views = !own.has('netspec.showNetwork') ? [] : [...a.program.networks.values()].map((n) => ({
      range: at(n.stmt.start),
      command: { title: 'Show network', command: 'netspec.showNetwork', arguments: [uri, a.lines.position(n.stmt.start).line] },
    }));
    // "Debug probe" is the client's command: it starts the `netspec` debugger on the probe (0-based line).
    const debug = !own.has('netspec.debugProbe') ? [] : a.probes.filter((p) => p.result).map((p) => ({
      range: at(p.stmt.start),
      command: { title: 'Debug probe', command: 'netspec.debugProbe', arguments: [uri, a.lines.position(p.stmt.start).line] },
    }));
    return [...train, ...gradient, ...debug, ...plots, ...views, ...onnx];
  }));

  /**
   * `netspec/networkView {uri, network?, line?}`: the network as Show Network draws it, at the
   * parameters of its run while one goes (the newest the worker posted), else those of its last
   * finished run, else the file's.
   */
  connection.onRequest(NetworkViewRequest.type, (params) => onDocument('networkView', params.uri, (_doc, a): NetworkViewAnswer => {
    const info = networkOfRequest(a, params.network, params.line);
    const networks = [...a.program.networks.keys()];
    if (typeof info === 'string') return { error: info, networks };
    const name = info.stmt.name.text;
    if (!info.network) return { error: `the network \`${name}\` has errors; fix them to see it`, networks };
    const run = runs.activeOf(params.uri, name);
    const live = run?.live && withParameters(info.network, run.live.layers);
    if (run?.live && live) {
      const parameters = { kind: 'live' as const, runId: run.id, epoch: run.live.epoch, epochs: run.epochs ?? run.live.epoch };
      return networkView(params.uri, a, info, { network: live, parameters, epochGradients: { epoch: run.live.epoch, layers: run.live.grads } });
    }
    const parameters = runs.trainedOf(params.uri).has(name) ? { kind: 'trained' as const } : { kind: 'file' as const, ...initOf(a, info) };
    return networkView(params.uri, a, info, { network: info.network, parameters });
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
    const args = params.arguments ?? [];
    switch (params.command) {
      case SERVER_COMMANDS.gradientCheck:
        return runGradientCheck(args[0] as string, args[1] as number);
      case SERVER_COMMANDS.train:
        return trainFromCommand(args[0] as string, args[1] as number);
      case SERVER_COMMANDS.stopTraining:
        return { stopped: runs.stop(typeof args[0] === 'string' ? args[0] : undefined).length };
      case SERVER_COMMANDS.controlTraining:
        return { runs: controlRuns(args[0], undefined, args[1], args[2]) };
      case SERVER_COMMANDS.exportOnnx:
        return exportOnnxFromCommand(args[0] as string, typeof args[1] === 'string' ? args[1] : undefined);
      case SERVER_COMMANDS.exportPyTorch:
        return exportToWorkspace(connection, documents, platform, { uri: args[0] as string, network: typeof args[1] === 'string' ? args[1] : undefined }, trust.isTrusted, (uri) => {
          const doc = documents.get(uri);
          if (doc) analysisOf(doc); // drops parameters whose network has changed since its run
          return runs.trainedOf(uri);
        }, features.createsFiles);
      default:
        return null;
    }
  });

  /** `netspec/exportOnnx`: the model for the client to write (export-onnx.ts). */
  connection.onRequest(ExportOnnxRequest.type, (params) =>
    onDocument('exportOnnx', params.uri, (doc, a) => onnxModelOf(doc.getText(), specName(params.uri), a, new Set(runs.trainedOf(params.uri).keys()), params))
      ?? { error: 'the document is not open' });

  const specName = (uri: string) => platform.specFile(uri).split(/[\\/]/).pop() ?? 'spec.netspec';

  /** The server's Export to ONNX (editors without NetSpec's client): the model written beside the spec. */
  function exportOnnxFromCommand(uri: string, network: string | undefined): Promise<{ path: string } | { error: string }> {
    const answer = onDocument('exportOnnx', uri, (doc, a) => onnxModelOf(doc.getText(), specName(uri), a, new Set(runs.trainedOf(uri).keys()), { uri, network })) ?? { error: 'the document is not open' };
    return writeModelBeside(connection, platform, uri, answer);
  }

  /** The "Gradient check" lens: backpropagation against central differences at the document's index-th probe. */
  function runGradientCheck(uri: string, index: number) {
    return onDocument('gradientCheck', uri, (_doc, a) => {
      const p = a.probes.filter((x) => x.result)[index];
      const net = p && a.program.networks.get(p.network)?.network;
      if (!p || !net || !p.input || !p.target) return null;
      const r = gradientCheck(net, p.input, p.target);
      if (!gradientChecks.has(uri)) gradientChecks.set(uri, new Map());
      gradientChecks.get(uri)!.set(gradientCheckKey(a, p), r.worst);
      features.refresh(connection, { codeLens: true });
      const verdict = r.worst < GRADIENT_AGREES ? 'backpropagation agrees with finite differences' : 'backpropagation and finite differences DISAGREE';
      // A notification, not a request: it needs no answer, so any LSP client can show it.
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Info,
        message: `Gradient check of probe ${p.network} (line ${p.line}): ${verdict}. Worst relative error ${formatNumber(r.worst, 2)} over ${r.count} parameters, at ${r.at} (exact ${formatNumber(r.exact)}, numeric ${formatNumber(r.numeric)}).`,
      });
      return r;
    });
  }

  // A rejected promise of ours (e.g. a client that refuses a request) is logged, never fatal.
  platform.onUnhandledRejection((reason) => {
    connection.console.error(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  });

  // ---- training runs ----------------------------------------------------------------------------

  /** After a run ends: analyse again with its parameters, and let the editor refresh what it shows. */
  function refreshAfterRun(uri: string): void {
    cache.delete(uri);
    publish(uri);
    features.refresh(connection, { inlayHints: true, codeLens: true });
  }

  connection.onRequest(TrainTargetsRequest.type, (params) => onDocument('trainTargets', params.uri, (_doc, a) =>
    a.program.trains.map((t) => {
      const line = a.lines.position(t.stmt.start).line;
      return { network: t.stmt.network.text, data: t.stmt.data.text, line, epochs: t.epochs, label: trainLabel(line, t) };
    })));

  /**
   * `netspec/train {uri, line}`: starts the `train` statement on that line in a worker. Progress
   * goes out as LSP work-done progress (cancellable: cancelling stops the worker at once) and as
   * `netspec/trainProgress` notifications for the training panel.
   */
  connection.onRequest(TrainRequest.type, (params) => startTraining(params));

  registerTrainAll(connection, (uri) => { const doc = documents.get(uri); return doc && analysisOf(doc); }, runs, (params, group) => startTraining(params, undefined, group));

  /**
   * Starts a run; `onEnd` hears its end event (trained, cancelled or failed) after the client has.
   */
  async function startTraining(params: { uri: string; line: number }, onEnd?: (end: TrainEnd) => void, group?: string): Promise<TrainAnswer> {
    const doc = documents.get(params.uri);
    if (!doc) return { error: 'the document is not open' };
    if (!trust.isTrusted) return { error: RESTRICTED };
    const a = analysisOf(doc);
    const t = a.program.trains.find((x) => a.lines.position(x.stmt.start).line === params.line);
    if (!t) return { error: `there is no train statement on line ${params.line + 1}` };
    if (a.diagnostics.some((d) => d.severity === 'error')) return { error: 'the file has errors; fix them before training' };
    const network = t.stmt.network.text;
    const data = t.stmt.data.text;
    const label = trainLabel(params.line, t);
    // A lone run replaces the runs of its network; a group's runs go side by side (trainAll stopped the earlier ones).
    if (group === undefined) runs.stop(params.uri, network);
    // The text as it is now: the data files are read (in the browser, by the client) before the run starts.
    const text = doc.getText();
    const files = await platform.fetchFiles(params.uri, dataFilesOf(a, t));
    const reporter = features.progress ? await connection.window.createWorkDoneProgress() : undefined;
    reporter?.begin(`Training ${network} on ${data}`, 0, 'starting', true);
    let finished = false;
    /** The newest epoch reported, so a stopped run's last event says where it stopped. */
    let last: { epoch: number; epochs: number; loss: number } | undefined;
    /** The train statement as it ran: its `loss-rose` warning (trainedWeights.ts) lasts while it reads the same. */
    const ran = trainText(a, t.stmt);
    const eventOf = (run: Run): RunEvent => ({ runId: run.id, uri: params.uri, network, data, line: params.line, label, ...(group !== undefined ? { group } : {}) });
    const notify = (event: TrainProgress) => {
      void connection.sendNotification(TrainProgressNotification.type, event);
      if (event.done) onEnd?.(event);
    };
    const onMessage = (run: Run, m: RunMessage) => {
      if (m.kind === 'progress') {
        reporter?.report(Math.floor((100 * m.epoch) / m.epochs), `epoch ${m.epoch}/${m.epochs} · loss ${formatNumber(m.loss, 4)}`);
        last = { epoch: m.epoch, epochs: m.epochs, loss: m.loss };
        run.epochs = m.epochs;
        // The parameters stay here, for netspec/networkView: a progress event stays small.
        const { kind: _, live, ...progress } = m;
        if (live) run.live = live;
        run.paused = undefined;
        notify({ ...eventOf(run), ...progress, done: false });
      } else if (m.kind === 'paused') {
        // Paused: its parameters are what probes, hovers and the view use until it goes on (and,
        // stopped while paused, after: a finished run's are replaced, a stopped one's stay).
        const { kind: _, live, batch, batches, definition, standardize, ...progress } = m;
        run.live = live;
        run.epochs = m.epochs;
        run.paused = { epoch: m.epoch, batch, batches };
        runs.record(params.uri, network, { trained: { definition, layers: live.layers, standardize } });
        dropped.clear(params.uri, network);
        gradientChecks.delete(params.uri);
        notify({ ...eventOf(run), ...progress, recent: [], paused: { batch, batches }, done: false });
        refreshAfterRun(params.uri);
      } else if (m.kind === 'done') {
        finished = true;
        // The run is over: the view draws its trained parameters from now on, not its last live ones.
        run.live = undefined;
        runs.record(params.uri, network, m.diverged
          ? { diverged: { ...m.diverged, line: run.line } }
          : { trained: { definition: m.definition, layers: m.layers, standardize: m.standardize }, losses: { first: m.firstLoss, final: m.finalLoss, train: ran } });
        dropped.clear(params.uri, network);
        gradientChecks.delete(params.uri);
        notify({ ...eventOf(run), epoch: m.epochs, epochs: t.epochs, loss: m.finalLoss, done: true, diverged: m.diverged, finalLoss: m.finalLoss, firstLoss: m.firstLoss, stoppedEarly: m.stoppedEarly, metrics: m.metrics, testMetrics: m.testMetrics });
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
    // A client without its own Train shows a Stop lens while the run goes.
    if (!features.clientCommands.has('netspec.train')) features.refresh(connection, { codeLens: true });
    return { runId: run.id, network, data, line: params.line, label };
  }

  /**
   * The server's Train (for editors without NetSpec's client): the same run as netspec/train, told
   * through `window/showMessage` — at the start when the client shows no progress, and at the end
   * always, with the final loss (what the user waits for).
   */
  async function trainFromCommand(uri: string, line: number): Promise<TrainAnswer> {
    const answer = await startTraining({ uri, line }, (end) => {
      const what = `${end.network} on ${end.data}`;
      const message: ShowMessageParams = end.error !== undefined ? { type: MessageType.Error, message: `Training ${what} failed: ${end.error}` }
        : end.cancelled ? { type: MessageType.Info, message: `Training ${what} stopped${end.epoch !== undefined ? ` at epoch ${end.epoch}` : ''}.` }
        : { type: MessageType.Info, message: `Trained ${what}: final loss ${formatNumber(end.finalLoss, 6)} after ${end.epoch} epochs${end.finalLoss > end.firstLoss ? ' (the loss rose)' : ''}.` };
      void connection.sendNotification(ShowMessageNotification.type, message);
      features.refresh(connection, { codeLens: true });
    });
    if ('error' in answer) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Cannot train: ${answer.error}.` });
    else if (!features.progress) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `Training ${answer.network} on ${answer.data}…` });
    return answer;
  }

  /** `netspec/stopTraining {uri?}`: stops this document's runs, or every run. */
  connection.onRequest(StopTrainingRequest.type, (params) => ({ stopped: runs.stop(params?.uri).length }));

  registerDataEdits(connection, (uri) => {
    const doc = documents.get(uri);
    return doc && analysisOf(doc);
  });

  /** `netspec/controlTraining {uri, network?, action, unit?}`: pause, resume or step runs (their events say what they did). */
  connection.onRequest(ControlTrainingRequest.type, (params) => ({ runs: controlRuns(params?.uri, params?.network, params?.action, params?.unit) }));

  /** Tells the runs of a document to pause, resume or step; anything else is refused (0 runs told). */
  function controlRuns(uri: unknown, network: unknown, action: unknown, unit: unknown): number {
    if (typeof uri !== 'string' || (action !== 'pause' && action !== 'resume' && action !== 'step')) return 0;
    return runs.control(uri, typeof network === 'string' ? network : undefined, { action, unit: unit === 'batch' ? 'batch' : 'epoch' }).length;
  }

  /** `netspec/trainedParameters {uri}`: those parameters themselves, for the debugger's probe sessions. */
  connection.onRequest(TrainedParametersRequest.type, (params) => onDocument('trainedParameters', params.uri, () =>
    trainedParametersAnswer(runs.trainedOf(params.uri))) ?? { networks: {} });

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
    features.refresh(connection, { codeLens: true });
  });

  documents.listen(connection);
  connection.listen();
}
