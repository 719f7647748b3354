import * as fs from 'fs';
import * as path from 'path';
import { analyze, type FileAnalysis } from '../analysis/analyze';
import { formatMatrix, formatNumber, formatValue } from '../analysis/format';
import type { DataSample } from '../engine/datasets';
import type { Network } from '../engine/network';
import { kernelModeOf, setKernelMode } from '../engine/kernels/gemm';
import { useNodeThreads } from '../runs/threads-node';
import type { Metrics } from '../engine/metrics';
import { scheduleText } from '../engine/schedules';
import { Trainer, TrainError, type TrainResult } from '../engine/train';
import { capitalise } from '../semantics/diagnostic';
import type { TrainInfo } from '../semantics/program';
import { prepareJob, RunProblem, type Job } from '../runs/jobs';
import { diskFiles } from '../runs/files-node';
import { ExportError, exportPyTorch } from '../export/pytorch';
import { diagramLayout, diagramSvg } from '../analysis/network-diagram';
import { toJson } from './json';
import { onnxExport } from './onnx';
import type { OnnxDType } from '../export/onnx/graph';

/**
 * `netspec check | eval | grad | train | export | diagram`: the language without an editor. Exit codes: 0 success,
 * 1 a checked file has errors, 2 a usage or I/O error (with a message on stderr, never a stack trace).
 */

const USAGE = `Usage:
  netspec check FILE... [--json]   report syntax, name, shape and numeric problems
  netspec eval FILE [--json]       print the value of every \`eval\`
  netspec grad FILE [--json]       print output, loss, dE/dW, dE/db and delta of every \`probe\`
  netspec train FILE [--network NAME] [--json]
                                   run every \`train\` statement (or those of one network)
  netspec export FILE [--network NAME] --to pytorch [-o OUT] [--force]
                                   write a PyTorch program that trains the network as its
                                   \`train\` statement says (OUT: FILE.NAME.py beside it; - for stdout)
  netspec export FILE [--network NAME] --to onnx [-o OUT] [--force] [--dtype float32|float64] [--trained]
                                   write the network's forward pass as an ONNX model, with its own
                                   weights or (--trained) those its first \`train\` statement gives
                                   (OUT: FILE.NAME.onnx beside it; - for stdout)
  netspec diagram FILE [--network NAME] [-o OUT.svg] [--force]
                                   draw the network as an SVG figure, with dE/dW of its first
                                   \`probe\` (OUT: FILE.NAME.svg beside it; - for stdout)
  netspec --help | --version`;

class UsageError extends Error {}

interface Io {
  out(s: string): void;
  /** Bytes to stdout (an ONNX model with `-o -`). */
  outBytes?(b: Uint8Array): void;
  err(s: string): void;
  /** Whether stderr is a terminal: then `train` keeps a progress line there. */
  errIsTTY?: boolean;
}

