import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { ReadDataFileRequest } from '../../server/src/protocol/requests';
import type { ReadDataFileAnswer } from '../../server/src/protocol/files';

/**
 * `netspec/readDataFile`: a data file read for the server through `vscode.workspace.fs`, which
 * reads local, remote and virtual workspaces alike. Only the web server asks (the Node server
 * reads its disk); it has already refused paths outside the spec's folder. Here: nothing is read
 * in an untrusted workspace, a file over the size limit is refused before it is read, and a
 * symbolic link is refused (where it leads cannot be checked from here).
 */
export function registerDataFiles(client: BaseLanguageClient): void {
  client.onRequest(ReadDataFileRequest.type, async ({ uri, maxBytes }): Promise<ReadDataFileAnswer> => {
    if (!vscode.workspace.isTrusted) return { error: 'the workspace is not trusted (Restricted Mode), and data files are read only in a trusted one' };
    const target = vscode.Uri.parse(uri);
    try {
      const st = await vscode.workspace.fs.stat(target);
      if (st.type & vscode.FileType.SymbolicLink) return { error: 'it is a symbolic link, which NetSpec in the browser does not follow' };
      if (st.type & vscode.FileType.Directory) return { error: 'it is a directory' };
      if (st.size > maxBytes) return { error: `it has ${st.size} bytes; the limit is ${maxBytes}` };
      return { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(target)) };
    } catch (err) {
      if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return { error: `no such file (${target.path})` };
      return { error: err instanceof Error ? err.message : String(err) };
    }
  });
}
