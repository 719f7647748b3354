import * as fs from 'node:fs';
import { DebugSession } from '@vscode/debugadapter';
import { DataFileProblem } from '../runs/data-files';
import { diskFiles } from '../runs/files-node';
import { NetSpecDebugSession, type DebugHost } from './session';

/**
 * `dist/debugAdapter.js`: the `netspec` debug adapter on stdio (`node dist/debugAdapter.js`), for
 * any editor that speaks the Debug Adapter Protocol (nvim-dap, Emacs dape, VS Code as an
 * executable). The only part of the adapter that uses Node: the spec is read from disk and its
 * modification time polled, since editors that save by renaming end what `fs.watch` follows.
 */
const POLL_MS = 250;

const nodeHost: DebugHost = {
  read: (program) => fs.promises.readFile(program, 'utf8'),
  watch(program, changed) {
    const listener = (now: fs.Stats, before: fs.Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) changed();
    };
    fs.watchFile(program, { interval: POLL_MS, persistent: false }, listener);
    return () => fs.unwatchFile(program, listener);
  },
  // Data files as the CLI reads them: beside the spec, never outside its folder.
  async readData(program, rels) {
    const texts: Record<string, { text: string } | { error: string }> = {};
    for (const rel of rels) {
      try {
        texts[rel] = { text: diskFiles.read(program, rel).text };
      } catch (err) {
        if (!(err instanceof DataFileProblem)) throw err;
        texts[rel] = { error: err.message };
      }
    }
    return texts;
  },
};

class NodeDebugSession extends NetSpecDebugSession {
  constructor() {
    super(nodeHost);
  }
}

DebugSession.run(NodeDebugSession);
