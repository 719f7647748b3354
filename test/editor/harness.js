'use strict';
// Real-editor test harness: a real VS Code (code-server 4.139.1 = Code 1.139.1) served on
// 127.0.0.1 and driven in Debian's Chromium with playwright-core. Plain CommonJS, no build.
//
// Everything it needs lives in <repo>/.editor (made by `bash scripts/editor/install.sh`) and
// /usr/bin/chromium. Notes and gotchas: test/editor/README.md.
//
// Exports:
//   startCodeServer({ folder, extensionDir, extensionDirs, smokeTestDriver, settings, env, port,
//                     timeoutMs }) -> { url, port, stop(), dirs, logFile, logTail() }
//   runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, timeoutMs,
//                       env, settings }) -> Promise<exit code>
//   openBrowser({ headless, viewport }) -> { page, context, close(), editor: EditorPage }
//   EditorPage: openFolder(url, folder), openFile(relPath), waitForLanguageMode(name),
//               hover(word), problems(), squiggles(), runCommand(title), notifications(),
//               screenshot(path)
//   checkPrerequisites(), paths, cleanupAll()

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const { spawn } = require('child_process');

// ------------------------------------------------------------------ types
//
// playwright-core is not in node_modules: scripts/editor/install.sh installs it into
// .editor/driver (its own package.json, absent from a fresh clone), so its types are not there
// for the type check. These typedefs declare the small part of its API this file uses.
/**
 * @typedef {{ state?: 'attached' | 'detached' | 'visible' | 'hidden', timeout?: number }} WaitOptions
 * @typedef {{
 *   first(): Locator,
 *   isVisible(): Promise<boolean>,
 *   waitFor(options?: WaitOptions): Promise<void>,
 *   getAttribute(name: string): Promise<string | null>,
 *   click(): Promise<void>,
 *   dblclick(): Promise<void>,
 *   innerText(): Promise<string>,
 *   fill(value: string, options?: { timeout?: number }): Promise<void>,
 *   inputValue(): Promise<string>,
 *   count(): Promise<number>,
 * }} Locator
 * @typedef {{ type(): string, text(): string }} ConsoleMessage
 * @typedef {{
 *   goto(url: string, options?: { waitUntil?: 'load' | 'domcontentloaded', timeout?: number }): Promise<unknown>,
 *   waitForSelector(selector: string, options?: WaitOptions): Promise<unknown>,
 *   locator(selector: string, options?: { hasText?: string }): Locator,
 *   keyboard: { press(key: string): Promise<void> },
 *   mouse: { move(x: number, y: number, options?: { steps?: number }): Promise<void> },
 *   evaluate<R, Arg>(pageFunction: (arg: Arg) => R, arg: Arg): Promise<R>,
 *   $$eval<R>(selector: string, pageFunction: (elements: PageElement[]) => R): Promise<R>,
 *   exposeFunction(name: string, callback: (...args: never[]) => unknown): Promise<unknown>,
 *   screenshot(options: { path: string }): Promise<unknown>,
 *   on(event: 'console', listener: (message: ConsoleMessage) => void): unknown,
 *   on(event: 'pageerror', listener: (error: Error) => void): unknown,
 * }} Page
 * @typedef {{
 *   setDefaultTimeout(timeout: number): void,
 *   pages(): Page[],
 *   newPage(): Promise<Page>,
 *   browser(): { process?: () => { pid?: number } } | null,
 *   close(): Promise<void>,
 * }} BrowserContext
 * @typedef {{
 *   chromium: {
 *     launchPersistentContext(userDataDir: string, options: {
 *       executablePath: string, headless: boolean, args: string[], viewport: { width: number, height: number },
 *       timeout: number, acceptDownloads: boolean,
 *     }): Promise<BrowserContext>,
 *   },
 * }} Playwright
 */
