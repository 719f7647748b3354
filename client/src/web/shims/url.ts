/**
 * Node's `url` for the browser build: @vscode/debugadapter imports `URL` from it, which the
 * browser has as a global. esbuild.js aliases `url` to this file in dist/web/extension.js.
 */
export const URL = globalThis.URL;
export default { URL };