export function main(argv: string[], io: Io): number {
  try {
    return run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`netspec: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    io.err(`netspec: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

function run(argv: string[], io: Io): number {
  const json = argv.includes('--json');
  let args = argv.filter((a) => a !== '--json');
  // --network NAME (or --network=NAME), for train
  let network: string | undefined;
  const at = args.findIndex((a) => a === '--network' || a.startsWith('--network='));
  if (at >= 0) {
    const a = args[at];
    network = a.startsWith('--network=') ? a.slice('--network='.length) : args[at + 1];
    if (network === undefined || network === '' || (a === '--network' && network.startsWith('-'))) throw new UsageError('--network needs a network name');
    args = args.filter((_, i) => i !== at && !(a === '--network' && i === at + 1));
    if (args.some((x) => x === '--network' || x.startsWith('--network='))) throw new UsageError('--network is given twice');
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE + '\n');
    return 0;
  }
  if (args.includes('--version')) {
    io.out(`netspec ${VERSION}\n`);
    return 0;
  }
  const exportOptions = takeExportOptions(args);
  args = exportOptions.rest;
  const [command, ...rest] = args;
  if (command === 'diagram' && exportOptions.to !== undefined) throw new UsageError('--to is an option of export, not of diagram');
  if (command !== 'export' && (exportOptions.dtype !== undefined || exportOptions.trained)) throw new UsageError(`${exportOptions.dtype !== undefined ? '--dtype' : '--trained'} is an option of export --to onnx, not of ${command ?? 'no command'}`);
  if (command !== 'export' && command !== 'diagram' && exportOptions.given) {
    // --to chooses the export's format; -o and --force are where export and diagram write.
    const of = exportOptions.given === '--to' ? 'export' : 'export and diagram';
    throw new UsageError(`${exportOptions.given} is an option of ${of}, not of ${command ?? 'no command'}`);
  }
  const unknownFlag = rest.find((a) => a.startsWith('-'));
  if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag}`);
  if (!command) throw new UsageError('no command given');
  if (network !== undefined && command !== 'train' && command !== 'export' && command !== 'diagram') throw new UsageError(`--network is an option of train, export and diagram, not of ${command}`);
  switch (command) {
    case 'check': {
      if (rest.length === 0) throw new UsageError('check needs at least one file');
      const files = readAll(rest, io);
      if (!files) return 2;
      return check(files, json, io);
    }
    case 'eval':
    case 'grad': {
      if (rest.length !== 1) throw new UsageError(`${command} takes exactly one file`);
      const files = readAll(rest, io);
      if (!files) return 2;
      const [file] = files;
      const a = analyze(file.text);
      printDiagnostics(file.name, a, io, 'stderr');
      if (command === 'eval') printEvals(file.name, a, json, io);
      else printProbes(file.name, a, json, io);
      return hasErrors(a) ? 1 : 0;
    }
    case 'train': {
      if (rest.length !== 1) throw new UsageError('train takes exactly one file');
      const files = readAll(rest, io);
      if (!files) return 2;
      return trainCommand(files[0], network, json, io);
    }
    case 'export': {
      if (rest.length !== 1) throw new UsageError('export takes exactly one file');
      if (json) throw new UsageError('export writes a program, not JSON: --json is not one of its options');
      if (exportOptions.to === undefined) throw new UsageError('export needs --to pytorch or --to onnx');
      if (exportOptions.to !== 'pytorch' && exportOptions.to !== 'onnx') throw new UsageError(`export --to ${exportOptions.to}: the targets are pytorch and onnx`);
      if (exportOptions.to !== 'onnx' && (exportOptions.dtype !== undefined || exportOptions.trained)) throw new UsageError(`${exportOptions.dtype !== undefined ? '--dtype' : '--trained'} is an option of export --to onnx`);
      if (exportOptions.dtype !== undefined && exportOptions.dtype !== 'float32' && exportOptions.dtype !== 'float64') throw new UsageError(`--dtype ${exportOptions.dtype}: the types are float32 and float64`);
      const files = readAll(rest, io);
      if (!files) return 2;
      if (exportOptions.to === 'onnx') return onnxCommand(files[0], network, exportOptions, io);
      return exportCommand(files[0], network, exportOptions.out, exportOptions.force, io);
    }
    case 'diagram': {
      if (rest.length !== 1) throw new UsageError('diagram takes exactly one file');
      if (json) throw new UsageError('diagram writes an SVG, not JSON: --json is not one of its options');
      const files = readAll(rest, io);
      if (!files) return 2;
      return diagramCommand(files[0], network, exportOptions.out, exportOptions.force, io);
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** Takes export's `--to T`, `-o OUT` (`--output`) and `--force` out of the arguments. */
interface ExportOptions {
  rest: string[];
  to?: string;
  out?: string;
  force: boolean;
  /** ONNX only: the element type, and whether to train first. */
  dtype?: string;
  trained: boolean;
  given?: string;
}

function takeExportOptions(argv: string[]): ExportOptions {
  const rest: string[] = [];
  let to: string | undefined;
  let out: string | undefined;
  let force = false;
  let dtype: string | undefined;
  let trained = false;
  let given: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (flag === '--dtype') {
      const value = flag !== a ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || value.startsWith('-')) throw new UsageError('--dtype needs a value: float32 or float64');
      if (dtype !== undefined) throw new UsageError('--dtype is given twice');
      dtype = value;
    } else if (a === '--trained') {
      trained = true;
    } else if (flag === '--to' || flag === '-o' || flag === '--output') {
      const value = flag !== a ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (flag === a && value.startsWith('-') && value !== '-')) throw new UsageError(`${flag} needs a value`);
      if ((flag === '--to' ? to : out) !== undefined) throw new UsageError(`${flag} is given twice`);
      if (flag === '--to') to = value;
      else out = value;
      given ??= flag;
    } else if (a === '--force') {
      force = true;
      given ??= a;
    } else rest.push(a);
  }
  return { rest, to, out, force, dtype, trained, given };
}

/** `netspec export … --to onnx` (cli/onnx.ts): the model, written as export writes a program. */
function onnxCommand(file: { name: string; text: string }, only: string | undefined, options: ExportOptions, io: Io): number {
  const a = analyze(file.text);
  printDiagnostics(file.name, a, io, 'stderr');
  if (hasErrors(a)) {
    io.err(`netspec: ${file.name} has errors; nothing was exported\n`);
    return 1;
  }
  const r = onnxExport({ file, analysis: a, network: only, dtype: (options.dtype ?? 'float32') as OnnxDType, trained: options.trained, version: VERSION });
  if ('error' in r) {
    io.err(`netspec: ${r.error}\n`);
    return r.code;
  }
  return writeOutput(r.bytes, options.out ?? r.target, options.out === '-', options.force, io, 0o644);
}

declare const NETSPEC_VERSION: string | undefined;
const VERSION = typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0';

function readAll(paths: string[], io: Io): { name: string; text: string }[] | undefined {
  const files: { name: string; text: string }[] = [];
  for (const p of paths) {
    try {
      if (fs.statSync(p).isDirectory()) {
        io.err(`netspec: ${p} is a directory, not a file\n`);
        return undefined;
      }
      files.push({ name: p, text: fs.readFileSync(p, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      io.err(`netspec: cannot read ${p}: ${why}\n`);
      return undefined;
    }
  }
  return files;
}

const hasErrors = (a: FileAnalysis) => a.diagnostics.some((d) => d.severity === 'error');

function check(files: { name: string; text: string }[], json: boolean, io: Io): number {
  const analyses = files.map((f) => ({ file: f.name, a: analyze(f.text) }));
  if (json) {
    io.out(toJson({
      files: analyses.map(({ file, a }) => ({
        file,
        diagnostics: a.diagnostics.map((d) => ({
          severity: d.severity, code: d.code, message: d.message, range: d.range,
          ...(d.suggestion ? { suggestion: d.suggestion } : {}),
        })),
      })),
    }) + '\n');
  } else {
    let errors = 0;
    let warnings = 0;
    for (const { file, a } of analyses) {
      printDiagnostics(file, a, io, 'stdout');
      errors += a.diagnostics.filter((d) => d.severity === 'error').length;
      warnings += a.diagnostics.filter((d) => d.severity === 'warning').length;
    }
    io.out(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
  return analyses.some(({ a }) => hasErrors(a)) ? 1 : 0;
}

/** `file:line:col: severity [code] message`, 1-based as compilers print them, with the suggestion. */
function printDiagnostics(file: string, a: FileAnalysis, io: Io, to: 'stdout' | 'stderr'): void {
  const write = to === 'stdout' ? io.out : io.err;
  for (const d of a.diagnostics) {
    const { line, character } = d.range.start;
    write(`${file}:${line + 1}:${character + 1}: ${d.severity} [${d.code}] ${d.message}\n`);
    // Control characters would garble the terminal; each becomes one U+FFFD, keeping the caret aligned.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const src = a.lines.lineText(line).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
    if (src.length <= 200) {
      const width = d.range.end.line === line ? Math.max(1, d.range.end.character - character) : Math.max(1, src.length - character);
      write(`  ${src}\n  ${' '.repeat(character)}${'^'.repeat(width)}\n`);
    }
  }
}

function printEvals(file: string, a: FileAnalysis, json: boolean, io: Io): void {
  if (json) {
    io.out(toJson({ file, results: a.evals.map((r) => ({ line: r.line, expr: r.expr, value: r.value ?? null, ...(r.error ? { error: r.error } : {}) })) }) + '\n');
    return;
  }
  for (const r of a.evals) {
    io.out(`${file}:${r.line}: ${r.expr} = ${r.value !== undefined ? formatValue(r.value, 10) : `(error: ${r.error})`}\n`);
  }
}

function printProbes(file: string, a: FileAnalysis, json: boolean, io: Io): void {
  if (json) {
    io.out(toJson({
      file,
      probes: a.probes.map((p) => ({
        line: p.line,
        network: p.network,
        ...(p.result
          ? {
              output: p.result.output,
              loss: p.result.loss,
              ...(a.program.networks.get(p.network)?.network?.features ? { features: Array.from(p.result.layers[0].trace.x) } : {}),
              layers: Object.fromEntries(p.result.layers.map((l) => [l.name, { dW: l.dW, db: l.db ?? null, delta: l.delta }])),
            }
          : { output: null, loss: null, layers: {}, error: p.error }),
      })),
    }) + '\n');
    return;
  }
  for (const p of a.probes) {
    io.out(`${file}:${p.line}: probe ${p.network}\n`);
    if (!p.result) {
      io.out(`  (error: ${p.error})\n`);
      continue;
    }
    const features = a.program.networks.get(p.network)?.network?.features;
    if (features) io.out(`  features ${features.texts.map((t, f) => `${t} = ${formatNumber(p.result!.layers[0].trace.x[f], 10)}`).join(', ')}\n`);
    io.out(`  output ${formatValue(p.result.output)}   loss E = ${formatNumber(p.result.loss, 10)}\n`);
    for (const l of p.result.layers) {
      io.out(`  layer ${l.name}\n    delta = dE/dz  ${formatValue(l.delta)}\n`);
      if (l.db) io.out(`    dE/db          ${formatValue(l.db)}\n`);
      io.out(`    dE/dW [${l.dW.length}][${l.delta.length}]:\n${formatMatrix(l.dW, '      ')}\n`);
    }
  }
}

// ---- train ------------------------------------------------------------------------------------

/**
 * `netspec train FILE [--network NAME] [--json]`: runs every `train` statement of a file (or
 * those of one network), in file order, each from the network's initial parameters.
 * - A file with errors: its diagnostics on stderr, nothing trained, exit 1.
 * - `--network NAME` that no `train` statement names: exit 2.
 * - Data: inline samples, generators (targets of the network's output width: 1 for the class,
 *   2 for one-hot), and CSV files. A CSV path is relative to the spec's own folder and must stay
 *   inside it (or its subfolders), also after following symbolic links: a path that leads out,
 *   a missing or unreadable file, or one above CSV_MAX_CHARS bytes is an I/O error, exit 2; a
 *   malformed CSV (or one whose columns do not fit the network) is an error in the input, exit 1
 *   with its line and column. Every data set is read before anything is trained.
 * - A run whose loss becomes NaN or ±Infinity stops there; that is a result (`"diverged"` in the
 *   JSON, a warning on stderr), not a failure: exit 0.
 * - JSON per run: the keys docs/LANGUAGE.md lists under *Command line* ("epochs" is the number of epochs run, as many as
 *   "loss" has: the statement's epochs unless the run diverged), "b": null for a nobias layer, and
 *   "line" (1-based), "train_samples", "test_samples", "batch", "steps"; with a test set
 *   "test_loss" (per epoch) and "final_test_loss"; for classification "accuracy" (per epoch, as
 *   the epoch fed the samples forward) and "final_accuracy", and with a test set
 *   "test_accuracy" and "final_test_accuracy"; "diverged": {"epoch", "step", "loss"} when it did.
 *   The conventions (split, shuffling, accuracy) are engine/train.ts's.
 */
function trainCommand(file: { name: string; text: string }, only: string | undefined, json: boolean, io: Io): number {
  const a = analyze(file.text);
  printDiagnostics(file.name, a, io, 'stderr');
  const emptyJson = () => {
    if (json) io.out(toJson({ file: file.name, runs: [] }) + '\n');
  };
  if (hasErrors(a)) {
    io.err(`netspec: ${file.name} has errors; nothing was trained\n`);
    emptyJson();
    return 1;
  }
  const trains = a.program.trains.filter((t) => only === undefined || t.stmt.network.text === only);
  if (only !== undefined && trains.length === 0) {
    const named = [...new Set(a.program.trains.map((t) => t.stmt.network.text))];
    const known = named.length ? ` (it trains ${named.map((n) => `\`${n}\``).join(', ')})` : ' (it has no `train` statement)';
    io.err(`netspec: ${file.name} has no \`train\` statement for a network named \`${only}\`${known}\n`);
    return 2;
  }

  // Every data set first: nothing trains when one of them cannot be read.
  const jobs: Job[] = [];
  let failure: 0 | 1 | 2 = 0;
  const cache = new Map<string, DataSample[]>();
  for (const info of trains) {
    try {
      jobs.push(prepareJob(file.name, a, info, cache, diskFiles));
    } catch (err) {
      if (!(err instanceof RunProblem)) throw err;
      io.err(err.message + '\n');
      failure = Math.max(failure, err.exitCode) as 1 | 2;
    }
  }
  if (failure) {
    io.err(`netspec: nothing was trained\n`);
    emptyJson();
    return failure;
  }
  if (jobs.length === 0 && !json) io.out(`${file.name}: no \`train\` statements\n`);

  const runs: Record<string, unknown>[] = [];
  for (const job of jobs) {
    let result: TrainResult;
    try {
      result = runJob(job, io);
    } catch (err) {
      if (!(err instanceof TrainError)) throw err;
      io.err(`${file.name}:${job.line}: error [train] ${capitalise(err.message)}.\n`);
      emptyJson();
      return 1;
    }
    if (result.diverged) {
      const d = result.diverged;
      io.err(`${file.name}:${job.line}: warning [diverged] training \`${job.network.name}\` stopped at epoch ${d.epoch}, step ${d.step}: the batch loss is ${d.loss}. Lower the learning rate.\n`);
    }
    if (json) runs.push(runJson(job, result));
    else printRun(file.name, job, result, io);
  }
  if (json) io.out(toJson({ file: file.name, runs }) + '\n');
  return 0;
}

