// Editor latency through the real protocol: spawns dist/server.js as the `netspec-language-server`
// command starts it (Node with the flags of its shebang; VS Code passes the same), opens a generated
// spec, types into statements in the middle of it (one character per didChange, as an editor
// sends them) and times each edit until the server publishes diagnostics for that version; times
// Enter and Backspace at the ends of lines in the middle of it the same way (each adds or removes
// a line, so everything after it moves to another line); then
// times hover round trips on activation, network, layer, let, fn, call and eval tokens; and reads
// the server's memory from /proc/<pid>/status. `node bench/editor.js [--sizes 100,1000]
// [--repeats 3] [--json]` prints a table (or one JSON object). Run `node esbuild.js` first.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const rpc = require('vscode-jsonrpc/node');
const { generateSpec, blockCount, BLOCK_LINES } = require('./spec-generator');

const ROOT = path.resolve(__dirname, '..');
/** The server to measure; NETSPEC_BENCH_SERVER names another build (e.g. an older one, to compare). */
const SERVER = process.env.NETSPEC_BENCH_SERVER ?? path.join(ROOT, 'dist', 'server.js');

/** @typedef {import('vscode-languageserver-protocol').PublishDiagnosticsParams} PublishDiagnosticsParams */
/** @typedef {import('vscode-languageserver-protocol').Position} Position */
/** @typedef {{ median: number, min: number, max: number, n: number }} Summary */
/**
 * One file size's row of the table.
 * @typedef {{ lines: number, openMs: number, editToDiagnosticsMs: Summary, editP90Ms: number, newLineToDiagnosticsMs: Summary,
 *   hoverMs: Summary, hoverByKindMs: Record<string, number>, serverRssMB: number, serverPeakRssMB: number,
 *   afterEditMs?: Record<string, number> }} Row
 */

/**
 * Median, min and max of a list of milliseconds.
 * @param {number[]} xs
 * @returns {Summary}
 */
function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/**
 * The p-quantile of xs, nearest rank (the p90 of edit latencies: what one edit in ten exceeds).
 * @param {number[]} xs
 * @param {number} p
 */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/**
 * The server's resident memory (VmRSS) and its peak (VmHWM), in MB, from /proc.
 * @param {number | undefined} pid
 */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (/** @type {string} */ key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) ?? [])[1]);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/**
 * The Node flags in a script's shebang (`#!/usr/bin/env -S node --flag …`): those the server is
 * started with by the command editors run (server/src/protocol/launch.ts).
 * @param {string} script
 * @returns {string[]}
 */
