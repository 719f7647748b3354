// `npm run bench [-- --json] [-- --quick]`: training speed against TensorFlow.js, then editor
// latency (bench/editor.js, when present), then NetSpec in Chromium against NetSpec in Node
// (bench/web.js). Builds what it measures first (dist/ for the servers, out/bench/ for the
// engine and the browser page). `--training-only`, `--editor-only` and `--web-only` run one
// section. A benchmark, never a test: nothing here fails on a slow machine; a section whose
// tools are missing (TensorFlow.js, Chromium, playwright-core) fails saying what to install.
'use strict';

const esbuild = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--training-only') ? 'training' : process.argv.includes('--editor-only') ? 'editor' : process.argv.includes('--web-only') ? 'web' : undefined;
const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);

function machine() {
  return { nproc: os.availableParallelism?.() ?? os.cpus().length, cpu: processor(), node: process.version, loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

/** A cache size as /sys gives it ("512K", "32768K") in KB or MB. */
function cacheSize(/** @type {string} */ size) {
  const kb = /^(\d+)K$/.exec(size);
  if (!kb) return size.replace(/M$/, ' MB');
  const n = Number(kb[1]);
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} MB` : `${n} KB`;
}

/** A file's text, or '' where it cannot be read (not Linux, a container without /sys). */
function readOr(/** @type {string} */ file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The processor by name, family and model, with its caches (Linux's /proc/cpuinfo and the first
 * core's /sys cache entries): cloud machines of one name ("AMD EPYC") differ by generation, and
 * their kernel rates and the training step's share of them with it (bench/NOTES.md).
 */
function processor() {
  const info = readOr('/proc/cpuinfo');
  const field = (/** @type {string} */ key) => (info.match(new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm')) ?? [])[1]?.trim();
  const name = field('model name') ?? os.cpus()[0]?.model ?? 'unknown processor';
  const details = [];
  const family = field('cpu family');
  const model = field('model');
  if (family && model) details.push(`family ${family}, model ${model}`);
  const caches = [];
  for (let i = 0; i < 8; i++) {
    const dir = `/sys/devices/system/cpu/cpu0/cache/index${i}`;
    const level = readOr(`${dir}/level`).trim();
    const type = readOr(`${dir}/type`).trim();
    const size = readOr(`${dir}/size`).trim();
    if ((level === '2' || level === '3') && type !== 'Instruction' && size) caches.push(`L${level} ${cacheSize(size)}${level === '2' ? ' a core' : ''}`);
  }
  if (caches.length) details.push(caches.join(', '));
  return details.length ? `${name} (${details.join('; ')})` : name;
}

/**
 * What bench/editor.js (or an editor.ts) exports: the benchmark, as `benchEditor`, a default
 * export or else its first function, and optionally the table that prints its result.
 * @typedef {(opts?: { sizes?: number[], repeats?: number }) => Promise<unknown>} EditorBench
 * @typedef {{ benchEditor?: EditorBench, default?: EditorBench, editorTable?: (result: unknown) => string }} EditorModule
 */

async function main() {
  /** @type {{ machine: ReturnType<typeof machine>, training?: Awaited<ReturnType<typeof import('./training').benchTraining>>, editor?: unknown, web?: Awaited<ReturnType<typeof import('./web').benchWeb>> }} */
  const result = { machine: machine() };
  const sections = [];
  if (only === undefined || only === 'training') {
    const out = path.join(ROOT, 'out', 'bench', 'training.js');
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'training.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['@tensorflow/*'], logLevel: 'warning' });
    // The engine's helper threads (NETSPEC_THREADS), started from beside training.js.
    esbuild.buildSync({ entryPoints: [path.join(ROOT, 'server', 'src', 'server', 'productWorker.ts')], outfile: path.join(ROOT, 'out', 'bench', 'productWorker.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    // The kernel alone in a process of its own, pinned to one core (bench/cores.ts).
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'kernel-alone.ts')], outfile: path.join(ROOT, 'out', 'bench', 'kernelAlone.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    /** @type {typeof import('./training')} */
    const { benchTraining, trainingTable } = require(out);
    log('training: checking gradients, warming up, timing interleaved runs…');
    result.training = await benchTraining(quick ? { repeats: 3, runMs: 300, warmupMs: 1000, log } : { log });
    sections.push('## Training\n\n' + trainingTable(result.training));
  }
  if (only === undefined || only === 'editor') {
    const editor = ['editor.js', 'editor.ts'].map((f) => path.join(__dirname, f)).find((f) => fs.existsSync(f));
    if (!editor) {
      result.editor = { available: false, reason: 'bench/editor missing' };
      sections.push('## Editor\n\neditor latency: not available (bench/editor missing)');
    } else {
      log('editor: building dist/ and timing the language server…');
      execFileSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      /** @type {EditorModule} */
      const mod = editor.endsWith('.ts') ? requireTs(editor) : require(editor);
      const run = mod.benchEditor ?? mod.default ?? /** @type {EditorBench | undefined} */ (Object.values(mod).find((f) => typeof f === 'function'));
      if (!run) throw new Error(`${path.relative(ROOT, editor)} exports no function to run`);
      result.editor = await run(quick ? { sizes: [100, 1000, 10000], repeats: 1 } : undefined);
      sections.push('## Editor\n\n' + (mod.editorTable ? mod.editorTable(result.editor) : JSON.stringify(result.editor, null, 2)));
    }
  }
  /** @type {Error | undefined} */
  let failed;
  if (only === undefined || only === 'web') {
    const { benchWeb, webTable } = require('./web');
    try {
      result.web = await benchWeb({ quick });
      sections.push('## Browser (Chromium) against Node\n\n' + webTable(result.web));
    } catch (err) {
      // The other sections' figures are still worth printing; the run fails after them.
      failed = /** @type {Error} */ (err);
      sections.push(`## Browser (Chromium) against Node\n\nnot measured: ${failed.message}`);
    }
  }
  if (json) console.log(JSON.stringify(result));
  else {
    const m = result.machine;
    console.log(`Machine: ${m.nproc} cores (nproc), ${m.cpu}, Node ${m.node}, load average ${m.loadAverage.join(' ')}\n`);
    console.log(sections.join('\n\n'));
  }
  if (failed) {
    console.error(failed.message);
    process.exitCode = 1;
  }
}

/** @param {string} file */
function requireTs(file) {
  const out = path.join(ROOT, 'out', 'bench', path.basename(file, '.ts') + '.js');
  esbuild.buildSync({ entryPoints: [file], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  return require(out);
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
