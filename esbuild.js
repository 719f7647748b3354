// Bundles every entry point with esbuild. Products: dist/ (what ships) and out/test/ (tests).
// `node esbuild.js` builds once; `--watch` rebuilds on change.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

/**
 * The Node flags the language server runs with (server/src/protocol/launch.ts), for the shebang of
 * dist/server.js, which is the `netspec-language-server` command: `env -S` splits them from `node`.
 * @returns {readonly string[]}
 */
function serverNodeFlags() {
  return /** @type {typeof import('./server/src/protocol/launch')} */ (load('server/src/protocol/launch.ts')).SERVER_NODE_FLAGS;
}

/**
 * The exports of one of the project's TypeScript modules, bundled in memory and run here.
 * @param {string} entry
 * @returns {unknown}
 */
function load(entry) {
  const bundle = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const mod = { exports: {} };
  new Function('module', 'exports', bundle.outputFiles[0].text)(mod, mod.exports);
  return mod.exports;
}
const serverFlags = serverNodeFlags();

/** What ships. The server and the client join this list as they are written. */
/** @type {{ entry: string; out: string; banner?: string; external?: string[] }[]} */
const products = [
  { entry: 'server/src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  // Also the `netspec-language-server` command (package.json bin): stdio unless told otherwise.
  { entry: 'server/src/server/main.ts', out: 'dist/server.js', banner: serverFlags.length ? `#!/usr/bin/env -S node ${serverFlags.join(' ')}` : '#!/usr/bin/env node' },
  { entry: 'server/src/server/trainWorker.ts', out: 'dist/trainWorker.js' },
  // A helper thread of the engine's products (engine/kernels/pool.ts), for the CLI and the training worker.
  { entry: 'server/src/server/productWorker.ts', out: 'dist/productWorker.js' },
  { entry: 'server/src/debug/main.ts', out: 'dist/debugAdapter.js' },
  { entry: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
].filter((p) => fs.existsSync(p.entry));

/**
 * Every `*.test.ts` under test/, bundled one file each so `node --test out/test` runs them.
 * @param {string} dir
 * @returns {string[]}
 */
function testEntries(dir = 'test') {
  /** @type {string[]} */
  const found = [];
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) found.push(...testEntries(full));
    else if (name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

/**
 * The webviews' files, served from dist/media: uPlot (npm `uplot`, MIT, shipped with its licence)
 * and the training panel's and the network view's styles, copied; their scripts are the
 * `webviews` build below. Nothing is loaded from a CDN.
 */
const media = [
  ['node_modules/uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['node_modules/uplot/dist/uPlot.min.css', 'uPlot.min.css'],
  ['node_modules/uplot/LICENSE', 'uPlot.LICENSE.txt'],
  ['client/media/trainingPanel.css', 'trainingPanel.css'],
  ['client/media/networkView.css', 'networkView.css'],
];

/**
 * The webviews' page scripts (client/src/webview/), for the browser: one iife each, in dist/media
 * under the name the panel's HTML loads. uPlot stays a separate <script> (the copied iife above,
 * declared as a global in the page script): it ships as npm publishes it, beside its licence.
 * No source map: the page's CSP would have it fetched from dist/media, and it would ship too.
 */
/** @type {import('esbuild').BuildOptions} */
const webviews = {
  entryPoints: { trainingPanel: 'client/src/webview/trainingPanel.ts', networkView: 'client/src/webview/networkView.ts' },
  outdir: 'dist/media',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: false,
  logLevel: 'warning',
};

function copyMedia() {
  fs.mkdirSync('dist/media', { recursive: true });
  for (const [from, to] of media) fs.copyFileSync(from, path.join('dist/media', to));
}

/**
 * The built-in names the TextMate grammar highlights and the snippets offer come from the engine's
 * list (server/src/engine/activations.ts): they are rewritten here, in the checked-in files, when
 * they differ, so that adding a built-in there is enough. test/unit/builtin-files.test.ts checks
 * the files against the list (a build that rewrote them leaves a diff to commit).
 */
function syncBuiltinNames() {
  const { SCALAR_FUNCTIONS, ALIASES, VECTOR_FUNCTIONS, activationNames } = /** @type {typeof import('./server/src/engine/activations')} */ (load('server/src/engine/activations.ts'));
  /** @param {{ name: string }} f */
  const withAliases = (f) => [f.name, ...Object.entries(ALIASES).filter(([, to]) => to === f.name).map(([alias]) => alias)];
  const layerActivations = SCALAR_FUNCTIONS.filter((f) => f.activation);
  const vectorActivations = VECTOR_FUNCTIONS.filter((v) => activationNames().includes(v));
  // Activations first (each with its aliases), then the other functions, as a reader scans them.
  const names = [
    ...layerActivations.flatMap(withAliases),
    ...vectorActivations,
    ...SCALAR_FUNCTIONS.filter((f) => !f.activation).flatMap(withAliases),
    ...VECTOR_FUNCTIONS.filter((v) => !vectorActivations.includes(v)),
  ];
  rewrite('syntaxes/netspec.tmLanguage.json', /("builtin": \{\s*"name": "support\.function\.activation\.netspec",\s*"match": "\\\\b\()([^)]*)(\)\\\\b")/, () => names.join('|'));
  // The network snippet's first `dense` offers every layer activation: the ones it lists keep
  // their order (the first is the default), new ones are appended, removed ones dropped.
  /** @type {string[]} */
  const layer = layerActivations.map((f) => f.name);
  rewrite('snippets/netspec.json', /(dense[^"\n]*\$\{\d+\|)([^|]*)(\|\})/, (listed) => {
    const kept = listed.split(',').filter((a) => layer.includes(a));
    return [...kept, ...layer.filter((a) => !kept.includes(a))].join(',');
  });
}

/**
 * Replaces the second group of `pattern` in `file` by `update(it)`, writing only on a change.
 * @param {string} file
 * @param {RegExp} pattern
 * @param {(listed: string) => string} update
 */
function rewrite(file, pattern, update) {
  const text = fs.readFileSync(file, 'utf8');
  const m = pattern.exec(text);
  if (!m) throw new Error(`esbuild.js: ${file} no longer has the list of built-in names this build keeps in sync (${pattern})`);
  const next = text.slice(0, m.index) + m[1] + update(m[2]) + m[3] + text.slice(m.index + m[0].length);
  JSON.parse(next);
  if (next === text) return;
  fs.writeFileSync(file, next);
  console.log(`esbuild.js: updated the built-in names in ${file} from server/src/engine/activations.ts; commit it`);
}

/**
 * docs/LANGUAGE.md as HTML for the extension's Language Reference view (client/src/docsPanel.ts),
 * where a diagnostic's code link opens it at its explanation: dist/media/language.html, the body
 * only. The Markdown's own anchors (`<a id="…">`, the ones DIAGNOSTIC_DOCS names) pass through
 * as HTML; each heading gets GitHub's id for its text, so links written for GitHub work too.
 */
async function renderDocs() {
  const { Marked } = await import('marked');
  const marked = new Marked({ gfm: true });
  const markdown = fs.readFileSync('docs/LANGUAGE.md', 'utf8');
  // An explicit anchor keeps its name; a heading of the same text (it stands right below) takes the next.
  /** @type {Map<string, number>} */
  const used = new Map([...markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => [m[1], 1]));
  /** @param {string} text */
  const slug = (text) => {
    const base = text.toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  };
  marked.use({
    renderer: {
      /** @param {{ tokens: import('marked').Token[], depth: number, text: string }} heading */
      heading({ tokens, depth, text }) {
        // `this` is marked's renderer, with its inline parser.
        const inner = this.parser.parseInline(tokens);
        return `<h${depth} id="${slug(text)}">${inner}</h${depth}>\n`;
      },
    },
  });
  const html = await marked.parse(markdown);
  fs.mkdirSync('dist/media', { recursive: true });
  fs.writeFileSync('dist/media/language.html', html);
}

/**
 * Keeps the scripts ASCII. esbuild escapes what code holds beyond ASCII (strings, names), but keeps
 * some comments as they are (σ, Σ, → in the doc comments of class members), and one such character
 * is enough for V8 to hold the whole script's source in memory at two bytes a character: 2.2 MB
 * instead of 1.1 for the server, in every process and worker that loads it. Escaping them changes
 * nothing else: they are in comments.
 * @type {import('esbuild').Plugin}
 */
const asciiOutput = {
  name: 'ascii-output',
  setup(build) {
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (!file.endsWith('.js')) continue;
        const text = fs.readFileSync(file, 'utf8');
        // eslint-disable-next-line no-control-regex
        const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        if (ascii !== text) fs.writeFileSync(file, ascii);
      }
    });
  },
};

/** The version the CLI, the server's `--version` and the exports print: package.json's. */
const VERSION_DEFINE = { NETSPEC_VERSION: JSON.stringify(JSON.parse(fs.readFileSync('package.json', 'utf8')).version) };
/** @type {import('esbuild').BuildOptions} */
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', define: VERSION_DEFINE, plugins: [asciiOutput] };

/**
 * The browser build (dist/web/): the same extension and server for hosts without Node —
 * vscode.dev, github.dev, code-server's web worker extension host, the playground. The server is
 * one self-contained script started as a Web Worker (it is also its own training worker); the
 * extension is CommonJS, as web extension hosts load it, with `vscode` from the host.
 */
/** @type {import('esbuild').BuildOptions} */
const browser = { bundle: true, platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning', define: { global: 'globalThis', ...VERSION_DEFINE }, plugins: [asciiOutput] };
/** @type {import('esbuild').BuildOptions[]} */
const web = [
  { ...browser, entryPoints: ['server/src/server/web.ts'], outfile: 'dist/web/server.js', format: 'iife' },
  // The debug adapter runs inline there (client/src/debugProbe.ts): @vscode/debugadapter's two Node imports get browser stand-ins.
  { ...browser, entryPoints: ['client/src/web/extension.ts'], outfile: 'dist/web/extension.js', format: 'cjs', external: ['vscode'], alias: { events: './client/src/web/shims/events.ts', url: './client/src/web/shims/url.ts' } },
];

async function main() {
  const watch = process.argv.includes('--watch');
  syncBuiltinNames();
  copyMedia();
  await renderDocs();
  if (watch) fs.watch('client/media', () => copyMedia());
  /** @type {import('esbuild').BuildOptions[]} */
  const builds = products.map((p) => ({
    ...common,
    entryPoints: [p.entry],
    outfile: p.out,
    external: p.external ?? [],
    banner: p.banner ? { js: p.banner } : undefined,
  }));
  builds.push(webviews, ...web);
  // ONNX Runtime loads its WebAssembly from its own folder: required from node_modules, not bundled.
  builds.push({ ...common, entryPoints: testEntries(), outdir: 'out/test', outbase: 'test', external: ['vscode', 'onnxruntime-web'] });
  // A worker thread test/unit/threads.test.ts starts: the thread pool driven hard, watched from outside.
  builds.push({ ...common, entryPoints: ['test/support/pool-stress.ts'], outfile: 'out/test/support/pool-stress.js' });
  // The extension-host suite runs inside VS Code, which provides `vscode`.
  builds.push({ ...common, entryPoints: ['test/editor/suite/index.ts'], outfile: 'out/test/editor/suite/index.js', external: ['vscode'] });
  // The web extension's suite runs in the web worker extension host: bundled for the browser.
  builds.push({ ...browser, entryPoints: ['test/editor/web/index.ts'], outfile: 'out/test/editor/web/index.js', format: 'cjs', external: ['vscode'] });
  builds.push({ ...common, entryPoints: ['test/editor/electron.ts'], outfile: 'out/test/editor/electron.js', external: ['@vscode/test-electron'] });
  for (const options of builds) {
    if (watch) await (await esbuild.context(options)).watch();
    else await esbuild.build(options);
  }
  for (const bin of ['dist/cli.js', 'dist/server.js']) if (fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
