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
import { completionsAt, type CompletionKind } from '../analysis/completion';
import { hoverAt, plotsAt } from '../analysis/hover';
import { outline, type OutlineSymbol, type SymbolKind as OutlineKind } from '../analysis/symbols';
import { registerNavigation } from './navigation';

/**
 * The language server: the only layer that knows LSP. It keeps one analysis per open document
 * version and translates the analysis layer's plain results into protocol types.
 * `node dist/server.js --stdio` (any editor) or IPC (VS Code).
 */

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

/** The server-side command behind the "Gradient check" code lens. */
const GRADIENT_CHECK = 'netspec.gradientCheck';

/** Quiet time after the last keystroke before diagnostics are recomputed. */
const DEBOUNCE_MS = 120;

const cache = new Map<string, { version: number; analysis: FileAnalysis }>();
const timers = new Map<string, NodeJS.Timeout>();

/** The analysis of the document's current version, computed at most once per version. */
function analysisOf(doc: TextDocument): FileAnalysis {
  const hit = cache.get(doc.uri);
  if (hit && hit.version === doc.version) return hit.analysis;
  const analysis = analyze(doc.getText());
  cache.set(doc.uri, { version: doc.version, analysis });
  return analysis;
}

const SEVERITY: Record<RangedDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** docs/LANGUAGE.md beside the bundle (dist/..), where every diagnostic code is explained. */
const DOCS = pathToFileURL(path.join(__dirname, '..', 'docs', 'LANGUAGE.md')).href;
const NUMERIC_CODES = new Set(['saturated', 'dead-relu', 'not-finite', 'exploding-gradient', 'loss-domain']);

function toLsp(d: RangedDiagnostic): Diagnostic {
  const anchor = NUMERIC_CODES.has(d.code) ? d.code : 'diagnostic-codes';
  return {
    range: d.range, severity: SEVERITY[d.severity], code: d.code, codeDescription: { href: `${DOCS}#${anchor}` },
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
    diagnostics = analysisOf(doc).diagnostics.map(toLsp);
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
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: [' ', '('] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
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
documents.onDidChangeContent((e) => schedule(e.document.uri, DEBOUNCE_MS));
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri));
  timers.delete(e.document.uri);
  cache.delete(e.document.uri);
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
  return actions;
}));

connection.languages.inlayHint.on(async (params) => {
  const options = await inlayOptions(params.textDocument.uri);
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
  return [...gradient, ...plots];
}));

/** `netspec/plot {uri, line}`: the plots behind "Show plot", as SVG documents. */
connection.onRequest('netspec/plot', (params: { uri: string; line: number }) =>
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

documents.listen(connection);
connection.listen();
