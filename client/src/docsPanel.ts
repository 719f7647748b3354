import * as vscode from 'vscode';

/**
 * The language reference (docs/LANGUAGE.md, rendered to HTML by esbuild.js) in a view beside the
 * editor, scrolled to a heading. A diagnostic's code is a link to its explanation: the server
 * sends the Markdown file's address with the anchor (any editor can open that), and this client
 * turns it into a link to itself (`<uri scheme>://<extension id>/docs#anchor`), which VS Code and
 * code-server alike hand to the extension's URI handler, from the hover and from Problems: opened
 * as a file, the Markdown would show raw, at line 1.
 */
export class DocsPanel {
  private static current: DocsPanel | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel) {
    panel.onDidDispose(() => {
      if (DocsPanel.current === this) DocsPanel.current = undefined;
    });
  }

  /** Opens the reference (or brings it forward) at `anchor`, or at its top. */
  static async show(context: vscode.ExtensionContext, anchor = ''): Promise<void> {
    const existing = DocsPanel.current;
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.panel.webview.postMessage({ anchor });
      return;
    }
    // Through workspace.fs, which reads the extension's files on the desktop and in the browser.
    const html = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'dist', 'media', 'language.html')));
    if (DocsPanel.current) return DocsPanel.show(context, anchor); // opened meanwhile
    const panel = vscode.window.createWebviewPanel('netspec.docs', 'NetSpec Language Reference', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [],
    });
    panel.webview.html = page(html, anchor);
    DocsPanel.current = new DocsPanel(panel);
  }
}

/** The client's own link to the reference at `anchor`, for a diagnostic's code. */
export function docsLink(context: vscode.ExtensionContext, anchor: string): vscode.Uri {
  return vscode.Uri.from({ scheme: vscode.env.uriScheme, authority: context.extension.id, path: '/docs', fragment: anchor });
}

/**
 * A diagnostic's code target as the server sends it (`file:…/docs/LANGUAGE.md#anchor`), rewritten
 * to docsLink(); any other target stays as it is.
 */
export function rewriteCodeTarget(context: vscode.ExtensionContext, d: vscode.Diagnostic): vscode.Diagnostic {
  const code = d.code;
  if (typeof code === 'object' && code.target.path.endsWith('/docs/LANGUAGE.md')) d.code = { value: code.value, target: docsLink(context, code.target.fragment) };
  return d;
}

/** The URI handler's part: `…/docs#anchor` opens the reference there. */
export function registerDocs(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.window.registerUriHandler({
      handleUri(uri) {
        if (uri.path === '/docs') void DocsPanel.show(context, uri.fragment);
      },
    }),
    vscode.commands.registerCommand('netspec.showLanguageReference', (anchor?: string) => DocsPanel.show(context, typeof anchor === 'string' ? anchor : '')),
  );
}

function page(body: string, anchor: string): string {
  const nonce = Array.from({ length: 24 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 62)]).join('');
  // The anchor is data for the script, never markup: JSON in a script, with `<` escaped.
  const start = JSON.stringify(anchor).replace(/</g, '\\u003c');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);background:var(--vscode-editor-background);max-width:52em;padding:0 1.5em 40vh;line-height:1.5}
code,pre{font-family:var(--vscode-editor-font-family);font-size:0.95em}
pre{background:var(--vscode-textCodeBlock-background);padding:0.6em 0.8em;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid var(--vscode-panel-border);padding:0.2em 0.5em;vertical-align:top}
a{color:var(--vscode-textLink-foreground)}
.target{outline:2px solid var(--vscode-focusBorder);outline-offset:4px}
</style></head><body>
${body}
<script nonce="${nonce}">
(function () {
  function go(anchor) {
    var old = document.querySelector('.target');
    if (old) old.classList.remove('target');
    var el = anchor ? document.getElementById(anchor) : null;
    if (!el) { window.scrollTo(0, 0); return; }
    // An empty <a id> marks the paragraph it opens, or, alone in its own, what follows that.
    var shown = el;
    if (el.tagName === 'A' && !el.textContent) {
      var p = el.parentElement;
      shown = p && p.tagName === 'P' && !p.textContent.trim() ? (p.nextElementSibling || p) : (p || el);
    }
    shown.classList.add('target');
    el.scrollIntoView({ block: 'start' });
    document.body.dataset.anchor = anchor;
  }
  window.addEventListener('message', function (e) { if (e.data && typeof e.data.anchor === 'string') go(e.data.anchor); });
  go(${start});
})();
</script></body></html>`;
}
