import * as vscode from 'vscode';

/**
 * Where a panel opens "beside" the editor without covering another panel that should stay in
 * sight: the training panel and the network view are watched together during a run, so each
 * opens in the column after the active one, or further right past a column that shows the other.
 */

/** The column after the active group's, moved right past every column whose shown tab is a webview of one of `viewTypes`. */
export function besideFreeOf(viewTypes: readonly string[]): vscode.ViewColumn {
  const shows = (column: number) => vscode.window.tabGroups.all.some((g) => {
    const input = g.viewColumn === column ? g.activeTab?.input : undefined;
    return input instanceof vscode.TabInputWebview && viewTypes.some((t) => input.viewType.endsWith(t));
  });
  let column = (vscode.window.tabGroups.activeTabGroup?.viewColumn ?? vscode.ViewColumn.One) + 1;
  // VS Code has nine columns; it opens a new group for a column that has none.
  while (column < vscode.ViewColumn.Nine && shows(column)) column++;
  return column;
}
