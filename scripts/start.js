#!/usr/bin/env node
// `npm start`: from a fresh clone to NetSpec in a real VS Code in the browser. Installs what is
// missing (npm packages; Node 24, code-server and, with apt, chromium into .editor/), builds the
// extension, starts code-server on 127.0.0.1 with the extension installed and examples/ open,
// and prints the URL. Ctrl+C stops it. NETSPEC_PORT chooses the port (default 8080).
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.chdir(root);
const sh = (/** @type {string} */ cmd) => execSync(cmd, { stdio: 'inherit' });

async function main() {
  if (!fs.existsSync('node_modules/.package-lock.json')) sh('npm ci --no-audit --no-fund');
  sh('bash scripts/editor/install.sh');
  sh('node esbuild.js');
  const harness = require(path.join(root, 'test', 'editor', 'harness.js'));
  const folder = path.join(root, 'examples');
  const port = Number(process.env.NETSPEC_PORT || 8080);
  const server = await harness.startCodeServer({ folder, extensionDir: root, port, idleTimeoutSeconds: 0, timeoutMs: 60000 });
  const url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(folder)}`;
  console.log(`\nNetSpec is running in VS Code (code-server) at:\n\n  ${url}\n\nOpen a .netspec file, hover an activation or a layer. Press Ctrl+C to stop.\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {});
}

main().catch((err) => {
  console.error(`npm start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
