import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/browser';
import { activateNetSpec, deactivateNetSpec } from '../activate';

/** The little of a browser Worker used here (the project's lib has no DOM types). */
interface BrowserWorker {
  terminate(): void;
}
declare const Worker: new (url: string, options?: { name?: string }) => BrowserWorker;

/**
 * The web extension (`browser`, dist/web/extension.js), for vscode.dev, github.dev and
 * code-server's web worker extension host: the server is dist/web/server.js in a Web Worker,
 * started anew on each (re)start of the client.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await activateNetSpec(context, {
    async createClient(context, options) {
      const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'server.js');
      let worker: BrowserWorker | undefined;
      const start = async () => {
        worker?.terminate();
        // Not `new Worker(script.toString(true))`: hosts where the extension is remote (code-server,
        // vscode-remote: URIs) refuse it. Their fetch resolves the URI to the http address it is served
        // from, and a worker started there can start its own training workers from the same address.
        worker = new Worker((await fetch(script.toString(true))).url);
        return worker as never;
      };
      return new LanguageClient('netspec', 'NetSpec Language Server', start, options);
    },
  });
}

export const deactivate = deactivateNetSpec;