// ---- export -----------------------------------------------------------------------------------

/**
 * `netspec export FILE [--network NAME] --to pytorch [-o OUT] [--force]`: the network's `train`
 * statement (the first, when it has several) as a self-contained PyTorch program
 * (export/pytorch.ts). `--network` may be left out when one network is trained. OUT defaults to
 * FILE.NAME.py beside the spec (`xor.netspec` → `xor.xor.py`); `-o -` writes to stdout. An
 * existing OUT is replaced only with --force. Exit 1 for a file with errors or a run that
 * cannot be exported, 2 for usage and I/O problems.
 */
function exportCommand(file: { name: string; text: string }, only: string | undefined, out: string | undefined, force: boolean, io: Io): number {
  const a = analyze(file.text);
  printDiagnostics(file.name, a, io, 'stderr');
  if (hasErrors(a)) {
    io.err(`netspec: ${file.name} has errors; nothing was exported\n`);
    return 1;
  }
  const named = [...new Set(a.program.trains.map((t) => t.stmt.network.text))];
  if (only === undefined) {
    if (named.length !== 1) {
      const which = named.length ? `: it trains ${named.map((n) => `\`${n}\``).join(', ')}` : ', and it has no `train` statement';
      io.err(`netspec: export needs --network NAME${which}\n`);
      return 2;
    }
    only = named[0];
  }
  const trains = a.program.trains.filter((t) => t.stmt.network.text === only);
  if (trains.length === 0) {
    const known = named.length ? ` (it trains ${named.map((n) => `\`${n}\``).join(', ')})` : ' (it has no `train` statement)';
    io.err(`netspec: ${file.name} has no \`train\` statement for a network named \`${only}\`${known}; export writes a network with its training run\n`);
    return 2;
  }
  let job: Job;
  try {
    job = prepareJob(file.name, a, trains[0], new Map(), diskFiles);
  } catch (err) {
    if (!(err instanceof RunProblem)) throw err;
    io.err(err.message + '\n');
    return err.exitCode;
  }
  if (trains.length > 1) io.err(`${file.name}:${job.line}: note: \`${only}\` has ${trains.length} \`train\` statements; this one is exported\n`);
  let source: string;
  try {
    source = exportPyTorch({ file: file.name, program: a.program, info: job.info, line: job.line, network: job.network, dataName: job.dataName, data: job.data, version: VERSION });
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    io.err(`${file.name}:${job.line}: error [export] ${capitalise(err.message)}.\n`);
    return 1;
  }
  return writeOutput(source, out ?? defaultExportPath(file.name, only), out === '-', force, io, 0o755);
}

