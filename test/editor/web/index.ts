/**
 * The extension-host suite of the web extension: it runs in VS Code's web worker extension host
 * (code-server's, through the smoke-test driver with `extensionDevelopmentKind: web`), the host
 * vscode.dev uses, against a browser-only copy of the extension (test/editor/webExtension.ts), so
 * the language server is dist/web/server.js in a Web Worker. Bundled for the browser by esbuild.js
 * (no Node here: no `assert`, `fs` or `child_process`). test/editor/web.test.ts starts it and
 * checks what it leaves in the workspace (the exports) against the CLI.
 */
import * as vscode from 'vscode';
import { until as poll } from '../../support/until';

const log = (...args: unknown[]) => console.log('[netspec web suite]', ...args);

/** The tests' one polling helper, at this suite's pace: every 100 ms, 30 s at most by default. */
const until = <T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000) => poll(what, f, timeoutMs, 100);

function ok(value: unknown, message: string): asserts value {
  if (!value) throw new Error(message);
}

function match(text: string, re: RegExp): void {
  ok(re.test(text), `expected ${re} in:\n${text}`);
}

/** A Web Worker as the host's `Worker` makes it (the project's lib has no DOM types). */
interface HostWorker {
  terminate(): void;
  dispatchEvent(event: unknown): boolean;
}
type WorkerConstructor = new (url: string, options?: { name?: string }) => HostWorker;

/**
 * Every Worker started in this host from now on, in order. The suite shares the host's global
 * scope with the extension, so wrapping the host's constructor here (before the extension
 * activates) lets a check reach the language server's worker without anything in the extension.
 */
const workers: HostWorker[] = [];
function recordWorkers(): void {
  const host = globalThis as unknown as { Worker: WorkerConstructor };
  const Created = host.Worker;
  host.Worker = function (url: string, options?: { name?: string }) {
    const worker = new Created(url, options);
    workers.push(worker);
    return worker;
  } as unknown as WorkerConstructor;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))).join('\n');
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

function positionOf(doc: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const at = doc.getText().indexOf(needle);
  ok(at >= 0, `'${needle}' is in ${doc.uri.path}`);
  return doc.positionAt(at + delta);
}

/** The inlay hint `E = …` of the file's (first) probe. */
async function probeLoss(doc: vscode.TextDocument): Promise<string | undefined> {
  const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
  const label = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))).find((l) => l.startsWith('E = '));
  return label?.slice(4);
}

const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);

async function diagnosticsOf(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  return until(`diagnostics of ${uri.path}`, () => {
    const d = vscode.languages.getDiagnostics(uri);
    return d.length ? d : undefined;
  });
}

