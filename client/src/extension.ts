import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/**
 * The extension is thin on purpose: it starts the NetSpec language server and wires commands.
 * Everything the editor shows comes from the server, so every LSP editor gets the same.
 */
let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const output = vscode.window.createOutputChannel('NetSpec', { log: true });
  context.subscriptions.push(output);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'netspec' }],
    outputChannel: output,
    // The client's default error handler restarts a server that dies (up to 4 times in 3 minutes).
  };
  client = new LanguageClient('netspec', 'NetSpec Language Server', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('netspec.restartServer', async () => {
      output.appendLine('Restarting the NetSpec language server.');
      await client?.restart();
    }),
  );
  context.subscriptions.push(vscode.commands.registerCommand('netspec.showPlot', (uri: string, line: number) => showPlot(context, uri, line)));
  await client.start();
}

interface PlotAnswer {
  title: string;
  items: { label: string; svg: string; caption: string }[];
}

/**
 * "Show plot": the activations of a network, or a fn, with their derivatives, in a panel.
 * The server draws the SVGs (any editor could show them); this only frames them, under a
 * Content Security Policy that allows nothing but inline images and styles.
 */
async function showPlot(context: vscode.ExtensionContext, uri: string, line: number): Promise<void> {
  if (!client) return;
  const answer = await client.sendRequest<PlotAnswer | null>('netspec/plot', { uri, line });
  if (!answer || answer.items.length === 0) {
    void vscode.window.showInformationMessage('Nothing to plot here.');
    return;
  }
  const panel = vscode.window.createWebviewPanel('netspec.plot', answer.title, vscode.ViewColumn.Beside, { enableScripts: false });
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const figures = answer.items.map((i) => `<figure><img alt="${escape(i.label)}" src="data:image/svg+xml;base64,${Buffer.from(i.svg).toString('base64')}"><figcaption><b>${escape(i.label)}</b><br>${escape(i.caption)}</figcaption></figure>`).join('\n');
  panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);background:var(--vscode-editor-background)}
figure{display:inline-block;margin:12px;padding:8px;border:1px solid var(--vscode-panel-border)}figcaption{font-family:var(--vscode-editor-font-family);margin-top:6px}</style>
</head><body><h2>${escape(answer.title)}</h2>${figures}</body></html>`;
  context.subscriptions.push(panel);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
