import * as vscode from 'vscode';

/**
 * What every NetSpec webview's page starts from: a fresh nonce for its one script, the address
 * of a file of its media folder, and a Content-Security-Policy that allows nothing else — no
 * inline script without the nonce, styles and fonts only from the extension, and images from
 * `img` (data: URIs, and the extension's files where a page needs them).
 */
export function webviewPolicy(webview: vscode.Webview, media: vscode.Uri, img: string): { nonce: string; src(file: string): string; csp: string } {
  // globalThis.crypto: Node's and the browser's Web Crypto alike (the extension runs in both hosts).
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const csp = [
    "default-src 'none'",
    `img-src ${img}`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return { nonce, src: (file) => webview.asWebviewUri(vscode.Uri.joinPath(media, file)).toString(), csp };
}
