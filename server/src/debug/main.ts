import * as fs from 'node:fs';
import { DebugSession } from '@vscode/debugadapter';
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
};

class NodeDebugSession extends NetSpecDebugSession {
  constructor() {
    super(nodeHost);
  }
}

DebugSession.run(NodeDebugSession);
