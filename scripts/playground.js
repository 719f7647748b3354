#!/usr/bin/env node
// `npm run playground`: the playground page, a static site in dist/playground/ (no backend; any
// static file server, offline): Monaco wired through LSP to the browser build of the language
// server, the training panel beside it, the examples. Runs the normal build first (dist/web/server.js,
// dist/media/), unless `--no-build` says it has just run (scripts/test.js).
//
// What it writes (nothing is loaded from a CDN):
//   index.html, playground.css          the page (client/src/playground/index.html, page.css)
//   playground.js, playground.css        the page's bundle: client/src/playground/main.ts with Monaco
//                                        (its CSS and the codicon font through esbuild's loaders)
//   editor.worker.js                     Monaco's own worker (its text model computations)
//   web/server.js                        the language server (a copy of dist/web/server.js)
//   panel/…                              the training panel: dist/media's page script, styles and
//                                        uPlot, behind a small stand-in for the webview's API
//   docs/language.html                   the language reference a diagnostic's code links to
// The examples (examples/*.netspec) and the settings' defaults (package.json) are compiled in.
const { execSync } = require('child_process');
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.chdir(root);
const out = 'dist/playground';
const src = 'client/src/playground';

/** examples/*.netspec by name (without the extension), in the menu's order. */
function examples() {
  /** @type {Record<string, string>} */
  const found = {};
  for (const f of fs.readdirSync('examples').sort()) if (f.endsWith('.netspec')) found[f.slice(0, -'.netspec'.length)] = fs.readFileSync(path.join('examples', f), 'utf8');
  return found;
}

/** Every `netspec.*` setting's default, from package.json: what the page answers workspace/configuration with. */
function settingDefaults() {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  /** @type {Record<string, unknown>} */
  const defaults = {};
  for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) defaults[key] = /** @type {{ default: unknown }} */ (p).default;
  return defaults;
}

/**
 * @param {string} from
 * @param {string} to
 */
function copy(from, to) {
  fs.mkdirSync(path.dirname(path.join(out, to)), { recursive: true });
  fs.copyFileSync(from, path.join(out, to));
}

/**
 * Monaco's package exports only its scripts (`monaco-editor/…` → esm/vs/….js); the codicon styles
 * it needs beside them are imported by their file (`monaco-editor/esm/vs/….css`).
 * @type {import('esbuild').Plugin}
 */
const monacoFiles = {
  name: 'monaco-files',
  setup(build) {
    build.onResolve({ filter: /^monaco-editor\/esm\// }, (args) => ({ path: path.join(root, 'node_modules', args.path) }));
  },
};

async function main() {
  if (!process.argv.includes('--no-build')) execSync('node esbuild.js', { stdio: 'inherit' });
  for (const need of ['dist/web/server.js', 'dist/media/trainingPanel.js', 'dist/media/language.html']) {
    if (!fs.existsSync(need)) throw new Error(`scripts/playground.js: ${need} is missing: run \`npm run build\` first`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  /** @type {import('esbuild').BuildOptions} */
  const page = { bundle: true, platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning', minify: true };
  await esbuild.build({
    ...page,
    entryPoints: { playground: path.join(src, 'main.ts') },
    outdir: out,
    format: 'esm',
    loader: { '.ttf': 'file' },
    plugins: [monacoFiles],
    define: { NETSPEC_EXAMPLES: JSON.stringify(examples()), NETSPEC_SETTINGS: JSON.stringify(settingDefaults()) },
  });
  await esbuild.build({ ...page, entryPoints: { 'editor.worker': 'monaco-editor/editor/editor.worker.js' }, outdir: out, format: 'iife' });
  await esbuild.build({ ...page, entryPoints: { 'panel/bridge': path.join(src, 'panel-bridge.ts') }, outdir: out, format: 'iife' });
  copy('dist/web/server.js', 'web/server.js');
  if (fs.existsSync('dist/web/server.js.map')) copy('dist/web/server.js.map', 'web/server.js.map');
  for (const f of ['trainingPanel.js', 'trainingPanel.css', 'uPlot.iife.min.js', 'uPlot.min.css', 'uPlot.LICENSE.txt']) copy(path.join('dist/media', f), path.join('panel', f));
  copy(path.join(src, 'index.html'), 'index.html');
  copy(path.join(src, 'page.css'), 'page.css');
  copy('images/netspec.svg', 'netspec.svg');
  copy('node_modules/monaco-editor/LICENSE', 'monaco.LICENSE.txt');
  copy('node_modules/lz-string/LICENSE', 'lz-string.LICENSE.txt');
  const reference = fs.readFileSync('dist/media/language.html', 'utf8');
  fs.mkdirSync(path.join(out, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(out, 'docs/language.html'), `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NetSpec language reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code,pre{font-family:ui-monospace,monospace;background:#f3f3f3}pre{padding:.5rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem}</style>
</head><body>
${reference}
</body></html>
`);
  console.log(`scripts/playground.js: wrote ${out}/index.html (serve the folder: npm run playground:serve)`);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