function shebangFlags(script) {
  const first = fs.readFileSync(script, 'utf8').split('\n', 1)[0];
  const m = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

class Server {
  static async start() {
    const child = spawn(process.execPath, [...shebangFlags(SERVER), SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', () => {});
    const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
    const server = new Server(child, connection);
    connection.onNotification('textDocument/publishDiagnostics', (p) => server.published(p));
    connection.onNotification('window/logMessage', () => {});
    connection.onRequest(() => null); // e.g. workspace/inlayHint/refresh
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification('initialized', {});
    return server;
  }

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {import('vscode-jsonrpc/node').MessageConnection} connection
   */
  constructor(child, connection) {
    this.child = child;
    this.connection = connection;
    /** @type {Map<string, (p: PublishDiagnosticsParams) => void>} */
    this.waiting = new Map();
  }

  /** @param {PublishDiagnosticsParams} p */
  published(p) {
    const key = `${p.uri}@${p.version}`;
    const w = this.waiting.get(key);
    if (w) {
      this.waiting.delete(key);
      w(p);
    }
  }

  /**
   * Resolves when diagnostics for `uri` at `version` are published.
   * @param {string} uri
   * @param {number} version
   * @returns {Promise<PublishDiagnosticsParams>}
   */
  diagnostics(uri, version, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(`${uri}@${version}`, (p) => (clearTimeout(timer), resolve(p)));
    });
  }

  async stop() {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * Line `l` of the middle block, as a 0-based line of the file.
 * @param {number} lines
 * @param {number} l
 */
function middleLine(lines, l) {
  const blocks = blockCount(lines);
  return 2 + Math.floor(blocks / 2) * BLOCK_LINES + l;
}

/**
 * The typing to replay, each a place (line, column after a needle) and the characters typed there
 * one at a time, then deleted one at a time: a `let` everything in its block depends on, an
 * `eval`, a probe's target, and a layer's width (which changes the network's shape).
 * @param {string} text
 * @param {number} lines
 * @returns {{ at: Position, typed: string }[]}
 */
function editSites(text, lines) {
  const all = text.split('\n');
  /** @type {(l: number, needle: string, delta?: number) => Position} */
  const at = (l, needle, delta = needle.length) => {
    const line = middleLine(lines, l);
    const col = all[line].indexOf(needle);
    if (col < 0) throw new Error(`'${needle}' not on line ${line + 1}: ${all[line]}`);
    return { line, character: col + delta };
  };
  return [
    { at: at(11, ' = ', 3 + 3), typed: '25' }, // let a_i = 0.x → 0.x25
    { at: at(16, ')'), typed: ' + 0.25' }, // eval sigmoid(a_i) + 0.25
    { at: at(9, '-> [1, 0', 8), typed: '.5' }, // probe … -> [1, 0.5]
    { at: at(3, '[8', 1), typed: '1' }, // dense h[18]
  ];
}

/**
 * A site's typing as didChange content changes: each character typed, then each deleted from
 * the last, so the text ends as it began.
 * @param {{ at: Position, typed: string }} site
 * @returns {{ range: { start: Position, end: Position }, text: string }[]}
 */
function typing(site) {
  const steps = [];
  for (let k = 0; k < site.typed.length; k++) {
    const pos = { line: site.at.line, character: site.at.character + k };
    steps.push({ range: { start: pos, end: pos }, text: site.typed[k] });
  }
  for (let k = site.typed.length - 1; k >= 0; k--) {
    const from = { line: site.at.line, character: site.at.character + k };
    steps.push({ range: { start: from, end: { line: from.line, character: from.character + 1 } }, text: '' });
  }
  return steps;
}

/**
 * Enter at the end of a line, then Backspace, as didChange content changes, at the ends of the
 * lines of the typing sites (`editSites`): a let's, an eval's, a probe's and a layer's.
 * @param {{ at: Position }[]} sites
 * @param {string} text
 * @returns {{ range: { start: Position, end: Position }, text: string }[]}
 */
function newLines(sites, text) {
  const all = text.split('\n');
  return sites.flatMap(({ at }) => {
    const end = { line: at.line, character: all[at.line].length };
    return [
      { range: { start: end, end }, text: '\n' },
      { range: { start: end, end: { line: at.line + 1, character: 0 } }, text: '' },
    ];
  });
}

/**
 * Where to hover in the middle block: the kinds of token a user points at.
 * @param {string} text
 * @param {number} lines
 * @returns {{ what: string, position: Position }[]}
 */
function hoverSites(text, lines) {
  const all = text.split('\n');
  /** @type {(l: number, needle: string, delta?: number) => Position} */
  const at = (l, needle, delta = 1) => {
    const line = middleLine(lines, l);
    return { line, character: all[line].indexOf(needle) + delta };
  };
  const act = all[middleLine(lines, 3)].replace(/^.*\]\s+/, '').split(/[ (]/)[0];
  return [
    { what: 'activation', position: at(3, `] ${act}`, 3) },
    { what: 'network (probe)', position: at(9, 'net_') },
    { what: 'layer (probe values)', position: at(5, ' y[', 1) },
    { what: 'let', position: at(11, 'a_') },
    { what: 'fn', position: at(14, 'act_') },
    { what: 'call (plot)', position: at(20, 'act_') },
    { what: 'eval', position: at(16, 'eval', 1) },
  ];
}

/**
 * One file size: open, type, hover; returns the row of the table.
 * @param {number} lines
 * @param {number} repeats
 * @returns {Promise<Row>}
 */
async function benchSize(lines, repeats) {
  const text = generateSpec(lines);
  const uri = `file:///bench/generated-${lines}.netspec`;
  const server = await Server.start();
  const pid = server.child.pid;
  let peak = 0;
  const sample = () => (peak = Math.max(peak, memoryOf(pid).rss));
  try {
    let version = 1;
    const opened = server.diagnostics(uri, version);
    const t0 = performance.now();
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'netspec', version, text } });
    await opened;
    const openMs = performance.now() - t0;
    sample();

    /**
     * Sends one change as the next version and times it until that version's diagnostics come.
     * @param {{ range: { start: Position, end: Position }, text: string }} change
     */
    const timed = async (change) => {
      version++;
      const published = server.diagnostics(uri, version);
      const t = performance.now();
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      await published;
      return performance.now() - t;
    };

    const edits = [];
    const sites = editSites(text, lines);
    // One pass (typing then deleting, so the file ends as it began) warms up; the rest are timed.
    for (let pass = 0; pass <= repeats; pass++) {
      for (const site of sites) {
        for (const change of typing(site)) {
          const ms = await timed(change);
          if (pass > 0) edits.push(ms);
        }
        sample();
      }
    }

    // Enter and Backspace: the lines after the edit move (each change leaves the text as it began or one line longer).
    const lineEdits = [];
    const breaks = newLines(sites, text);
    for (let pass = 0; pass <= repeats; pass++) {
      for (const change of breaks) {
        const ms = await timed(change);
        if (pass > 0) lineEdits.push(ms);
      }
      sample();
    }

    const hovers = [];
    /** @type {Record<string, number[]>} */
    const byKind = {};
    const targets = hoverSites(text, lines);
    for (let pass = 0; pass <= repeats; pass++) {
      for (const h of targets) {
        const t = performance.now();
        const answer = await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: h.position });
        const ms = performance.now() - t;
        if (!answer) throw new Error(`no hover for ${h.what} at ${JSON.stringify(h.position)}`);
        if (pass > 0) {
          hovers.push(ms);
          (byKind[h.what] ??= []).push(ms);
        }
      }
    }
    sample();
    const mem = memoryOf(pid);
    return {
      lines,
      openMs,
      editToDiagnosticsMs: summary(edits),
      editP90Ms: percentile(edits, 0.9),
      newLineToDiagnosticsMs: summary(lineEdits),
      hoverMs: summary(hovers),
      hoverByKindMs: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summary(v).median])),
      serverRssMB: Math.max(peak, mem.rss),
      serverPeakRssMB: mem.peak,
    };
  } finally {
    await server.stop();
  }
}