// The functions page.evaluate() and page.$$eval() run in the page, in Chromium. This project is
// type-checked without the DOM library (lib ES2022), so they take `document` and `NodeFilter`
// from `globalThis` as PageGlobals, and these typedefs declare the little of the DOM they use.
/**
 * @typedef {{ left: number, top: number, width: number, height: number }} PageRect
 * @typedef {{ data: string }} PageText
 * @typedef {{
 *   getBoundingClientRect(): PageRect,
 *   querySelectorAll(selector: string): Iterable<PageElement>,
 *   getAttribute(name: string): string | null,
 *   closest(selector: string): PageElement | null,
 *   innerText: string,
 *   tagName: string,
 *   className: string,
 *   id: string,
 * }} PageElement
 * @typedef {{
 *   document: {
 *     activeElement: PageElement | null,
 *     querySelector(selector: string): PageElement | null,
 *     createTreeWalker(root: PageElement, whatToShow: number): { nextNode(): PageText | null },
 *     createRange(): { setStart(node: PageText, offset: number): void, setEnd(node: PageText, offset: number): void, getBoundingClientRect(): PageRect },
 *   },
 *   NodeFilter: { SHOW_TEXT: number },
 * }} PageGlobals
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const EDITOR_DIR = process.env.EDITOR_DIR ? path.resolve(process.env.EDITOR_DIR) : path.join(REPO_ROOT, '.editor');
const CODE_SERVER_VERSION = '4.139.1';
const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts/editor/install.sh');
const INSTALL_HINT = `bash ${path.resolve(process.cwd()) === REPO_ROOT ? 'scripts/editor/install.sh' : INSTALL_SCRIPT}`;

const paths = {
  editorDir: EDITOR_DIR,
  node24: path.join(EDITOR_DIR, 'node24/node_modules/node/bin/node'),
  codeServerEntry: path.join(EDITOR_DIR, 'code-server/node_modules/code-server/out/node/entry.js'),
  codeServerPkg: path.join(EDITOR_DIR, 'code-server/node_modules/code-server/package.json'),
  playwrightCore: path.join(EDITOR_DIR, 'driver/node_modules/playwright-core'),
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
};

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--no-default-browser-check', '--password-store=basic', '--use-mock-keychain',
];

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.hover.delay': 200,
  'window.restoreWindows': 'none',
  'explorer.compactFolders': false, // one Explorer row per folder, so openFile() can walk a path
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.editor.enablePreview': false,
};

// ------------------------------------------------------------------ prerequisites

/** Throws an Error that says exactly what to run when something is missing. */
function checkPrerequisites({ browser = true, codeServer = true } = {}) {
  const problems = [];
  if (codeServer) {
    if (!fs.existsSync(EDITOR_DIR)) {
      problems.push(`${EDITOR_DIR} is missing: run \`${INSTALL_HINT}\` (installs Node 24, code-server ${CODE_SERVER_VERSION}, playwright-core into .editor/).`);
    } else {
      if (!isExecutable(paths.node24)) problems.push(`Node 24 missing at ${paths.node24}: run \`${INSTALL_HINT}\`.`);
      if (!fs.existsSync(paths.codeServerEntry)) problems.push(`code-server missing at ${paths.codeServerEntry}: run \`${INSTALL_HINT}\`.`);
      else {
        const v = readJson(paths.codeServerPkg).version;
        if (v !== CODE_SERVER_VERSION) problems.push(`code-server is ${v}, want ${CODE_SERVER_VERSION}: run \`${INSTALL_HINT}\`.`);
      }
    }
  }
  if (browser) {
    if (!fs.existsSync(path.join(paths.playwrightCore, 'package.json'))) problems.push(`playwright-core missing at ${paths.playwrightCore}: run \`${INSTALL_HINT}\`.`);
    if (!isExecutable(paths.chromium)) problems.push(`Chromium missing at ${paths.chromium}: run \`apt-get install -y chromium\` (or \`${INSTALL_HINT}\`, which does it).`);
  }
  if (problems.length) {
    const err = /** @type {Error & { code?: string }} */ (new Error('Real-editor test prerequisites missing:\n  - ' + problems.join('\n  - ')));
    err.code = 'EDITOR_PREREQ_MISSING';
    throw err;
  }
}

/** @param {string} p */
function isExecutable(p) { try { fs.accessSync(p, fs.constants.X_OK); return true; } catch { return false; } }
/** @param {string} p */
function readJson(p) { return JSON.parse(fs.readFileSync(p, 'utf8')); }

/** @type {Playwright | undefined} */
let _pw;
/** @returns {Playwright} */
function playwright() {
  if (!_pw) {
    checkPrerequisites({ codeServer: false });
    _pw = /** @type {Playwright} */ (require(paths.playwrightCore)); // absolute path into .editor/driver
  }
  return _pw;
}

// ------------------------------------------------------------------ process bookkeeping

/**
 * Something this module started (a code-server, a browser).
 * @typedef {{ killSync(): void, stop(): Promise<void> }} Tracked
 */
/** @type {Set<Tracked>} */
const live = new Set(); // everything we started: cleaned on exit/signals
let hooksInstalled = false;
/**
 * @param {Tracked} item
 * @returns {() => boolean} untrack
 */
