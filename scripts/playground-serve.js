#!/usr/bin/env node
// `npm run playground:serve`: builds the playground if dist/playground/ is missing (or with
// `--build`), serves it on 127.0.0.1 and prints the URL. Any static file server does as well: the
// page needs nothing but its files, served over http (browsers start no worker from a file: page).
//
// Env: NETSPEC_PORT  the port (default 8090; 0 picks a free one)
//
// `serve(folder, port)` is the server the playground's test uses too.
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { serveFolder } = require('./static-server');

/**
 * Serves the files under `folder` on 127.0.0.1 (static-server.js); `url` ends with a slash.
 * @param {string} folder
 * @param {number} port 0 for a free one
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
async function serve(folder, port) {
  const server = await serveFolder(folder, { port });
  return { url: `${server.url}/`, close: server.close };
}

async function main() {
  const root = path.resolve(__dirname, '..');
  process.chdir(root);
  const folder = 'dist/playground';
  if (process.argv.includes('--build') || !fs.existsSync(path.join(folder, 'index.html'))) execSync('node scripts/playground.js', { stdio: 'inherit' });
  const { url } = await serve(folder, Number(process.env.NETSPEC_PORT ?? 8090));
  console.log(`NetSpec playground: ${url}  (Ctrl+C stops it)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message ?? err);
    process.exit(1);
  });
}

module.exports = { serve };
