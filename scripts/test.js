#!/usr/bin/env node
// The whole test suite, from a fresh clone: installs what it needs if it is missing, builds,
// type-checks, then runs every test file under out/test with Node's test runner.
// `--update-golden` rewrites the expected outputs of the golden tests (review the diff!).
const { execSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.chdir(root);
const sh = (/** @type {string} */ cmd) => execSync(cmd, { stdio: 'inherit' });

if (!fs.existsSync('node_modules/.package-lock.json')) sh('npm ci --no-audit --no-fund');
// Oracles (PyTorch, mpmath) and the real editor (code-server, Chromium); NETSPEC_NO_SETUP=1 skips
// this, and then a test whose tool is missing fails with what to install.
if (process.env.NETSPEC_NO_SETUP !== '1') sh('bash scripts/setup.sh');
sh('node esbuild.js');
// The playground page (dist/playground/), which test/playground opens in Chromium.
sh('node scripts/playground.js --no-build');
// Three projects: Node (server, client, tests), and the browser code of the webviews and of the
// playground page (DOM, no Node).
sh('npx tsc --noEmit -p .');
sh('npx tsc --noEmit -p client/src/webview');
sh('npx tsc --noEmit -p client/src/playground');

/** @type {string[]} */
const files = [];
const walk = (/** @type {string} */ dir) => {
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.js')) files.push(full);
  }
};
walk('out/test');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
// `node --test` with no file runs whatever it finds under the current folder: a filter that
// matches nothing would start a different, much longer run than the one asked for.
const unmatched = only.filter((o) => !files.some((f) => f.includes(o)));
if (unmatched.length) {
  console.error(`scripts/test.js: no test file under out/test matches ${unmatched.map((o) => JSON.stringify(o)).join(', ')}`);
  process.exit(2);
}

const env = { ...process.env };
if (process.argv.includes('--update-golden')) env.NETSPEC_UPDATE_GOLDEN = '1';
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