/**
 * What an editor asks for besides diagnostics once typing pauses, timed after each edit (median
 * round trip per request): semantic tokens (the whole answer first, then deltas from the last
 * one, as VS Code asks), the outline, folding ranges, code lenses, and inlay hints over the 60
 * lines around the edit. In a server of its own, so that the memory figures of `benchSize` stay
 * those of typing alone. While one of these runs, the next keystroke waits for it.
 * @param {number} lines
 * @param {number} repeats
 * @returns {Promise<Record<string, number>>}
 */
async function benchAfterEdit(lines, repeats) {
  const text = generateSpec(lines);
  const uri = `file:///bench/requests-${lines}.netspec`;
  const server = await Server.start();
  try {
    let version = 1;
    const opened = server.diagnostics(uri, version);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'netspec', version, text } });
    await opened;
    const doc = { textDocument: { uri } };
    /** @type {Record<string, number[]>} */
    const times = {};
    /** @type {(what: string, request: () => Promise<unknown>, keep: boolean) => Promise<unknown>} */
    const timed = async (what, request, keep) => {
      const t = performance.now();
      const answer = await request();
      if (keep) (times[what] ??= []).push(performance.now() - t);
      return answer;
    };
    /** @type {{ resultId?: string } | undefined} */
    let tokens;
    const sites = editSites(text, lines);
    for (let pass = 0; pass <= repeats; pass++) {
      for (const site of sites) {
        // One character typed, then deleted: each a version, with the requests after it.
        const steps = typing(site);
        for (const change of [steps[0], steps[steps.length - 1]]) {
          version++;
          const published = server.diagnostics(uri, version);
          await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
          await published;
          const keep = pass > 0;
          const line = change.range.start.line;
          tokens = /** @type {{ resultId?: string }} */ (tokens?.resultId
            ? await timed('semantic tokens (delta)', () => server.connection.sendRequest('textDocument/semanticTokens/full/delta', { ...doc, previousResultId: tokens?.resultId }), keep)
            : await timed('semantic tokens (whole)', () => server.connection.sendRequest('textDocument/semanticTokens/full', doc), keep));
          await timed('outline (document symbols)', () => server.connection.sendRequest('textDocument/documentSymbol', doc), keep);
          await timed('folding ranges', () => server.connection.sendRequest('textDocument/foldingRange', doc), keep);
          await timed('code lenses', () => server.connection.sendRequest('textDocument/codeLens', doc), keep);
          await timed('inlay hints (60 lines)', () => server.connection.sendRequest('textDocument/inlayHint', { ...doc, range: { start: { line: Math.max(0, line - 30), character: 0 }, end: { line: line + 30, character: 0 } } }), keep);
        }
      }
    }
    // What answering them holds: the server's peak (VmHWM), which the typing figures do not include.
    const peak = memoryOf(server.child.pid).peak;
    return { ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v).median])), 'server peak RSS MB, answering these': peak };
  } finally {
    await server.stop();
  }
}

