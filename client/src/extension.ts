import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_NODE_FLAGS } from '../../server/src/protocol/launch';
import { activateNetSpec, deactivateNetSpec } from './activate';

/** The desktop extension (`main`, dist/extension.js): the server is `node dist/server.js` over IPC. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await activateNetSpec(context, {
    async createClient(context, options) {
      const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
      const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6009'] } },
      };
      return new LanguageClient('netspec', 'NetSpec Language Server', serverOptions, options);
    },
  });
}

export const deactivate = deactivateNetSpec;
