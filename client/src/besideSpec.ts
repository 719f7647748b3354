import * as vscode from 'vscode';

/**
 * Writes what an export made into a file beside its spec, through `vscode.workspace.fs` (so the
 * browser build writes it too): refused for an unsaved spec, and an existing file is replaced only
 * once the user says so in a modal question. Returns the file written, or undefined when nothing was.
 * `what` names the content in the messages ("the program", "the model").
 */
export async function writeBesideSpec(specUri: string, name: string, bytes: Uint8Array, what: string): Promise<vscode.Uri | undefined> {
  const spec = vscode.Uri.parse(specUri);
  if (spec.scheme === 'untitled') {
    void vscode.window.showErrorMessage(`NetSpec: save the file first; ${what} is written beside it.`);
    return undefined;
  }
  const out = vscode.Uri.joinPath(spec, '..', name);
  if (await exists(out)) {
    const replace = 'Replace';
    const choice = await vscode.window.showWarningMessage(`${name} already exists beside the spec. Replace it?`, { modal: true }, replace);
    if (choice !== replace) return undefined;
  }
  await vscode.workspace.fs.writeFile(out, bytes);
  return out;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