/**
 * Editor latency at each size: median, min and max of edit → published diagnostics and of hover
 * round trips, and the server's resident memory (the largest sample; the kernel's peak beside it).
 * @param {{ sizes?: number[], repeats?: number, afterEdit?: boolean }} [options] (`afterEdit`: also `benchAfterEdit`)
 * @returns {Promise<{ rows: Row[] }>}
 */
async function benchEditor({ sizes = [100, 1000, 10000], repeats = 3, afterEdit = true } = {}) {
  if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`node esbuild.js\` first`);
  const rows = [];
  for (const lines of sizes) {
    const row = await benchSize(lines, repeats);
    if (afterEdit) row.afterEditMs = await benchAfterEdit(lines, Math.max(1, repeats - 1));
    rows.push(row);
  }
  return { rows };
}

/** @param {{ rows: Row[] }} result */
function table({ rows }) {
  const f = (/** @type {number} */ x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const mm = (/** @type {Summary} */ s) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
  const out = [
    '| lines | open → diagnostics ms | edit → diagnostics ms, median (min–max) | new line → diagnostics ms, median (min–max) | hover ms, median (min–max) | server RSS MB (peak) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.lines.toLocaleString('en-US')} | ${f(r.openMs)} | ${mm(r.editToDiagnosticsMs)} | ${mm(r.newLineToDiagnosticsMs)} | ${mm(r.hoverMs)} | ${r.serverRssMB.toFixed(0)} (${r.serverPeakRssMB.toFixed(0)}) |`),
  ];
  const kinds = Object.keys(rows[0]?.hoverByKindMs ?? {});
  if (kinds.length) {
    out.push('', `| hover median ms | ${rows.map((r) => r.lines.toLocaleString('en-US')).join(' | ')} |`, `| --- |${' ---: |'.repeat(rows.length)}`);
    for (const k of kinds) out.push(`| ${k} | ${rows.map((r) => f(r.hoverByKindMs[k])).join(' | ')} |`);
  }
  const asked = Object.keys(rows[0]?.afterEditMs ?? {});
  if (asked.length) {
    out.push('', `| after an edit, median ms | ${rows.map((r) => r.lines.toLocaleString('en-US')).join(' | ')} |`, `| --- |${' ---: |'.repeat(rows.length)}`);
    for (const k of asked) out.push(`| ${k} | ${rows.map((r) => (r.afterEditMs?.[k] === undefined ? '—' : f(r.afterEditMs[k]))).join(' | ')} |`);
  }
  return out.join('\n');
}

// editSites, typing and hoverSites for the browser bench (web.js), which replays the same typing in Chromium.
module.exports = { benchEditor, editorTable: table, editSites, typing, hoverSites, summary, percentile };

if (require.main === module) {
  const arg = (/** @type {string} */ name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const sizesArg = arg('sizes');
  const repeatsArg = arg('repeats');
  const sizes = sizesArg ? sizesArg.split(',').map(Number) : undefined;
  const repeats = repeatsArg ? Number(repeatsArg) : undefined;
  benchEditor({ sizes, repeats }).then((result) => {
    if (process.argv.includes('--json')) console.log(JSON.stringify(result));
    else console.log(table(result));
  }, (err) => {
    console.error(err.stack ?? String(err));
    process.exit(1);
  });
}
