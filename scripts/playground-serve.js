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
const http = require('http');
const path = require('path');

/** Content types by extension: .wasm must be application/wasm for streaming compilation, .js a script type for workers and modules. */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * Serves the files under `folder` (GET and HEAD only, nothing outside it) on 127.0.0.1.
 * @param {string} folder
 * @param {number} port 0 for a free one
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
function serve(folder, port) {
  const base = path.resolve(folder);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, '.' + rel);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[/** @type {keyof TYPES} */ (path.extname(file))] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
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
