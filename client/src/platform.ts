import type * as vscode from 'vscode';
import type { BaseLanguageClient, LanguageClientOptions } from 'vscode-languageclient';

/**
 * What differs between the desktop extension (`extension.ts`: the server is a Node process) and
 * the web extension (`web/extension.ts`: the server is a Web Worker, vscode.dev and code-server's
 * web worker host). Everything else is `activate.ts`, shared.
 */
export interface ClientPlatform {
  /** The language client, not started, wired to a server that starts with it (and again on a restart). */
  createClient(context: vscode.ExtensionContext, options: LanguageClientOptions): Promise<BaseLanguageClient>;
}