const checks: [string, () => Promise<void>][] = [
  ['the extension activates in the web worker extension host (no Node, a web UI)', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    ok(doc.languageId === 'netspec', doc.languageId);
    ok(typeof (globalThis as { process?: unknown }).process === 'undefined', 'this host has `process`: it is the Node extension host');
    ok(vscode.env.uiKind === vscode.UIKind.Web, `uiKind ${vscode.env.uiKind}`);
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'netspec');
    ok(ext, 'the NetSpec extension is installed');
    ok(ext.packageJSON.main === undefined && ext.packageJSON.browser === './dist/web/extension.js', 'the browser-only manifest');
    await until('activation', () => ext.isActive);
    // The language server is a Web Worker started by the extension.
    await until('the language server\'s worker', () => workers.length >= 1);
  }],
  ['a broken file has the error with its did-you-mean; a clean example has none', async () => {
    const broken = workspaceFile('broken.netspec');
    const doc = await vscode.workspace.openTextDocument(broken);
    await vscode.window.showTextDocument(doc);
    const diags = await diagnosticsOf(broken);
    const typo = diags.find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'unknown-activation');
    ok(typo, `unknown-activation among ${diags.map((d) => d.message).join(' | ')}`);
    ok(typo.severity === vscode.DiagnosticSeverity.Error, String(typo.severity));
    match(typo.message, /Unknown activation `sigmod`\. Did you mean `sigmoid`\?/);
    ok(doc.getText(typo.range) === 'sigmod', doc.getText(typo.range));
    // The code's link opens the extension's own reference view (docsPanel.ts), not a file.
    ok(typeof typo.code === 'object' && typo.code.target.path === '/docs' && typo.code.target.fragment !== '', JSON.stringify(typo.code));
    ok(vscode.languages.getDiagnostics(workspaceFile('xor.netspec')).length === 0, 'xor.netspec is clean');
  }],
  ['the quick fix repairs the misspelt activation', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'network n {\n  input x[2]\n  dense y[1] sigmod\n  loss mse\n}\n' });
    await vscode.window.showTextDocument(doc);
    const [d] = await diagnosticsOf(doc.uri);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
    const fix = actions.find((a) => a.title === "Change to 'sigmoid'");
    ok(fix?.edit, actions.map((a) => a.title).join(', '));
    ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
    match(doc.getText(), /dense y\[1\] sigmoid\n/);
    await until('the diagnostic to clear', () => vscode.languages.getDiagnostics(doc.uri).length === 0 || undefined);
  }],
  ['the hover on sigmoid shows p (1 - p) and its plot', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'sigmoid', 2)));
    match(text, /p \(1 - p\)/);
    match(text, /data:image\/svg\+xml/);
  }],
  ['inlay hints, code lenses and the gradient check', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const loss = await until('the probe loss hint', () => probeLoss(doc));
    match(loss, /^0\.07/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    for (const t of ['Train', 'Gradient check', 'Show plot']) ok(titles.some((x) => x.startsWith(t)), `${t} among ${titles.join(', ')}`);
    const lens = lenses.find((l) => l.command?.title === 'Gradient check')!;
    const result = await vscode.commands.executeCommand<{ count: number; worst: number }>(lens.command!.command, ...(lens.command!.arguments ?? []));
    ok(result.count === 2 * 4 + 4 + 4 + 1 && result.worst < 1e-6, JSON.stringify(result));
  }],
  ['the Debug probe lens runs the debug adapter inline in the web worker host: Step Over from the probe to the end', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Debug probe');
    ok(lens?.command, `Debug probe among ${lenses.map((l) => l.command?.title).join(', ')}`);
    let stops = 0;
    let terminated = false;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('netspec', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped') stops++;
          if (m.type === 'event' && m.event === 'terminated') terminated = true;
        },
      }),
    });
    try {
      ok(await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? [])), 'the session started');
      const session = await until('a netspec debug session', () => vscode.debug.activeDebugSession?.type === 'netspec' && vscode.debug.activeDebugSession);
      await until('the stop on the probe', () => stops > 0);
      const frames: string[] = [];
      let delta = '';
      let db = '';
      for (;;) {
        const { stackFrames } = await session.customRequest('stackTrace', { threadId: 1 }) as { stackFrames: { id: number; name: string; line: number }[] };
        frames.push(`${stackFrames[0].name}@${stackFrames[0].line}`);
        if (stackFrames[0].name === 'backward h') {
          const { scopes } = await session.customRequest('scopes', { frameId: stackFrames[0].id }) as { scopes: { variablesReference: number }[] };
          const { variables } = await session.customRequest('variables', { variablesReference: scopes[0].variablesReference }) as { variables: { name: string; value: string }[] };
          delta = variables.find((v) => v.name === 'delta')?.value ?? '';
          db = variables.find((v) => v.name === 'dE/db')?.value ?? '';
        }
        const n = stops;
        await session.customRequest('next', { threadId: 1 });
        await until('the next stop, or the end', () => stops > n || terminated);
        if (terminated) break;
      }
      ok(frames.join(' ') === 'probe xor@24 forward h@4 forward y@5 loss@6 backward y@5 backward h@4', frames.join(' '));
      match(delta, /^\[0\.0396, −0\.0581, −0\.0355, …\] \(4\)$/);
      ok(db === delta, `dE/db ${db} is δ ${delta}`);
    } finally {
      tracker.dispose();
    }
  }],
  ['symbols, go to definition, formatting and semantic tokens', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    ok(symbols.find((s) => s.name === 'xor')?.children.map((c) => c.name).join() === 'x,h,y', symbols.map((s) => s.name).join(', '));
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, positionOf(doc, 'train xor', 7));
    const line = defs.map((d) => ('range' in d ? d.range : d.targetRange).start.line);
    ok(line.includes(1), `the definition of xor is on line 2: ${line.join()}`);
    const messy = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval   1+2*3\nnetwork n{\ninput x[2]\n    dense y[1]   relu\n}\n' });
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', messy.uri, { tabSize: 2, insertSpaces: true });
    const we = new vscode.WorkspaceEdit();
    we.set(messy.uri, edits);
    ok(await vscode.workspace.applyEdit(we), 'the formatting applies');
    ok(messy.getText() === 'eval 1 + 2 * 3\nnetwork n {\n  input x[2]\n  dense y[1] relu\n}\n', messy.getText());
    const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', doc.uri);
    ok(tokens && tokens.data.length > 0 && tokens.data.length % 5 === 0, 'semantic tokens');
  }],
  ['Show plot and the language reference open their views', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Show plot' && l.range.start.line === 1);
    ok(lens?.command, lenses.map((l) => `${l.range.start.line}:${l.command?.title}`).join(', '));
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    await until('the plot view', () => tabs().find((t) => t.label === 'Network xor'));
    // The reference is read through workspace.fs from the extension's dist/media.
    await vscode.commands.executeCommand('netspec.showLanguageReference', 'unknown-activation');
    await until('the reference view', () => tabs().find((t) => t.label === 'NetSpec Language Reference'));
  }],
  ['NetSpec: Show Network opens the network\'s view, and its export writes the diagram through workspace.fs', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Show network');
    ok(lens?.command, lenses.map((l) => l.command?.title).join(', '));
    ok(await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? [])) === 'xor', 'the command shows xor');
    await until('the network view', () => tabs().find((t) => t.label === 'Network xor' && t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('netspec.network')));
    const out = await vscode.commands.executeCommand<vscode.Uri>('netspec.exportNetworkDiagram', doc.uri.toString(), 'xor');
    ok(out?.path.endsWith('/xor.xor.svg'), String(out));
    match(new TextDecoder().decode(await vscode.workspace.fs.readFile(out)), /^<svg [^>]*data-network="xor"[\s\S]*class="edge"/);
    // web.test.ts compares the file with the CLI's diagram once the suite has ended.
  }],
  ['NetSpec: Train Network trains in a worker of the server\'s worker; the hover and the probe then use the trained weights', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const before = Number(await until('the probe loss', () => probeLoss(doc)));
    const outputHover = async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'dense  y', 7)));
    const hoverBefore = await outputHover();
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('train xor'));
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), line);
    const after = await until('a lower probe loss', async () => {
      const l = Number(await probeLoss(doc));
      return l < before / 10 ? l : undefined;
    });
    log(`xor's probe loss ${before} → ${after}`);
    const hoverAfter = await outputHover();
    match(hoverAfter, /\(g\(zₖ\) − tₖ\) · g'\(zₖ\) · aⱼ/);
    ok(hoverAfter !== hoverBefore, 'the hover shows the trained network\'s numbers');
    await until('the training panel', () => tabs().find((t) => t.label === 'NetSpec: Training'));
  }],
  ['NetSpec: Stop Training cancels a run, which changes nothing', async () => {
    const text = 'network long {\n  input x[2]\n  dense h[32] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = spiral(n: 200, seed: 3)\ntrain long on d {\n  epochs 10000000\n}\nprobe long [1, -1] -> [1]\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: text });
    await vscode.window.showTextDocument(doc);
    const initial = await until('the probe loss', () => probeLoss(doc));
    let ended = false;
    const run = Promise.resolve(vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 7)).then(() => { ended = true; });
    await new Promise((r) => setTimeout(r, 1500));
    ok(!ended, 'a run of 10^7 epochs ended by itself');
    await vscode.commands.executeCommand('netspec.stopTraining');
    await until('the command to end with the run', () => ended, 10_000);
    await run;
    ok(await probeLoss(doc) === initial, 'a cancelled run must not change the network');
  }],
  ['a CSV data file is read through the editor (netspec/readDataFile) for a run', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('csv.netspec'));
    await vscode.window.showTextDocument(doc);
    const before = await until('the probe loss', () => probeLoss(doc));
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('train'));
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), line);
    const after = await until('the trained probe loss', async () => {
      const l = await probeLoss(doc);
      return l !== before ? l : undefined;
    });
    ok(Number(after) < Number(before), `${before} → ${after}`);
  }],
  ['NetSpec: Export to PyTorch writes through workspace.fs, with a CSV file\'s rows', async () => {
    for (const [spec, network] of [['xor.netspec', 'xor'], ['csv.netspec', 'n']]) {
      const uri = workspaceFile(spec);
      const out = vscode.Uri.joinPath(uri, '..', `${spec.replace('.netspec', '')}.${network}.py`);
      await vscode.commands.executeCommand('netspec.exportPyTorch', uri.toString(), network, 'initial');
      const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(out));
      match(written, /^#!\/usr\/bin\/env python3\n[\s\S]*class Model\(torch\.nn\.Module\)/);
      // web.test.ts compares these files with the CLI's exports once the suite has ended.
    }
  }],
  ['NetSpec: Export to ONNX writes the model through workspace.fs', async () => {
    const uri = workspaceFile('xor.netspec');
    await vscode.commands.executeCommand('netspec.exportOnnx', uri.toString(), 'xor', 'file');
    const model = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uri, '..', 'xor.xor.onnx'));
    // A ModelProto starts with field 1, ir_version = 8; web.test.ts compares it with the CLI's.
    ok(model[0] === 0x08 && model[1] === 0x08, `ir_version 8 first: ${Array.from(model.slice(0, 4))}`);
  }],
  ['NetSpec: Reset Trained Weights brings back the file\'s own weights', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const trained = await probeLoss(doc);
    const answer = await vscode.commands.executeCommand<{ reset: string[] }>('netspec.resetTrainedWeights');
    ok(answer?.reset.join() === 'xor', JSON.stringify(answer));
    await until('the file\'s own probe loss', async () => ((await probeLoss(doc)) !== trained ? true : undefined));
  }],
  ['NetSpec: Restart Language Server starts a new worker, which answers', async () => {
    const count = workers.length;
    await vscode.commands.executeCommand('netspec.restartServer');
    await until('a new worker', () => workers.length > count);
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval tanhh(1)\n' });
    await vscode.window.showTextDocument(doc);
    match((await diagnosticsOf(doc.uri))[0].message, /Did you mean `tanh`\?/);
  }],
  ['a server worker that fails is replaced by a new one, and diagnostics come back', async () => {
    const count = workers.length;
    const server = workers[count - 1];
    // What the host sees of a worker that fails: it stops answering, and an `error` event (an
    // ErrorEvent) arrives on its Worker object. The server catches every error of its own, so
    // the test stops the worker and sends the event the browser would.
    const { ErrorEvent } = globalThis as unknown as { ErrorEvent: new (type: string, init: { message: string; cancelable: boolean }) => unknown };
    server.terminate();
    server.dispatchEvent(new ErrorEvent('error', { message: 'Uncaught Error: stopped by the test', cancelable: true }));
    await until('a new worker', () => workers.length > count);
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval sigmiod(1)\n' });
    await vscode.window.showTextDocument(doc);
    match((await diagnosticsOf(doc.uri))[0].message, /Did you mean `sigmoid`\?/);
    const xor = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    match(hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', xor.uri, positionOf(xor, 'sigmoid', 2))), /p \(1 - p\)/);
  }],
];

export async function run(): Promise<void> {
  recordWorkers();
  let failed = 0;
  for (const [name, check] of checks) {
    const start = Date.now();
    try {
      await check();
      log(`ok - ${name} (${Date.now() - start} ms)`);
    } catch (err) {
      failed++;
      log(`not ok - ${name}\n${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} of ${checks.length} web extension-host checks failed`);
}