function track(item) {
  live.add(item);
  if (!hooksInstalled) {
    hooksInstalled = true;
    // Best effort, one item at a time: a failure to kill one must not spare the others.
    process.on('exit', () => { for (const it of live) { try { it.killSync(); } catch { /* best effort */ } } });
    for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
      process.once(sig, () => { for (const it of live) { try { it.killSync(); } catch { /* best effort */ } } process.exit(128 + (os.constants.signals[sig] || 1)); });
    }
  }
  return () => live.delete(item);
}

/** Kill everything this module started (code-servers, browsers). */
async function cleanupAll() {
  await Promise.allSettled([...live].map((it) => it.stop()));
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let t;
  return Promise.race([
    promise,
    /** @type {Promise<never>} */ (new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`Timed out after ${ms} ms: ${what}`)), ms); })),
  ]).finally(() => clearTimeout(t));
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = /** @type {import('net').AddressInfo} */ (srv.address()); srv.close(() => resolve(port)); });
  });
}

/**
 * @param {string} url
 * @param {number} ms
 * @returns {Promise<{ status: number | undefined, body: string }>}
 */
function httpGet(url, ms) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: ms }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// Environment for code-server: drop anything that would make it act as a CLI of another
// instance (VSCODE_IPC_HOOK_CLI), change its port (PORT) or auth, or leak the parent's editor.
/**
 * @template {Record<string, string>} T
 * @param {T} extra
 * @returns {NodeJS.ProcessEnv & T}
 */
function cleanEnv(extra) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_|CS_|PLAYWRIGHT_)/.test(k)) continue;
    if (['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN', 'NODE_OPTIONS', 'npm_config_nodedir'].includes(k)) continue;
    if (/^npm_/.test(k)) continue;
    env[k] = v;
  }
  return Object.assign(env, extra);
}

// ------------------------------------------------------------------ code-server

/** The VS Code version code-server bundles (1.139.1 for code-server 4.139.1). */
function codeVersion() {
  try { return readJson(path.join(path.dirname(paths.codeServerPkg), 'lib/vscode/package.json')).version; } catch { return undefined; }
}

/**
 * VS Code skips an extension whose engines.vscode wants a newer editor, silently (it is just
 * not loaded: no error reaches the test log, the language stays 'Plain Text'). Catch it early.
 */
/** @param {string} extensionDir */
function checkEngine(extensionDir) {
  const m = readJson(path.join(extensionDir, 'package.json'));
  const want = m.engines && m.engines.vscode;
  if (!want) throw new Error(`${extensionDir}/package.json has no engines.vscode; VS Code will not load it`);
  const have = codeVersion();
  const min = /(\d+)\.(\d+)\.(\d+)/.exec(want);
  if (!have || !min || want.trim() === '*') return;
  const cmp = (/** @type {number[]} */ a, /** @type {number[]} */ b) => { for (let i = 0; i < 3; i++) { if (a[i] !== b[i]) return a[i] - b[i]; } return 0; };
  const h = have.split('.').map(Number);
  const w = min.slice(1, 4).map(Number);
  if (cmp(w, h) > 0) {
    throw new Error(`${m.publisher}.${m.name} wants engines.vscode ${JSON.stringify(want)} but code-server bundles VS Code ${have}; ` +
      `it would be skipped silently. Lower engines.vscode (e.g. "^1.90.0") or move the harness to a newer code-server.`);
  }
}

/** @param {string} extensionDir */
function extensionFolderName(extensionDir) {
  const pj = path.join(extensionDir, 'package.json');
  if (!fs.existsSync(pj)) throw new Error(`Extension folder ${extensionDir} has no package.json`);
  const m = readJson(pj);
  for (const k of ['publisher', 'name', 'version']) {
    if (!m[k]) throw new Error(`${pj} lacks "${k}" (needed to install it as <publisher>.<name>-<version>)`);
  }
  return `${m.publisher}.${m.name}-${m.version}`.toLowerCase();
}

