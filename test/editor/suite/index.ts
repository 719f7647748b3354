/**
 * The extension-host suite: runs inside a real VS Code (code-server's smoke-test driver here,
 * or @vscode/test-electron where VS Code can be downloaded) with the extension under
 * development loaded. `run()` resolves when every check passed and rejects on the first failure.
 */
import * as assert from 'assert';
import { execSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SERVER_NODE_FLAGS } from '../../../server/src/protocol/launch';
import { until as poll } from '../../support/until';
import { parseXml } from '../../support/xml';

const log = (...args: unknown[]) => console.log('[netspec suite]', ...args);

/** The tests' one polling helper, at this suite's pace: every 100 ms, 30 s at most by default. */
const until = <T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000) => poll(what, f, timeoutMs, 100);

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))).join('\n');
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function positionOf(doc: vscode.TextDocument, needle: string, delta = 0): Promise<vscode.Position> {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `'${needle}' is in ${path.basename(doc.uri.path)}`);
  return doc.positionAt(at + delta);
}

const checks: [string, () => Promise<void>][] = [
  ['the extension activates on a .netspec file and the language is netspec', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'netspec');
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'netspec');
    assert.ok(ext, 'the NetSpec extension is installed');
    await until('activation', () => ext!.isActive);
  }],
  ['a clean example has no diagnostics; a broken file has the exact error', async () => {
    const clean = workspaceFile('xor.netspec');
    const broken = workspaceFile('broken.netspec');
    const doc = await vscode.workspace.openTextDocument(broken);
    await vscode.window.showTextDocument(doc);
    const diags = await until('diagnostics of broken.netspec', () => {
      const d = vscode.languages.getDiagnostics(broken);
      return d.length > 0 ? d : undefined;
    });
    const typo = diags.find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'unknown-activation');
    assert.ok(typo, `unknown-activation among ${diags.map((d) => d.message).join(' | ')}`);
    assert.equal(typo!.severity, vscode.DiagnosticSeverity.Error);
    assert.match(typo!.message, /Did you mean `sigmoid`\?/);
    assert.equal(doc.getText(typo!.range), 'sigmod');
    assert.deepEqual(vscode.languages.getDiagnostics(clean), []);
  }],
  ['hover on an activation shows its derivative identity', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, await positionOf(doc, 'sigmoid', 2));
    const text = hoverText(hovers);
    assert.match(text, /p \(1 - p\)/, text);
    const tanh = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, await positionOf(doc, 'tanh', 1)));
    assert.match(tanh, /1 - tanh²\(z\)/, tanh);
  }],
  ['hover on a probed output layer shows its gradient factors', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, await positionOf(doc, 'dense  y', 7)));
    assert.match(text, /\(g\(zₖ\) − tₖ\) · g'\(zₖ\) · aⱼ/, text);
  }],
  ['document symbols list networks with their layers', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    const xor = symbols.find((s) => s.name === 'xor');
    assert.ok(xor, symbols.map((s) => s.name).join(', '));
    assert.deepEqual(xor!.children.map((c) => c.name), ['x', 'h', 'y']);
  }],
  ['editing a file updates its diagnostics', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval 1\n' });
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'eval tanhh(1)\n'));
    const diags = await until('a diagnostic after the edit', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    });
    assert.match(diags[0].message, /Did you mean `tanh`\?/);
    await editor.edit((e) => e.delete(new vscode.Range(1, 9, 1, 10)));
    await until('the diagnostic to clear', () => vscode.languages.getDiagnostics(doc.uri).length === 0 || undefined);
  }],
  ['completion offers activations after a layer width', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'network n {\n  input x[2]\n  dense h[3] \n}\n' });
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 13));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const a of ['sigmoid', 'tanh', 'relu', 'softmax']) assert.ok(labels.includes(a), `${a} in ${labels.join(', ')}`);
  }],
  ['inlay hints show eval values and the probe loss', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await until('inlay hints', async () => {
      const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range);
      return h.length ? h : undefined;
    });
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.includes('= 0.235'), labels.join(' | '));
    assert.ok(labels.some((l) => /^E = 0\.07/.test(l)), labels.join(' | '));
  }],
  ['the Gradient check lens runs through the server command', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Gradient check');
    assert.ok(lens?.command, lenses.map((l) => l.command?.title).join(', '));
    const result = await vscode.commands.executeCommand<{ count: number; worst: number }>(lens!.command!.command, ...(lens!.command!.arguments ?? []));
    assert.equal(result.count, 2 * 4 + 4 + 4 + 1);
    assert.ok(result.worst < 1e-6, String(result.worst));
    // The verdict stays in the lens's title, not only in a message that fades.
    const titles = await until('the lens to show the result', async () => {
      const now = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)).map((l) => l.command?.title ?? '');
      return now.some((t) => t.startsWith('Gradient check ✓ worst ')) ? now : undefined;
    });
    assert.ok(!titles.includes('Gradient check'), titles.join(', '));
  }],
  ['the Debug probe lens starts the netspec debugger: Step Over walks forward, loss and backward, and the Variables are `netspec grad`\'s', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Debug probe');
    assert.ok(lens?.command, lenses.map((l) => l.command?.title).join(', '));
    // What the adapter tells VS Code, as VS Code receives it.
    const stopped: string[] = [];
    let terminated = false;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('netspec', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; body?: { reason?: string } }) => {
          if (m.type === 'event' && m.event === 'stopped') stopped.push(m.body?.reason ?? '');
          if (m.type === 'event' && m.event === 'terminated') terminated = true;
        },
      }),
    });
    try {
      assert.equal(await vscode.commands.executeCommand(lens!.command!.command, ...(lens!.command!.arguments ?? [])), true, 'the session started');
      const session = await until('a netspec debug session', () => vscode.debug.activeDebugSession?.type === 'netspec' && vscode.debug.activeDebugSession);
      await until('the stop on the probe', () => stopped.length > 0);
      assert.equal(stopped[0], 'entry');
      type Var = { name: string; value: string; variablesReference: number };
      const numbers = async (v: Var): Promise<unknown> => v.variablesReference === 0 ? Number(v.value)
        : Promise.all(((await session.customRequest('variables', { variablesReference: v.variablesReference })) as { variables: Var[] }).variables.map(numbers));
      const frames: string[] = [];
      const shown: Record<string, Record<string, unknown>> = {};
      for (;;) {
        const { stackFrames } = await session.customRequest('stackTrace', { threadId: 1 }) as { stackFrames: { id: number; name: string; line: number }[] };
        frames.push(`${stackFrames[0].name}@${stackFrames[0].line}`);
        const { scopes } = await session.customRequest('scopes', { frameId: stackFrames[0].id }) as { scopes: { variablesReference: number }[] };
        const { variables } = await session.customRequest('variables', { variablesReference: scopes[0].variablesReference }) as { variables: Var[] };
        shown[stackFrames[0].name] = Object.fromEntries(await Promise.all(variables.map(async (v) => [v.name, await numbers(v)] as const)));
        const n = stopped.length;
        await session.customRequest('next', { threadId: 1 });
        await until('the next stop, or the end', () => stopped.length > n || terminated);
        if (terminated) break;
      }
      assert.deepEqual(frames, ['probe xor@24', 'forward h@4', 'forward y@5', 'loss@6', 'backward y@5', 'backward h@4']);
      const cli = JSON.parse(execSync(`"${process.execPath}" "${path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js')}" grad xor.netspec --json`, { encoding: 'utf8', cwd: path.dirname(doc.uri.fsPath) })) as { probes: { loss: number; layers: Record<string, { dW: number[][]; db: number[]; delta: number[] }> }[] };
      const probe = cli.probes[0];
      // JSON has no −0: read the debugger's numbers through JSON as the CLI's were.
      const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
      for (const layer of ['y', 'h']) {
        assert.deepEqual(json(shown[`backward ${layer}`].delta), probe.layers[layer].delta, `δ of ${layer}`);
        assert.deepEqual(json(shown[`backward ${layer}`]['dE/dW']), probe.layers[layer].dW, `dE/dW of ${layer}`);
        assert.deepEqual(json(shown[`backward ${layer}`]['dE/db']), probe.layers[layer].db, `dE/db of ${layer}`);
      }
      assert.equal(shown.loss.E, probe.loss);
      await until('the session to end', () => vscode.debug.activeDebugSession === undefined);
    } finally {
      tracker.dispose();
    }
  }],
  ['"Show plot" opens a panel with the plots of the network\'s function and activations', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Show plot' && l.range.start.line === 1);
    assert.ok(lens?.command, lenses.map((l) => `${l.range.start.line}:${l.command?.title}`).join(', '));
    await vscode.commands.executeCommand(lens!.command!.command, ...(lens!.command!.arguments ?? []));
    await until('the plot panel', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Network xor'));
  }],
  ['NetSpec: Show Network opens the network\'s view beside the editor, titled "Network xor", from the lens or the palette', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const views = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('netspec.network'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.command?.title === 'Show network');
    assert.ok(lens?.command, lenses.map((l) => `${l.range.start.line}:${l.command?.title}`).join(', '));
    assert.equal(lens!.command!.command, 'netspec.showNetwork');
    assert.equal(await vscode.commands.executeCommand(lens!.command!.command, ...(lens!.command!.arguments ?? [])), 'xor');
    const tab = await until('the network view', () => views().find((t) => t.label === 'Network xor'));
    // Beside the editor, which keeps the focus.
    assert.notEqual(tab.group.viewColumn, vscode.ViewColumn.One);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString());
    // From the palette, with the cursor in the probe statement: the probe's network, in the same panel.
    const probe = doc.getText().split('\n').findIndex((l) => l.startsWith('probe xor'));
    editor.selection = new vscode.Selection(probe, 3, probe, 3);
    assert.equal(await vscode.commands.executeCommand('netspec.showNetwork'), 'xor');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(views().length, 1, views().map((t) => t.label).join(', '));
  }],
  ['NetSpec: Export Network Diagram (SVG) writes SPEC.NETWORK.svg beside the spec: what netspec diagram writes', async () => {
    const spec = workspaceFile('xor.netspec');
    const out = vscode.Uri.joinPath(spec, '..', 'xor.xor.svg');
    const written = await vscode.commands.executeCommand<vscode.Uri>('netspec.exportNetworkDiagram', spec.toString(), 'xor');
    assert.equal(written?.toString(), out.toString());
    const svg = new TextDecoder().decode(await vscode.workspace.fs.readFile(out));
    const elements = parseXml(svg);
    assert.equal(elements.filter((e) => e.attrs.class === 'edge').length, 2 * 4 + 4 * 1);
    const cli = execSync(`"${process.execPath}" "${path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js')}" diagram xor.netspec --network xor -o -`, { encoding: 'utf8', cwd: path.dirname(spec.fsPath) });
    assert.equal(svg, cli);
    await vscode.workspace.fs.delete(out);
  }],
  ['rename changes every use, and refuses a clash', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'let rate = 2\nlet other = 1\neval rate * rate\nfn f(z) = rate * z\n' });
    await vscode.window.showTextDocument(doc);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, new vscode.Position(0, 5), 'step');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.getText(), 'let step = 2\nlet other = 1\neval step * step\nfn f(z) = step * z\n');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', doc.uri, new vscode.Position(0, 5), 'other')),
      /other/,
    );
  }],
  ['formatting is offered and leaves a formatted file unchanged', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval   1+2*3\nnetwork n{\ninput x[2]\n    dense y[1]   relu\n}\n' });
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    const we = new vscode.WorkspaceEdit();
    we.set(doc.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(we));
    assert.equal(doc.getText(), 'eval 1 + 2 * 3\nnetwork n {\n  input x[2]\n  dense y[1] relu\n}\n');
    const again = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    assert.equal(again?.length ?? 0, 0);
  }],
  ['the quick fix for a misspelt activation repairs the file', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'network n {\n  input x[2]\n  dense y[1] sigmod\n  loss mse\n}\n' });
    await vscode.window.showTextDocument(doc);
    const [d] = await until('the diagnostic', () => {
      const x = vscode.languages.getDiagnostics(doc.uri);
      return x.length ? x : undefined;
    });
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
    const fix = actions.find((a) => a.title === "Change to 'sigmoid'");
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(fix!.edit!));
    assert.match(doc.getText(), /dense y\[1\] sigmoid\n/);
    await until('the diagnostic to clear', () => vscode.languages.getDiagnostics(doc.uri).length === 0 || undefined);
  }],
  ['NetSpec: Train Network trains in the server, and the probe then uses the trained weights', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(doc);
    const probeLoss = async () => {
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      const label = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))).find((l) => l.startsWith('E = '));
      return label ? Number(label.slice(4)) : NaN;
    };
    const before = await probeLoss();
    const outputHover = async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, await positionOf(doc, 'dense  y', 7)));
    const hoverBefore = await outputHover();
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('train xor'));
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), line);
    const after = await until('a lower probe loss', async () => {
      const l = await probeLoss();
      return l < before / 10 ? l : undefined;
    });
    assert.ok(after < before / 10, `${before} → ${after}`);
    // The output layer's hover (its dE/dW at the probe) now shows the trained network's numbers.
    const hoverAfter = await outputHover();
    assert.match(hoverAfter, /\(g\(zₖ\) − tₖ\) · g'\(zₖ\) · aⱼ/, hoverAfter);
    assert.notEqual(hoverAfter, hoverBefore);
    // A debugger session on the probe now steps through the trained network too: its loss is the probe's.
    const stops: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('netspec', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: { type: string; event?: string }) => void (m.type === 'event' && m.event === 'stopped' && stops.push('stop')) }),
    });
    try {
      const probeLine = doc.getText().split('\n').findIndex((l) => l.startsWith('probe xor'));
      assert.equal(await vscode.commands.executeCommand('netspec.debugProbe', doc.uri.toString(), probeLine), true);
      const session = await until('a netspec debug session', () => vscode.debug.activeDebugSession?.type === 'netspec' && vscode.debug.activeDebugSession);
      let E: number | undefined;
      for (let i = 0; i < 6 && E === undefined; i++) {
        await until('a stop', () => stops.length > i);
        const { stackFrames } = await session.customRequest('stackTrace', { threadId: 1 }) as { stackFrames: { id: number; name: string }[] };
        if (stackFrames[0].name === 'loss') {
          const { scopes } = await session.customRequest('scopes', { frameId: stackFrames[0].id }) as { scopes: { variablesReference: number }[] };
          const { variables } = await session.customRequest('variables', { variablesReference: scopes[0].variablesReference }) as { variables: { name: string; value: string }[] };
          E = Number(variables.find((v) => v.name === 'E')?.value);
        } else await session.customRequest('next', { threadId: 1 });
      }
      assert.ok(E !== undefined && Math.abs(E - after) <= 1e-3 * Math.max(after, 1e-12) + 5e-5, `the debugger's E ${E}, the trained probe's ${after}`);
      await vscode.debug.stopDebugging(session);
    } finally {
      tracker.dispose();
    }
  }],
  ['a run is cancelled with NetSpec: Stop Training, and the same run then restarts and completes', async () => {
    const text = 'network long {\n  input x[2]\n  dense h[32] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = spiral(n: 200, seed: 3)\ntrain long on d {\n  epochs 10000000\n}\nprobe long [1, -1] -> [1]\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: text });
    await vscode.window.showTextDocument(doc);
    const probeLoss = async () => {
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      const label = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))).find((l) => l.startsWith('E = '));
      return label ? label.slice(4) : undefined;
    };
    const initial = await until('the probe loss', probeLoss);
    let ended = false;
    const run = Promise.resolve(vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 7)).then(() => { ended = true; });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ended, false, 'a run of 10^7 epochs ended by itself');
    await vscode.commands.executeCommand('netspec.stopTraining');
    await until('the command to end with the run', () => (ended ? true : undefined), 10_000);
    await run;
    assert.equal(await probeLoss(), initial, 'a cancelled run must not change the network');
    // Restart with fewer epochs: it runs to the end, and its weights reach the probe.
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(8, 0, 8, doc.lineAt(8).text.length), '  epochs 5'));
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 7);
    await until('the trained probe loss', async () => ((await probeLoss()) !== initial ? true : undefined));
  }],
  ['the training panel opens with a run, and NetSpec: Show Training Panel brings it back', async () => {
    const panelTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('netspec.training'));
    // The run of the previous check opened it (netspec.training.openPanel defaults to true).
    await until('the training panel of the run', () => (panelTabs().length === 1 ? true : undefined));
    assert.equal(panelTabs()[0].label, 'NetSpec: Training');
    await vscode.window.tabGroups.close(panelTabs());
    await until('the panel to close', () => (panelTabs().length === 0 ? true : undefined));
    await vscode.commands.executeCommand('netspec.showTrainingPanel');
    await vscode.commands.executeCommand('netspec.showTrainingPanel'); // a second call reveals the same panel
    await until('the panel to reopen', () => (panelTabs().length === 1 ? true : undefined));
  }],
  ['Pause, Step by a batch and an epoch, Resume: each pause puts the run\'s parameters in the probe\'s hint', async () => {
    const text = 'network p {\n  input x[2]\n  dense h[16] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = spiral(n: 200, seed: 3)\ntrain p on d {\n  epochs 10000000\n  batch 10\n}\nprobe p [1, -1] -> [1]\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: text });
    await vscode.window.showTextDocument(doc);
    /** The probe's loss in full (the hint's tooltip). */
    const probeLoss = async () => {
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      const h = hints.find((x) => (typeof x.label === 'string' ? x.label : x.label.map((p) => p.value).join('')).startsWith('E = '));
      return h ? String(typeof h.tooltip === 'string' ? h.tooltip : h.tooltip?.value).split('\n')[0] : undefined;
    };
    const changed = (from: string | undefined) => until('the probe\'s loss to change', async () => {
      const now = await probeLoss();
      return now !== undefined && now !== from ? now : undefined;
    });
    const initial = await until('the probe loss', probeLoss);
    let ended = false;
    const run = Promise.resolve(vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 7)).then(() => { ended = true; });
    // Pause as soon as the run reports (the command tells the runs it knows of: 0 before).
    await until('a run to pause', async () => ((await vscode.commands.executeCommand<number>('netspec.pauseTraining')) === 1 ? true : undefined));
    const paused = await changed(initial);
    // Step by one batch once the pause is seen, then by an epoch: each moves the parameters the probe uses.
    await until('the pause to be seen', async () => ((await vscode.commands.executeCommand<number>('netspec.stepTrainingBatch')) === 1 ? true : undefined));
    const batch = await changed(paused);
    await until('the next pause', async () => ((await vscode.commands.executeCommand<number>('netspec.stepTraining')) === 1 ? true : undefined));
    const epoch = await changed(batch);
    await until('the pause after the epoch', async () => ((await vscode.commands.executeCommand<number>('netspec.resumeTraining')) === 1 ? true : undefined));
    assert.equal(ended, false, 'a run of 10^7 epochs ended by itself');
    assert.equal(await probeLoss(), epoch, 'resumed, the probe keeps the last pause\'s parameters');
    await vscode.commands.executeCommand('netspec.stopTraining');
    await until('the command to end with the run', () => (ended ? true : undefined), 10_000);
    await run;
    assert.equal(await probeLoss(), epoch, 'stopped, the probe keeps the paused parameters');
  }],
  ['a click on the panel\'s picture adds a row to the data block, and Undo removes it; generated data becomes inline first', async () => {
    const text = 'network c {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d {\n  [0, 0] -> [0]\n  [1, 1] -> [1]\n}\ntrain c on d { epochs 5 }\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: text });
    const editor = await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 9);
    const click = { uri: doc.uri.toString(), network: 'c', data: 'd', x: 0.25, y: -1.5, mode: 'add1' };
    assert.equal(await vscode.commands.executeCommand('netspec.editTrainingData', click), true);
    assert.equal(doc.getText(), text.replace('[1, 1] -> [1]\n', '[1, 1] -> [1]\n  [0.25, -1.5] -> [1]\n'));
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), text, 'one Undo removes the row');
    // Retrain runs the statement again (it is found by its network and data, wherever it moved).
    await vscode.commands.executeCommand('netspec.retrain');
    // Generated data: the click is refused and nothing changes, until it is turned into an inline block.
    const gen = 'network g {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata s = xor(n: 6, seed: 1)\ntrain g on s { epochs 5 }\n';
    const gdoc = await vscode.workspace.openTextDocument({ language: 'netspec', content: gen });
    await vscode.window.showTextDocument(gdoc);
    await vscode.commands.executeCommand('netspec.train', gdoc.uri.toString(), 6);
    const gclick = { uri: gdoc.uri.toString(), network: 'g', data: 's', x: 1, y: 1, mode: 'add0' };
    assert.equal(await vscode.commands.executeCommand('netspec.editTrainingData', gclick), false);
    assert.equal(gdoc.getText(), gen);
    await vscode.commands.executeCommand('netspec.inlineTrainingData');
    assert.equal(gdoc.getText().split('\n').filter((l) => / -> \[[01]\]$/.test(l)).length, 6, gdoc.getText());
    assert.equal(await vscode.commands.executeCommand('netspec.editTrainingData', gclick), true);
    assert.match(gdoc.getText(), /\n  \[1, 1\] -> \[0\]\n\}/);
  }],
  ['a click on a spec in a read-only file system is refused and changes nothing', async () => {
    const text = 'network c {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d {\n  [0, 0] -> [0]\n}\ntrain c on d { epochs 5 }\n';
    const bytes = new TextEncoder().encode(text);
    const unwritable = () => vscode.FileSystemError.NoPermissions('read-only');
    // The least a read-only file system provides: one file, and refusals.
    const provider: vscode.FileSystemProvider = {
      onDidChangeFile: new vscode.EventEmitter<vscode.FileChangeEvent[]>().event,
      watch: () => new vscode.Disposable(() => undefined),
      stat: () => ({ type: vscode.FileType.File, ctime: 0, mtime: 0, size: bytes.length, permissions: vscode.FilePermission.Readonly }),
      readDirectory: () => [],
      createDirectory: () => { throw unwritable(); },
      readFile: () => bytes,
      writeFile: () => { throw unwritable(); },
      delete: () => { throw unwritable(); },
      rename: () => { throw unwritable(); },
    };
    const registration = vscode.workspace.registerFileSystemProvider('netspec-readonly', provider, { isReadonly: true });
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse('netspec-readonly:/spec.netspec'));
      assert.equal(doc.getText(), text);
      assert.equal(doc.languageId, 'netspec', 'the language server has the spec too');
      const click = { uri: doc.uri.toString(), network: 'c', data: 'd', x: 0.5, y: 0.5, mode: 'add1' };
      assert.equal(await vscode.commands.executeCommand('netspec.editTrainingData', click), false);
      assert.equal(doc.getText(), text, 'the text is as it was');
    } finally {
      registration.dispose();
    }
  }],
  ['NetSpec: Export to PyTorch writes the program beside the spec, the same as the CLI\'s', async () => {
    const spec = workspaceFile('xor.netspec');
    const out = vscode.Uri.joinPath(spec, '..', 'xor.xor.py');
    // xor was trained by an earlier check, so the command would ask where to start: say it.
    await vscode.commands.executeCommand('netspec.exportPyTorch', spec.toString(), 'xor', 'initial');
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(out));
    const cli = execSync(`"${process.execPath}" "${path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js')}" export xor.netspec --network xor --to pytorch -o -`, { encoding: 'utf8', cwd: path.dirname(spec.fsPath) });
    assert.equal(written, cli);
    await vscode.workspace.fs.delete(out);
  }],
  ['NetSpec: Export to ONNX writes the model beside the spec: the CLI\'s bytes for the file\'s weights, the run\'s weights after training', async () => {
    const spec = workspaceFile('xor.netspec');
    const out = vscode.Uri.joinPath(spec, '..', 'xor.xor.onnx');
    const cli = execSync(`"${process.execPath}" "${path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js')}" export xor.netspec --network xor --to onnx -o -`, { cwd: path.dirname(spec.fsPath) });
    await vscode.commands.executeCommand('netspec.exportOnnx', spec.toString(), 'xor', 'file');
    const own = Buffer.from(await vscode.workspace.fs.readFile(out));
    assert.ok(own.equals(cli), `the file's weights: ${own.length} bytes, the CLI's ${cli.length}`);
    await vscode.workspace.fs.delete(out);
    // xor was trained by an earlier check: by default the model carries the run's weights, and says so.
    await vscode.commands.executeCommand('netspec.exportOnnx', spec.toString(), 'xor');
    const trained = Buffer.from(await vscode.workspace.fs.readFile(out));
    assert.ok(!trained.equals(cli), 'the trained weights, not the file\'s');
    assert.ok(trained.toString('latin1').includes('its forward pass with its weights trained in the editor'), 'the model says whose weights it holds');
    await vscode.workspace.fs.delete(out);
  }],
  ['after a run, Export to PyTorch asks where the program starts; "Continue from the trained weights" embeds them', async () => {
    const spec = workspaceFile('xor.netspec');
    const out = vscode.Uri.joinPath(spec, '..', 'xor.xor.py');
    let ended = false;
    const command = Promise.resolve(vscode.commands.executeCommand('netspec.exportPyTorch', spec.toString(), 'xor')).then(() => { ended = true; });
    // The quick pick waits for an answer: the command does not end by itself.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ended, false, 'the export ended without asking where to start');
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await until('the export to end', () => (ended ? true : undefined), 10_000);
    await command;
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(out));
    assert.match(written, /It starts from the weights the editor's last run of `xor` trained/);
    const initial = execSync(`"${process.execPath}" "${path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js')}" export xor.netspec --network xor --to pytorch -o -`, { encoding: 'utf8', cwd: path.dirname(spec.fsPath) });
    const embedded = (src: string) => src.slice(src.indexOf('INITIAL = {'), src.indexOf('}', src.indexOf('INITIAL = {')));
    assert.notEqual(embedded(written), embedded(initial), 'the trained weights, not the initial ones');
    await vscode.workspace.fs.delete(out);
  }],
  ['NetSpec: Reset Trained Weights brings back the file\'s own weights (a QuickPick when several networks have trained ones)', async () => {
    const probeLoss = async (doc: vscode.TextDocument) => {
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      return hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))).filter((l) => l.startsWith('E = '));
    };
    // xor.netspec was trained earlier in this suite: one network, reset without a question.
    const xor = await vscode.workspace.openTextDocument(workspaceFile('xor.netspec'));
    await vscode.window.showTextDocument(xor);
    const trained = await probeLoss(xor);
    const answer = await vscode.commands.executeCommand<{ reset: string[] }>('netspec.resetTrainedWeights');
    assert.deepEqual(answer?.reset, ['xor']);
    const own = await until('the file\'s own probe loss', async () => {
      const l = await probeLoss(xor);
      return l.join() !== trained.join() ? l : undefined;
    });
    assert.ok(own.length === 1);

    // Two trained networks: the QuickPick offers "All networks" first.
    const text = 'network a {\n  input x[1]\n  dense y[1] linear\n}\nnetwork b {\n  input x[1]\n  dense y[1] linear\n}\ndata d {\n  [1] -> [2]\n  [2] -> [4]\n}\ntrain a on d { epochs 20 learning_rate 0.05 }\ntrain b on d { epochs 20 learning_rate 0.05 }\nprobe a [1] -> [2]\nprobe b [1] -> [2]\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: text });
    await vscode.window.showTextDocument(doc);
    const initial = await until('the probe losses', async () => {
      const l = await probeLoss(doc);
      return l.length === 2 ? l : undefined;
    });
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 12);
    await vscode.commands.executeCommand('netspec.train', doc.uri.toString(), 13);
    await until('both trained', async () => {
      const l = await probeLoss(doc);
      return l[0] !== initial[0] && l[1] !== initial[1] ? true : undefined;
    });
    const reset = Promise.resolve(vscode.commands.executeCommand<{ reset: string[] }>('netspec.resetTrainedWeights'));
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.deepEqual((await reset)?.reset.sort(), ['a', 'b']);
    assert.deepEqual(await until('the initial losses', async () => {
      const l = await probeLoss(doc);
      return l.join() === initial.join() ? l : undefined;
    }), initial);
  }],
  ['a language server that dies is restarted, and diagnostics come back', async () => {
    // The server is a child of this extension host (the client forks dist/server.js over IPC).
    const pids = () => execSync(`pgrep -P ${process.pid} -f "[d]ist/server[.]js" || true`, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    const before = await until('the server process', () => (pids().length ? pids() : undefined));
    // Started with the server's Node flags, as the netspec-language-server command starts it.
    const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (const pid of before) for (const flag of SERVER_NODE_FLAGS) assert.ok(argv(pid).includes(flag), `the server runs without ${flag}: ${argv(pid).join(' ')}`);
    for (const pid of before) process.kill(pid, 'SIGKILL');
    const after = await until('a new server process', () => {
      const now = pids().filter((p) => !before.includes(p));
      return now.length ? now : undefined;
    });
    assert.ok(after.length >= 1);
    const doc = await vscode.workspace.openTextDocument({ language: 'netspec', content: 'eval tanhh(1)\n' });
    await vscode.window.showTextDocument(doc);
    const diags = await until('diagnostics from the restarted server', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    });
    assert.match(diags[0].message, /Did you mean `tanh`\?/);
  }],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      log(`ok - ${name}`);
    } catch (err) {
      failed++;
      log(`not ok - ${name}\n${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} of ${checks.length} extension-host checks failed`);
}
