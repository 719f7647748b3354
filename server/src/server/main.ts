import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { setFlagsFromString } from 'v8';
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

/**
 * The heap of an editor's server: a file's trees and checked program live on (~20 MB for 10,000
 * lines), and every keystroke allocates a few MB that die at the next one. V8's defaults, made for
 * throughput, let that garbage grow the young generation to 2 × 16 MB and the old one to about
 * three times what lives before collecting it (125–170 MB resident on bench/editor.js's 10,000
 * lines). Two of its flags that it reads at every collection, not only at start-up, keep it near
 * what lives (~95 MB) for a little more collecting: the young generation stays at its initial
 * 2 × 1 MB (a scavenge then copies only what the keystroke being analysed holds), and the old one
 * may grow to 1.2 × what the last full collection kept. Flags are per process: the training worker
 * threads get them too, and their loops allocate next to nothing. A flag V8 reads only at start-up
 * is an argument of the process instead (protocol/launch.ts).
 */
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=20');

const platform: ServerPlatform = {
  // docs/LANGUAGE.md beside the bundle (dist/..).
  docs: pathToFileURL(path.join(__dirname, '..', 'docs', 'LANGUAGE.md')).href,
  // An unsaved document gets a path that no data file can be found beside.
  specFile: (uri) => (uri.startsWith('file:') ? fileURLToPath(uri) : path.join('/nonexistent', 'untitled.netspec')),
  startWorker(request: RunRequest, events) {
    const worker = new Worker(path.join(__dirname, 'trainWorker.js'), { workerData: request });
    worker.on('message', (m: RunMessage) => {
      events.message(m);
      // The run's last message: the worker has nothing more to do, but its control listener would
      // keep its thread alive (and the run active) until it is told to end.
      if (m.kind === 'done' || m.kind === 'error') void worker.terminate();
    });
    worker.on('error', (err) => events.message({ kind: 'error', message: `the training worker failed: ${err.message}` }));
    worker.on('exit', () => events.exit());
    return { terminate: () => void worker.terminate(), control: (c) => worker.postMessage(c) };
  },
  fetchFiles: async () => undefined,
  files: diskFiles,
  // 'wx': fails when the file exists, so nothing is ever replaced behind the user's back.
  createFile: (file, bytes) => fs.promises.writeFile(file, bytes, { flag: 'wx', mode: 0o644 }),
  onUnhandledRejection: (report) => void process.on('unhandledRejection', report),
};

startServer(createConnection(ProposedFeatures.all, cancellationStrategy), platform);