/**
 * Start an isolated code-server on 127.0.0.1:<free port>.
 * @param {object} [o]
 * @param {string} [o.folder]          folder to open by default (absolute)
 * @param {string} [o.extensionDir]    built extension folder to install (symlinked)
 * @param {string[]} [o.extensionDirs] more of them
 * @param {boolean} [o.smokeTestDriver] pass --vscode-option enable-smoke-test-driver (needed by runExtensionTests)
 * @param {Record<string, unknown>} [o.settings] merged over DEFAULT_SETTINGS into User/settings.json
 * @param {Record<string, string>} [o.env] extra environment for code-server (and so the extension host)
 * @param {number} [o.port]            port to listen on (default: a free one)
 * @param {number} [o.timeoutMs=30000] how long to wait for /healthz
 * @param {boolean} [o.keepTemp]       keep the temp folder after stop() (also: EDITOR_KEEP_TEMP=1)
 * @param {boolean} [o.workspaceTrust]  keep VS Code's workspace trust on (off by default, so tests
 *                                     need not answer its prompt); a new folder starts untrusted
 * @param {number} [o.idleTimeoutSeconds=300] code-server exits by itself after this long without a
 *                                     connected browser (guards against orphans); 0 = never
 */
async function startCodeServer(o = {}) {
  checkPrerequisites({ browser: false });
  const timeoutMs = o.timeoutMs || 30000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-editor-'));
  const dirs = {
    root,
    home: path.join(root, 'home'),
    config: path.join(root, 'xdg-config'),
    data: path.join(root, 'xdg-data'),
    cache: path.join(root, 'xdg-cache'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const configFile = path.join(root, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(Object.assign({}, DEFAULT_SETTINGS, o.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {}, o.settings || {}), null, 2));

  const extDirs = /** @type {string[]} */ ([]).concat(o.extensionDir || [], o.extensionDirs || []);
  for (const ext of extDirs) {
    const abs = path.resolve(ext);
    checkEngine(abs);
    fs.symlinkSync(abs, path.join(dirs.extensions, extensionFolderName(abs)), 'dir');
  }

  const port = o.port || await freePort();
  const args = [
    paths.codeServerEntry,
    '--config', configFile,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry', '--disable-update-check',
    ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
  // safety net: if this process dies hard, the orphaned server stops itself once no browser
  // has been connected for this long (0 turns it off)
  const idle = o.idleTimeoutSeconds === undefined ? 300 : o.idleTimeoutSeconds;
  if (idle) args.push('--idle-timeout-seconds', String(Math.max(61, idle)));
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (o.folder) args.push(path.resolve(o.folder));

  const logFile = path.join(root, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const env = cleanEnv(Object.assign({
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: path.join(root, 'xdg-runtime'),
    TMPDIR: os.tmpdir(),
    // Don't let code-server try to open a browser or an app of its own
    BROWSER: 'true',
  }, o.env || {}));
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });

  // detached: own process group, so stop() can end the server and the extension host,
  // pty host, language servers... it started, by that group's id.
  const child = spawn(paths.node24, args, { cwd: dirs.home, env, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const pid = child.pid;
  let exited = false;
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  let exitInfo = null;
  const exitPromise = new Promise((r) => child.once('exit', (code, signal) => { exited = true; exitInfo = { code, signal }; r(exitInfo); }));

  const logTail = (n = 40) => {
    try { return fs.readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
  };
  const keep = o.keepTemp || process.env.EDITOR_KEEP_TEMP === '1';
  const killGroup = (/** @type {NodeJS.Signals} */ sig) => {
    if (pid === undefined) return; // never started: nothing to kill
    try { process.kill(-pid, sig); } catch { /* the group is gone already */ }
  };
  /** @type {Promise<void> | null} */
  let stopped = null;
  const removeTemp = () => { if (!keep) { try { fs.rmSync(root, { recursive: true, force: true }); } catch { /* a leftover temp folder is harmless */ } } };
  /** @type {Tracked} */
  const item = {
    // On a signal or at exit there is no time for stop()'s grace period: kill the group and
    // remove the session's folder synchronously (else every Ctrl+C or SIGTERM left one behind).
    killSync() { killGroup('SIGKILL'); removeTemp(); },
    stop() {
      if (stopped) return stopped;
      stopped = (async () => {
        untrack();
        if (!exited) {
          killGroup('SIGTERM');
          await Promise.race([exitPromise, sleep(3000)]);
        }
        killGroup('SIGKILL'); // stragglers of the group (extension host, language servers)
        removeTemp();
      })();
      return stopped;
    },
  };
  const untrack = track(item);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const tail = logTail();
      await item.stop();
      throw new Error(`code-server exited early (${JSON.stringify(exitInfo)}). Log tail:\n${tail}`);
    }
    try {
      const res = await httpGet(`${url}/healthz`, 1000);
      if (res.status === 200) break;
    } catch {
      // not listening yet: try again until the deadline
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await item.stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms. Log tail:\n${tail}`);
    }
    await sleep(150);
  }

  return { url, port, pid, dirs, logFile, logTail, folder: o.folder && path.resolve(o.folder), stop: () => item.stop() };
}

// ------------------------------------------------------------------ browser

/**
 * Launch Debian's Chromium (headless, fresh profile) through playwright-core.
 * @param {{ headless?: boolean, viewport?: { width: number, height: number }, defaultTimeoutMs?: number }} [o]
 * @returns {Promise<{ context: BrowserContext, page: Page, pageLog: string[], editor: EditorPage, close(): Promise<void> }>}
 */
async function openBrowser(o = {}) {
  const { chromium } = playwright();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-chromium-'));
  const context = await withTimeout(chromium.launchPersistentContext(profile, {
    executablePath: paths.chromium,
    headless: o.headless !== false,
    args: CHROMIUM_ARGS,
    viewport: o.viewport || { width: 1400, height: 900 },
    timeout: 30000,
    acceptDownloads: false,
  }), 45000, 'launching chromium');
  context.setDefaultTimeout(o.defaultTimeoutMs || 20000);
  const page = context.pages()[0] || await context.newPage();
  /** @type {string[]} */
  const pageLog = [];
  page.on('console', (m) => { pageLog.push(`[${m.type()}] ${m.text()}`); if (pageLog.length > 2000) pageLog.shift(); });
  page.on('pageerror', (e) => pageLog.push(`[pageerror] ${e.message}`));
  const browserPid = (() => {
    try {
      const browser = context.browser();
      return browser && browser.process && browser.process().pid;
    } catch {
      return undefined; // no pid to kill: close() is all there is
    }
  })();
  /** @type {Promise<void> | null} */
  let closed = null;
  /** @type {Tracked} */
  const item = {
    killSync() { if (browserPid) { try { process.kill(browserPid, 'SIGKILL'); } catch { /* the browser is gone already */ } } },
    stop() {
      if (closed) return closed;
      closed = (async () => {
        untrack();
        await withTimeout(context.close(), 10000, 'closing chromium').catch(() => item.killSync());
        try { fs.rmSync(profile, { recursive: true, force: true }); } catch { /* a leftover temp profile is harmless */ }
      })();
      return closed;
    },
  };
  const untrack = track(item);
  return { context, page, pageLog, editor: new EditorPage(page), close: () => item.stop() };
}

// ------------------------------------------------------------------ UI helpers

const SEL = {
  workbench: '.monaco-workbench',
  explorer: '.explorer-folders-view',
  languageMode: '[id="status.editor.mode"]',
  activeEditor: '.editor-group-container.active .monaco-editor[data-uri]',
  hover: '.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents',
  markersPanel: '.markers-panel',
  toast: '.notification-toast',
};

class EditorPage {
  /** @param {Page} page */
  constructor(page) { this.page = page; }

  /**
   * Open code-server at url with folder (absolute) and wait for the workbench.
   * @param {string} url
   * @param {string | undefined} folder
   */
  async openFolder(url, folder, { timeoutMs = 30000 } = {}) {
    const u = folder ? `${url}/?folder=${encodeURIComponent(path.resolve(folder))}` : `${url}/?ew=true`;
    await this.page.goto(u, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    await this.page.waitForSelector(SEL.workbench, { timeout: timeoutMs });
    if (folder) await this.page.waitForSelector(`${SEL.explorer} .monaco-list-row`, { timeout: timeoutMs });
  }

  /**
   * Open a file from the Explorer by its path relative to the workspace folder ('a/b.demo').
   * @param {string} relPath
   */
  async openFile(relPath, { timeoutMs = 15000 } = {}) {
    const page = this.page;
    const segs = relPath.split(/[\\/]+/).filter(Boolean);
    // make sure the Explorer is visible
    if (!(await page.locator(SEL.explorer).isVisible().catch(() => false))) {
      await page.keyboard.press('Control+Shift+E');
      await page.waitForSelector(SEL.explorer, { timeout: timeoutMs });
    }
    for (let i = 0; i < segs.length; i++) {
      // explorer rows: role=treeitem, aria-label=<name>, aria-level=<depth from 1>
      const row = page.locator(`${SEL.explorer} .monaco-list-row[aria-label=${JSON.stringify(segs[i])}][aria-level="${i + 1}"]`).first();
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
      const last = i === segs.length - 1;
      if (!last) {
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
        continue;
      }
      await row.dblclick(); // double click: a pinned (non-preview) editor
    }
    const name = segs[segs.length - 1];
    // the tab's label is split (label-name 'sample' + label-suffix '.demo'); use its attributes
    await page.locator(`.tabs-container .tab.active[data-resource-name=${JSON.stringify(name)}]`).first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator(`.editor-group-container.active .monaco-editor[data-uri$=${JSON.stringify('/' + segs.map(encodeURIComponent).join('/'))}] .view-lines`)
      .first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Click an editor's tab, then wait until its text has the focus. The workbench moves the focus
   * there a moment after the click: a key pressed sooner (F1) opens a palette that the focus then
   * leaves, and the palette hides.
   * @param {string} name the file's name, as its tab shows it
   */
  async clickTab(name, { timeoutMs = 10000 } = {}) {
    const page = this.page;
    await page.locator(`.tabs-container .tab[data-resource-name=${JSON.stringify(name)}]`).first().click();
    await page.locator(`.editor-group-container.active .monaco-editor.focused[data-uri$=${JSON.stringify('/' + encodeURIComponent(name))}]`)
      .first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Text of the status bar's language mode ('Plain Text' until the extension's language shows). */
  async languageMode() {
    return ((await this.page.locator(SEL.languageMode).first().innerText().catch(() => '')) || '').trim();
  }

  /**
   * Wait until the status bar's language mode reads `name` (e.g. 'Demo').
   * @param {string} name
   */
  async waitForLanguageMode(name, { timeoutMs = 20000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.languageMode();
      if (last === name) return last;
      await sleep(150);
    }
    throw new Error(`language mode did not become '${name}' within ${timeoutMs} ms (status bar shows '${last}')`);
  }

  /**
   * Move the mouse over the first occurrence of `word` in the active editor; return the hover text.
   * @param {string} word
   */
  async hover(word, { timeoutMs = 15000, occurrence = 0 } = {}) {
    const page = this.page;
    const deadline = Date.now() + timeoutMs;
    let lastErr;
    while (Date.now() < deadline) {
      const box = await page.evaluate(({ sel, word, occurrence }) => {
        // Runs in the page: the browser's own document and NodeFilter (see PageGlobals).
        const { document, NodeFilter } = /** @type {PageGlobals} */ (/** @type {unknown} */ (globalThis));
        const ed = document.querySelector(sel);
        if (!ed) return null;
        const lines = [...ed.querySelectorAll('.view-lines .view-line')]
          .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        let seen = 0;
        for (const line of lines) {
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
          let full = '';
          /** @type {[PageText, number][]} */
          const nodes = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, full.length]); full += n.data.replace(/\u00a0/g, ' '); }
          let idx = -1;
          const re = new RegExp(`(^|[^A-Za-z0-9_])(${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?=$|[^A-Za-z0-9_])`, 'g');
          let m;
          while ((m = re.exec(full))) { if (seen++ === occurrence) { idx = m.index + m[1].length; break; } }
          if (idx < 0) continue;
          // position of the middle character of the word
          const mid = idx + Math.floor(word.length / 2);
          for (const [n, start] of nodes) {
            if (mid >= start && mid < start + n.data.length) {
              const r = document.createRange();
              r.setStart(n, mid - start); r.setEnd(n, mid - start + 1);
              const b = r.getBoundingClientRect();
              return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
            }
          }
        }
        return null;
      }, { sel: SEL.activeEditor, word, occurrence });
      if (!box) { lastErr = `'${word}' not visible in the active editor`; await sleep(200); continue; }
      // Leave the editor and come back: the hover only re-triggers on a new word, and the first
      // try often comes before the extension has registered its provider (the status bar shows
      // the language as soon as it is contributed, before activation finishes).
      await page.mouse.move(1, 1);
      await sleep(50);
      await page.mouse.move(box.x, box.y, { steps: 3 });
      const hover = page.locator(SEL.hover).first();
      try {
        await hover.waitFor({ state: 'visible', timeout: Math.min(1500, Math.max(500, deadline - Date.now())) });
        // let async providers fill in ("Loading..." first)
        let text = '';
        for (let i = 0; i < 20; i++) {
          text = (await hover.innerText()).trim();
          if (text && !/^Loading\.\.\.$/i.test(text)) break;
          await sleep(150);
        }
        return text;
      } catch (e) {
        const err = /** @type {Error} */ (e); // playwright throws Errors (here, most often a TimeoutError)
        lastErr = err.message;
        if (process.env.EDITOR_DEBUG) console.error(`[harness] hover attempt for ${word}: ${err.message.split("\n")[0]}`);
      }
    }
    throw new Error(`no hover for '${word}' within ${timeoutMs} ms: ${lastErr}`);
  }

  /**
   * Count of squiggles in the active editor.
   * @param {'error' | 'warning' | 'info'} [kind]
   */
  async squiggles(kind = 'error') {
    return this.page.locator(`${SEL.activeEditor} .squiggly-${kind}`).count();
  }

  /** Open the Problems panel (Ctrl+Shift+M) and return its rows' texts. */
  async problems({ timeoutMs = 10000, minCount = 0 } = {}) {
    const page = this.page;
    if (!(await page.locator(SEL.markersPanel).isVisible().catch(() => false))) {
      await page.keyboard.press('Control+Shift+M');
      await page.waitForSelector(SEL.markersPanel, { state: 'visible', timeout: timeoutMs });
    }
    const deadline = Date.now() + timeoutMs;
    /** @type {string[]} */
    let rows;
    do {
      rows = await page.$$eval(`${SEL.markersPanel} .monaco-list-row`, (els) =>
        els.map((e) => (e.getAttribute('aria-label') || e.innerText || '').replace(/\s+/g, ' ').trim()));
      if (rows.length >= minCount) break;
      await sleep(200);
    } while (Date.now() < deadline);
    return rows;
  }

  /**
   * Run a command by its title through F1 (the command palette). The palette hides when it loses
   * the focus; if it does before the command runs, the log says what holds the focus and it is
   * opened again (at most three times).
   * @param {string} title
   */
  async runCommand(title, { timeoutMs = 10000 } = {}) {
    const page = this.page;
    const input = page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
      try {
        await page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: timeoutMs });
        await input.fill('>' + title, { timeout: timeoutMs });
        const item = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
        await item.waitFor({ state: 'visible', timeout: timeoutMs });
        await page.keyboard.press('Enter');
        return;
      } catch (err) {
        if (attempt === 3) throw err;
        const focus = await page.evaluate(() => {
          const { document } = /** @type {PageGlobals} */ (/** @type {unknown} */ (globalThis));
          const e = document.activeElement;
          if (!e) return 'nothing';
          const part = e.closest('[id^="workbench.parts."]');
          const label = e.getAttribute('aria-label');
          return `<${e.tagName.toLowerCase()} class="${e.className}"${label ? ` aria-label="${label}"` : ''}> in ${part ? part.id : 'the page'}`;
        }, undefined).catch(() => 'unknown');
        if (await input.isVisible().catch(() => false)) {
          // The palette is open but the row did not show: under load the typed text can land
          // before the palette has read its list of commands (no rows), or be cut short. Close it
          // and type the title afresh. Rows for the whole title but none of them the command:
          // there is no such command here, and typing it again would not change that.
          const typed = await input.inputValue().catch(() => '?');
          const rows = await page.locator('.quick-input-widget .monaco-list-row').count().catch(() => -1);
          if (rows > 0 && typed === '>' + title) throw err;
          console.log(`runCommand(${JSON.stringify(title)}): the palette shows ${rows} rows for ${JSON.stringify(typed)}, none of them the command; the focus is on ${focus}. Typing it again.`);
          await page.keyboard.press('Escape');
          await input.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
        } else {
          console.log(`runCommand(${JSON.stringify(title)}): the palette closed before the command ran; the focus is on ${focus}. Opening it again.`);
        }
      }
    }
  }

  /** Texts of the visible notification toasts. */
  async notifications() {
    await sleep(700); // toasts fade in
    return this.page.$$eval(SEL.toast, (els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  }

  /** @param {string} file */
  async screenshot(file) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }
}

// ------------------------------------------------------------------ extension-host tests

/**
 * Run an extension-host test module (the same kind @vscode/test-electron runs: it exports
 * run(): Promise<void>) inside code-server, through the smoke-test driver.
 * Resolves with the exit code (0 = passed). Logs from the extension host go to stdout.
 * @param {object} o
 * @param {string} o.extensionDevelopmentPath  absolute folder of the extension (package.json)
 * @param {string} o.extensionTestsPath        absolute path of the test module (file or folder with index.js)
 * @param {string} [o.folder]                  workspace folder to open
 * @param {number} [o.timeoutMs=120000]
 * @param {Record<string, string>} [o.env]    extra environment for code-server / the extension host
 * @param {Record<string, unknown>} [o.settings]
 * @param {(line:string)=>void} [o.log]        where logs go (default: stdout)
 * @param {boolean} [o.keepTemp]               keep code-server's temp folder (see startCodeServer)
 * @param {boolean} [o.headless]               false shows the browser (see openBrowser)
 * @param {boolean} [o.verbose]                every window log line (also: EDITOR_VERBOSE=1)
 * @param {'web'} [o.extensionKind]            'web': run the extension and the tests in the web worker
 *                                             extension host (the tests bundled for the browser)
 * @returns {Promise<number>}
 */
async function runExtensionTests(o) {
  if (!o || !o.extensionDevelopmentPath || !o.extensionTestsPath) throw new Error('runExtensionTests needs extensionDevelopmentPath and extensionTestsPath');
  checkPrerequisites();
  const timeoutMs = o.timeoutMs || 120000;
  const log = o.log || ((s) => process.stdout.write(s + '\n'));
  const devPath = path.resolve(o.extensionDevelopmentPath);
  const testsPath = path.resolve(o.extensionTestsPath);
  if (!fs.existsSync(path.join(devPath, 'package.json'))) throw new Error(`extensionDevelopmentPath ${devPath} has no package.json`);
  if (!fs.existsSync(testsPath) && !fs.existsSync(testsPath + '.js')) throw new Error(`extensionTestsPath ${testsPath} does not exist`);
  checkEngine(devPath);

  const server = await startCodeServer({ folder: o.folder, smokeTestDriver: true, env: o.env, settings: o.settings, keepTemp: o.keepTemp });
  /** @type {Awaited<ReturnType<typeof openBrowser>> | undefined} */
  let browser;
  try {
    browser = await openBrowser({ headless: o.headless });
    const { page, pageLog } = browser;
    /** @type {(code: number) => void} */
    let resolveExit;
    /** @type {Promise<number>} */
    const exited = new Promise((r) => { resolveExit = r; });
    const verbose = o.verbose || process.env.EDITOR_VERBOSE === '1';
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown} */ args) => {
      const parts = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : safeJson(a)));
      const text = parts.join(' ');
      if (!verbose && KNOWN_NOISE.some((re) => re.test(text))) return;
      log(type === 'error' || type === 'warn' ? `[${type}] ${text}` : text);
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {unknown} */ code) => { resolveExit(typeof code === 'number' ? code : Number(code) || 0); });

    const authority = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${toUriPath(devPath)}`],
      ['extensionTestsPath', `vscode-remote://${authority}${toUriPath(testsPath)}`],
      ...(o.extensionKind === 'web' ? [['extensionDevelopmentKind', 'web']] : []),
    ];
    const q = [];
    if (o.folder) q.push(`folder=${encodeURIComponent(path.resolve(o.folder))}`);
    else q.push('ew=true');
    q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.goto(`${server.url}/?${q.join('&')}`, { waitUntil: 'domcontentloaded', timeout: 30000 });

    const code = await withTimeout(exited, timeoutMs, `extension tests ${testsPath} (no codeAutomationExit)`).catch(async (e) => {
      const shot = path.join(os.tmpdir(), `netspec-exthost-timeout-${Date.now()}.png`);
      await page.screenshot({ path: shot }).catch(() => {});
      e.message += `\nscreenshot: ${shot}\ncode-server log tail:\n${server.logTail(30)}\npage console tail:\n${pageLog.slice(-30).join('\n')}`;
      throw e;
    });
    return code;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop().catch(() => {});
  }
}

// Window log lines that every offline code-server run prints; hidden unless verbose / EDITOR_VERBOSE=1.
const KNOWN_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\] registered/,
  /^\[AgentHost:remote\]/,
  /^\[AccountPolicyGate\]/,
  /ENOTFOUND open-vsx\.org/,
  /Timed out waiting for authentication provider 'github'/,
  /^Creation of workbench contribution '.*' took \d+ms/,
];

/** @param {string} p */
function toUriPath(p) { return p.split(path.sep).map(encodeURIComponent).join('/'); }
/** @param {unknown} v */
function safeJson(v) { try { return JSON.stringify(v); } catch { return String(v); } }

module.exports = {
  paths,
  CODE_SERVER_VERSION,
  DEFAULT_SETTINGS,
  CHROMIUM_ARGS,
  checkPrerequisites,
  startCodeServer,
  openBrowser,
  runExtensionTests,
  EditorPage,
  cleanupAll,
  extensionFolderName,
  codeVersion,
  checkEngine,
};
