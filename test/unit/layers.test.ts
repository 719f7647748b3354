/**
 * The layering of ARCHITECTURE.md, read from the imports: each folder of server/src imports only
 * the folders it may (those below it), only the server imports vscode-languageserver, the client
 * reaches into server/src only for the protocol, and the engine reads no environment.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';
import { importsOf, readSource, sourceFiles } from '../support/sources';

const root = repoRoot();

/** What each folder of server/src may import of the others (its own files always). */
const ALLOWED: Record<string, readonly string[]> = {
  syntax: [],
  engine: [],
  protocol: [],
  semantics: ['syntax', 'engine'],
  analysis: ['semantics', 'syntax', 'engine'],
  runs: ['analysis', 'semantics', 'syntax', 'engine'],
  export: ['analysis', 'semantics', 'syntax', 'engine'],
  server: ['protocol', 'runs', 'export', 'analysis', 'semantics', 'syntax', 'engine'],
  cli: ['runs', 'export', 'analysis', 'semantics', 'syntax', 'engine'],
  debug: ['runs', 'analysis', 'semantics', 'syntax', 'engine'],
};

/** The modules a source file imports. */
const specifiers = (file: string): string[] => importsOf(readSource(file)).map((i) => i.from);

test('every folder of server/src imports only the layers below it', () => {
  const folders = fs.readdirSync(path.join(root, 'server', 'src'));
  assert.deepEqual(folders.filter((f) => !(f in ALLOWED)), [], 'a new folder of server/src: give it its place in ALLOWED and in ARCHITECTURE.md');
  const wrong: string[] = [];
  for (const folder of folders) {
    for (const file of sourceFiles(path.join('server', 'src', folder), '.ts')) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(path.join(root, 'server', 'src'), path.resolve(path.join(root, path.dirname(file)), spec)).split(path.sep)[0];
        if (target !== folder && !ALLOWED[folder].includes(target)) wrong.push(`${file} imports ${spec} (${folder} → ${target})`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('only the server imports vscode-languageserver; only the client imports vscode; the client takes only the protocol (and the inline debug adapter) of server/src', () => {
  const wrong: string[] = [];
  for (const file of sourceFiles('server/src', '.ts')) {
    for (const spec of specifiers(file)) {
      if (/^vscode-languageserver(\/|$)/.test(spec) && !file.startsWith(path.join('server', 'src', 'server'))) wrong.push(`${file} imports ${spec}`);
      if (spec === 'vscode') wrong.push(`${file} imports vscode`);
    }
  }
  for (const file of sourceFiles('client/src', '.ts')) {
    for (const spec of specifiers(file)) {
      // The debug adapter runs inline in the extension host (client/src/debugProbe.ts): its session is the one exception.
      if (spec.includes('server/src/') && !spec.includes('server/src/protocol/') && !spec.endsWith('server/src/debug/session')) wrong.push(`${file} imports ${spec}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the engine reads no environment and no file', () => {
  const wrong: string[] = [];
  for (const file of sourceFiles('server/src/engine', '.ts')) {
    const text = readSource(file);
    if (/process\.env/.test(text)) wrong.push(`${file} reads process.env`);
    for (const spec of specifiers(file)) if (/^(node:)?(fs|path|child_process|worker_threads)$/.test(spec)) wrong.push(`${file} imports ${spec}`);
  }
  assert.deepEqual(wrong, []);
});

/**
 * The browser build (dist/web/) bundles everything the web entry points reach: a Node module there
 * fails its build, and `process` or `Buffer` fails at run time in a Web Worker. Only the Node
 * entry points and the disk reader may use them (ARCHITECTURE.md, *Two platforms, one server*).
 */
const NODE_ONLY = new Set([
  'server/src/server/main.ts', 'server/src/server/trainWorker.ts', 'server/src/server/productWorker.ts', 'server/src/runs/files-node.ts',
  'server/src/runs/threads-node.ts', 'server/src/debug/main.ts', 'client/src/extension.ts',
].map((f) => path.join(...f.split('/'))));

test('only the Node entry points and the disk reader use Node: the rest runs in a browser too', () => {
  const wrong: string[] = [];
  for (const file of [...sourceFiles('server/src', '.ts'), ...sourceFiles('client/src', '.ts')]) {
    if (NODE_ONLY.has(file) || file.startsWith(path.join('server', 'src', 'cli'))) continue;
    const text = readSource(file);
    for (const spec of specifiers(file)) {
      if (/^(node:|(fs|path|url|os|crypto|child_process|worker_threads|net|http)$)/.test(spec) || /\/node$/.test(spec)) wrong.push(`${file} imports ${spec}`);
    }
    if (/\bprocess\.|\bBuffer\.|__dirname/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) wrong.push(`${file} uses process, Buffer or __dirname`);
  }
  assert.deepEqual(wrong, []);
});
