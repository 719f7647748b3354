import * as vscode from 'vscode';

/**
 * A NetSpec editor indents as the `[netspec]` settings say (package.json's defaults: two spaces,
 * the formatter's indentation). VS Code fixes a file's indentation when it opens it, and a file
 * opened before the extension's language was known (in code-server, the file open at startup)
 * keeps plain text's: four. So each NetSpec editor gets its language's settings once, unless
 * editor.detectIndentation lets VS Code read the indentation from the file itself.
 */
export function registerIndentation(context: vscode.ExtensionContext): () => void {
  const apply = (e: vscode.TextEditor) => {
    if (e.document.languageId !== 'netspec') return;
    const c = vscode.workspace.getConfiguration('editor', e.document);
    if (c.get<boolean>('detectIndentation')) return;
    const tabSize = c.get<number>('tabSize');
    const insertSpaces = c.get<boolean>('insertSpaces');
    // indentSize too: it keeps the plain-text value otherwise, and Enter indents by it.
    if (e.options.tabSize !== tabSize || e.options.indentSize !== tabSize || e.options.insertSpaces !== insertSpaces) e.options = { tabSize, indentSize: tabSize, insertSpaces };
  };
  const applyAll = () => vscode.window.visibleTextEditors.forEach(apply);
  applyAll();
  context.subscriptions.push(
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(apply)),
    vscode.window.onDidChangeActiveTextEditor((e) => e && apply(e)),
    // A file whose language becomes NetSpec after it opened is "opened" again under that language.
    vscode.workspace.onDidOpenTextDocument((doc) => vscode.window.visibleTextEditors.filter((e) => e.document === doc).forEach(apply)),
  );
  return applyAll;
}