/**
 * Writes what export or diagram made: to stdout (`-o -`), else to `target`, which it replaces only
 * with --force; prints the path written. Exit 2 with a one-line reason when it cannot write.
 */
function writeOutput(source: string | Uint8Array, target: string, stdout: boolean, force: boolean, io: Io, mode: number): number {
  if (stdout) {
    if (typeof source === 'string') io.out(source);
    else if (io.outBytes) io.outBytes(source);
    else throw new Error('this output cannot take bytes');
    return 0;
  }
  if (!force && fs.existsSync(target)) {
    io.err(`netspec: ${target} already exists; use --force to replace it, or -o to write elsewhere\n`);
    return 2;
  }
  try {
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    fs.writeFileSync(target, source, { mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    io.err(`netspec: cannot write ${target}: ${why}\n`);
    return 2;
  }
  io.out(`${target}\n`);
  return 0;
}

/**
 * `netspec diagram`: the network (the file's only one, or --network NAME) with its explicit or
 * initial parameters as an SVG, each edge with dE/dw at the file's first `probe` of it.
 */
function diagramCommand(file: { name: string; text: string }, only: string | undefined, out: string | undefined, force: boolean, io: Io): number {
  const a = analyze(file.text);
  printDiagnostics(file.name, a, io, 'stderr');
  if (hasErrors(a)) {
    io.err(`netspec: ${file.name} has errors; no diagram was written\n`);
    return 1;
  }
  const names = [...a.program.networks.keys()];
  const list = names.length ? `: it defines ${names.map((n) => `\`${n}\``).join(', ')}` : ', and it defines none';
  if (only === undefined) {
    if (names.length !== 1) {
      io.err(`netspec: diagram needs ${names.length ? '--network NAME' : 'a `network`'}${list}\n`);
      return 2;
    }
    only = names[0];
  }
  const info = a.program.networks.get(only);
  if (!info) {
    io.err(`netspec: ${file.name} has no network named \`${only}\`${list}\n`);
    return 2;
  }
  const input = info.layers.find((l) => l.kind === 'input');
  if (!info.network || !input) {
    io.err(`netspec: the network \`${only}\` could not be built\n`);
    return 1;
  }
  const probe = a.probes.find((p) => p.network === only);
  const svg = diagramSvg(diagramLayout(info.network, { inputName: input.name.text, ...(probe?.result ? { grads: probe.result.layers.map((l) => l.dW) } : {}) }));
  const base = path.basename(file.name).replace(/\.netspec$/i, '');
  return writeOutput(svg, out ?? path.join(path.dirname(file.name), `${base}.${only}.svg`), out === '-', force, io, 0o644);
}

