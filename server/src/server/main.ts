import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { Worker } from 'worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { diskFiles } from '../runs/files-node';
import { cancellationStrategy } from './cancellation';
import type { ServerPlatform } from './platform';
import type { RunMessage, RunRequest } from './runs';
import { startServer } from './server';

/**
 * The language server on Node (`dist/server.js`, the `netspec-language-server` command): over
 * stdio (the default, or `--stdio`: any editor) or IPC (`--node-ipc`: VS Code), training in worker
 * threads (`dist/trainWorker.js`), data files read from the disk. `--version` prints the version.
 */
declare const NETSPEC_VERSION: string | undefined;
if (process.argv.includes('--version')) {
  process.stdout.write(`netspec-language-server ${typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0'}\n`);
  process.exit(0);
}
// vscode-languageserver picks the transport from the arguments; an editor that runs the command by
// its name alone means stdio.
if (!process.argv.some((a) => /^--(stdio|node-ipc|socket|pipe)/.test(a))) process.argv.push('--stdio');

const platform: ServerPlatform = {
  // docs/LANGUAGE.md beside the bundle (dist/..).
  docs: pathToFileURL(path.join(__dirname, '..', 'docs', 'LANGUAGE.md')).href,
  // An unsaved document gets a path that no data file can be found beside.
  specFile: (uri) => (uri.startsWith('file:') ? fileURLToPath(uri) : path.join('/nonexistent', 'untitled.netspec')),
  startWorker(request: RunRequest, events) {
    const worker = new Worker(path.join(__dirname, 'trainWorker.js'), { workerData: request });
    worker.on('message', (m: RunMessage) => events.message(m));
    worker.on('error', (err) => events.message({ kind: 'error', message: `the training worker failed: ${err.message}` }));
    worker.on('exit', () => events.exit());
    return { terminate: () => void worker.terminate() };
  },
  fetchFiles: async () => undefined,
  files: diskFiles,
  // 'wx': fails when the file exists, so nothing is ever replaced behind the user's back.
  createFile: (file, bytes) => fs.promises.writeFile(file, bytes, { flag: 'wx', mode: 0o644 }),
  onUnhandledRejection: (report) => void process.on('unhandledRejection', report),
};

startServer(createConnection(ProposedFeatures.all, cancellationStrategy), platform);
