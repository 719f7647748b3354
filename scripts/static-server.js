'use strict';
// A static file server on 127.0.0.1 for the pages Chromium opens outside VS Code (the playground
// behind `npm run playground:serve`, its test, the browser bench, the browser training test): a
// Web Worker cannot start from a file:// page, and the WebAssembly kernel wants `.wasm` as
// application/wasm. Serves one folder, nothing outside it, GET and HEAD only. Plain CommonJS so
// that scripts/, bench/ (plain JavaScript) and the tests share it.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.csv': 'text/csv; charset=utf-8',
  '.netspec': 'text/plain; charset=utf-8',
};

/**
 * Serves `folder` on 127.0.0.1 (a free port unless `port` is given) until `close()`, and `pages`
 * (HTML held in memory, by absolute path such as '/bench.html') before any file of the folder.
 * `url` has no trailing slash: a file is at `${url}/relative/path`.
 * @param {string} folder
 * @param {{ port?: number, pages?: Record<string, string> }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
async function serveFolder(folder, options = {}) {
  const root = path.resolve(folder);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    const page = options.pages?.[rel];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    let file = path.join(root, rel);
    // path.join has removed every `..`: what is not under root now was asked for from outside it.
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end('outside the served folder');
      return;
    }
    if (rel.endsWith('/')) file = path.join(file, 'index.html');
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': stat.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

module.exports = { serveFolder };
