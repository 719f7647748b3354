#!/usr/bin/env node
// `npm start`: from a fresh clone to NetSpec in a real VS Code in the browser. Installs what is
// missing (npm packages; Node 24, code-server and, with apt, chromium into .editor/), builds the
// extension, starts code-server on 127.0.0.1 with the extension installed and a scratch copy of
// examples/ open, and prints the URL. Ctrl+C (SIGINT) or SIGTERM stops it and removes the
// session's temporary folder (code-server's settings, logs and extension link).
//
// The scratch copy is .scratch/ at the repository's root (git ignores it), so trying things never
// changes the clone's own examples. It is kept between runs, so your files stay; an example
// missing from it is copied in again at start, and deleting the folder starts afresh.
//
// Env: NETSPEC_PORT       the port (default 8080)
//      NETSPEC_SCRATCH    another folder for the scratch copy
//      NETSPEC_NO_SETUP=1 skip the installer and the build (they have run already)
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.chdir(root);
const sh = (/** @type {string} */ cmd) => execSync(cmd, { stdio: 'inherit' });

/**
 * The folder VS Code opens: `scratch`, with every file of examples/ it does not have yet.
 * @param {string} scratch
 */
function scratchCopy(scratch) {
  const examples = path.join(root, 'examples');
  fs.mkdirSync(scratch, { recursive: true });
  for (const f of fs.readdirSync(examples)) {
    const to = path.join(scratch, f);
    if (!fs.existsSync(to) && fs.statSync(path.join(examples, f)).isFile()) fs.copyFileSync(path.join(examples, f), to);
  }
  return scratch;
}

async function main() {
  if (!fs.existsSync('node_modules/.package-lock.json')) sh('npm ci --no-audit --no-fund');
  if (process.env.NETSPEC_NO_SETUP !== '1') {
    sh('bash scripts/editor/install.sh');
    sh('node esbuild.js');
  }
  const harness = require(path.join(root, 'test', 'editor', 'harness.js'));
  const folder = scratchCopy(path.resolve(process.env.NETSPEC_SCRATCH || path.join(root, '.scratch')));
  const port = Number(process.env.NETSPEC_PORT || 8080);
  // The harness removes the session's temporary folder when the server stops, and on SIGINT,
  // SIGTERM, SIGHUP or exit kills the server's process group and removes it too.
  const server = await harness.startCodeServer({ folder, extensionDir: root, port, idleTimeoutSeconds: 0, timeoutMs: 60000 });
  const url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(folder)}`;
  console.log(`\nNetSpec is running in VS Code (code-server) at:\n\n  ${url}\n\n` +
    `The folder open there is a scratch copy of the examples: ${folder}\n` +
    `(your changes stay there; the clone's examples/ is never touched).\n` +
    `Open a .netspec file, hover an activation or a layer. Press Ctrl+C to stop.\n` +
    `This session's temporary files, removed when it stops: ${server.dirs.root}\n`);
  await new Promise(() => {});
}

main().catch((err) => {
  console.error(`npm start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