/** `dir/xor.netspec` and `xor` → `dir/xor.xor.py`. */
export function defaultExportPath(spec: string, network: string): string {
  const base = path.basename(spec).replace(/\.netspec$/i, '');
  return path.join(path.dirname(spec), `${base}.${network}.py`);
}

function runJob(job: Job, io: Io): TrainResult {
  const trainer = new Trainer(job.network, job.data, job.info);
  const total = job.info.epochs;
  const label = `train ${job.network.name} on ${job.dataName}`;
  let last = 0;
  while (!trainer.done) {
    const stats = trainer.runEpoch();
    if (io.errIsTTY) {
      const now = Date.now();
      if (now - last >= 100 || trainer.done) {
        last = now;
        io.err(`\r${label}: epoch ${stats.epoch}/${total}  loss ${formatNumber(stats.loss, 6)}\u001b[K`);
      }
    }
  }
  if (io.errIsTTY) io.err('\r\u001b[K');
  return trainer.result();
}

/** A layer's W as rows [inputs][units], and b (null without a bias, as `grad` writes db). */
function layerJson(net: Network): Record<string, { W: number[][]; b: number[] | null }> {
  const out: Record<string, { W: number[][]; b: number[] | null }> = {};
  for (const l of net.layers) {
    const W: number[][] = [];
    for (let j = 0; j < l.inputs; j++) W.push(Array.from(l.W.subarray(j * l.units, (j + 1) * l.units)));
    out[l.name] = { W, b: l.hasBias ? Array.from(l.b) : null };
  }
  return out;
}

