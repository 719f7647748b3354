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
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
