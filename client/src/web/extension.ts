import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/browser';
import { activateNetSpec, deactivateNetSpec } from '../activate';
import { workerTransports, type BrowserWorker } from './serverWorker';

declare const Worker: new (url: string, options?: { name?: string }) => BrowserWorker;

/**
 * The web extension (`browser`, dist/web/extension.js), for vscode.dev, github.dev and
 * code-server's web worker extension host: the server is dist/web/server.js in a Web Worker,
 * started anew on each (re)start of the client (serverWorker.ts: a worker that fails is restarted
 * as a server process that dies is on the desktop).
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await activateNetSpec(context, {
    async createClient(context, options) {
      const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'server.js');
      // Not `new Worker(script.toString(true))`: hosts where the extension is remote (code-server,
      // vscode-remote: URIs) refuse it. Their fetch resolves the URI to the http address it is served
      // from, and a worker started there can start its own training workers from the same address.
      const address = async () => (await fetch(script.toString(true))).url;
      return new LanguageClient('netspec', 'NetSpec Language Server', async () => {
        const worker = new Worker(await address());
        return workerTransports(worker, (why) => options.outputChannel?.error(`The language server's worker failed: ${why}`));
      }, options);
    },
  });
}

export const deactivate = deactivateNetSpec;