/** "confusion" and "accuracy", or "rmse" and "r2" (engine/metrics.ts). */
function metricsJson(m: Metrics): Record<string, unknown> {
  return m.kind === 'classes' ? { confusion: m.confusion, accuracy: m.accuracy } : { rmse: m.rmse, r2: m.r2 };
}

function runJson(job: Job, r: TrainResult): Record<string, unknown> {
  return {
    network: job.network.name,
    data: job.dataName,
    line: job.line,
    epochs: r.epochs,
    stopped_early: r.stoppedEarly,
    lr: r.lr,
    loss: r.loss,
    final_loss: r.finalLoss,
    layers: layerJson(r.network),
    train_samples: r.trainIndices.length,
    test_samples: r.testIndices.length,
    batch: r.batch,
    steps: r.steps,
    ...(r.testLoss ? { test_loss: r.testLoss, final_test_loss: r.finalTestLoss } : {}),
    ...(r.accuracy ? { epoch_accuracy: r.accuracy, final_accuracy: r.finalAccuracy } : {}),
    ...(r.testAccuracy ? { test_accuracy: r.testAccuracy, final_test_accuracy: r.finalTestAccuracy } : {}),
    ...(r.diverged ? { diverged: r.diverged } : {}),
    ...metricsJson(r.metrics),
    ...(r.testMetrics ? { test: metricsJson(r.testMetrics) } : {}),
  };
}

function describeOptimizer(info: TrainInfo): string {
  const o = info.optimizer;
  const opt = o.kind === 'sgd' ? 'sgd' : o.kind === 'momentum' ? `momentum(${o.momentum})` : `adam(${o.beta1}, ${o.beta2})`;
  return `${opt}, learning_rate ${info.learningRate}${info.schedule ? `, schedule ${scheduleText(info.schedule)}` : ''}${info.l2 ? `, l2 ${info.l2}` : ''}${info.l1 ? `, l1 ${info.l1}` : ''}${info.patience !== undefined ? `, patience ${info.patience}` : ''}${info.precision === 'float32' ? ', precision float32' : ''}`;
}

/** `confusion [[9, 1], [0, 10]] (rows: true class)` or `rmse 0.1  r2 0.95`. */
function metricsText(m: Metrics): string {
  if (m.kind === 'regression') return `rmse ${formatNumber(m.rmse, 6)}  r2 ${formatNumber(m.r2, 6)}`;
  return `confusion [${m.confusion.map((row) => `[${row.join(', ')}]`).join(', ')}] (rows: true class, columns: predicted)`;
}

const percent = (x: number | undefined) => (x === undefined ? '' : `${formatNumber(100 * x, 4)}%`);

function printRun(file: string, job: Job, r: TrainResult, io: Io): void {
  const nTrain = r.trainIndices.length;
  const nTest = r.testIndices.length;
  const samples = nTest ? `${nTrain} training and ${nTest} test samples` : `${nTrain} sample${nTrain === 1 ? '' : 's'}`;
  io.out(`${file}:${job.line}: train ${job.network.name} on ${job.dataName}: ${describeOptimizer(job.info)}, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, batch ${r.batch}, ${samples}\n`);
  const st = job.network.standardize;
  if (st) io.out(`  inputs standardized: mean [${st.mean.map((m) => formatNumber(m, 6)).join(', ')}], std [${st.std.map((v) => formatNumber(v, 6)).join(', ')}]\n`);
  // About ten epochs of the curve: the first, every tenth of the way, the last.
  const every = Math.max(1, Math.ceil(r.epochs / 10));
  const width = String(r.epochs).length;
  for (let e = 1; e <= r.epochs; e++) {
    if (e !== 1 && e !== r.epochs && e % every !== 0) continue;
    let s = `  epoch ${String(e).padStart(width)}  loss ${formatNumber(r.loss[e - 1], 6)}`;
    if (r.testLoss) s += `  test loss ${formatNumber(r.testLoss[e - 1], 6)}`;
    if (r.accuracy) s += `  accuracy ${percent(r.accuracy[e - 1])}`;
    if (r.testAccuracy) s += `  test accuracy ${percent(r.testAccuracy[e - 1])}`;
    if (job.info.schedule) s += `  learning rate ${formatNumber(r.lr[e - 1], 6)}`;
    io.out(s + '\n');
  }
  if (r.diverged) io.out(`  diverged at epoch ${r.diverged.epoch}, step ${r.diverged.step}: the batch loss is ${r.diverged.loss}\n`);
  if (r.stoppedEarly) io.out(`  stopped early after epoch ${r.epochs}: the ${nTest ? 'test' : 'train'} loss had not gone below its lowest for ${job.info.patience} epochs\n`);
  let fin = `  final loss ${formatNumber(r.finalLoss, 10)}`;
  if (r.finalAccuracy !== undefined) fin += `  accuracy ${percent(r.finalAccuracy)} (${Math.round(r.finalAccuracy * nTrain)}/${nTrain})`;
  io.out(fin + '\n');
  if (r.finalTestLoss !== undefined) {
    let t = `  test loss ${formatNumber(r.finalTestLoss, 10)}`;
    if (r.finalTestAccuracy !== undefined) t += `  accuracy ${percent(r.finalTestAccuracy)} (${Math.round(r.finalTestAccuracy * nTest)}/${nTest})`;
    io.out(t + '\n');
  }
  io.out(`  training set: ${metricsText(r.metrics)}\n`);
  if (r.testMetrics) io.out(`  test set: ${metricsText(r.testMetrics)}\n`);
  for (const [name, { W, b }] of Object.entries(layerJson(r.network))) {
    io.out(`  layer ${name}\n    W [${W.length}][${W[0]?.length ?? 0}]:\n${formatMatrix(W, '      ')}\n`);
    if (b) io.out(`    b ${formatValue(b)}\n`);
  }
}

if (require.main === module) {
  setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
  useNodeThreads(process.env.NETSPEC_THREADS);
  // `netspec … | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const code = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    outBytes: (b) => process.stdout.write(b),
    err: (s) => process.stderr.write(s),
    errIsTTY: process.stderr.isTTY === true,
  });
  process.exitCode = code;
}
