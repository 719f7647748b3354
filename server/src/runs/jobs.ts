import type { FileAnalysis } from '../analysis/analyze';
import { generate, parseCsv, type DataSample } from '../engine/datasets';
import type { Network } from '../engine/network';
import { functionSamples, trainingStandardization } from '../semantics/data-sets';
import { capitalise } from '../semantics/diagnostic';
import type { TrainInfo } from '../semantics/program';
import { DataFileProblem, type DataFiles } from './data-files';

/**
 * Training runs as the CLI and the language server start them: a `train` statement's data
 * gathered (inline, generated, or read from a CSV file confined to the spec's folder) and its
 * network, checked against each other before anything trains.
 */

/** A `train` statement ready to run: its options, its network (initial parameters), its data. */
export interface Job {
  info: TrainInfo;
  /** 1-based line of the `train` keyword. */
  line: number;
  network: Network;
  dataName: string;
  data: DataSample[];
}

/** Why a run cannot start: 1 for a problem in the input, 2 for an I/O problem. */
export class RunProblem extends Error {
  constructor(readonly exitCode: 1 | 2, message: string) {
    super(message);
  }
}


/**
 * Everything a `train` statement needs, or a RunProblem saying why it cannot run. `specFile` is
 * the spec's path: `files` reads CSV files relative to its folder, never outside it (on disk,
 * `files-node.ts`; in the browser, the texts the client read, `data-files.ts` `givenFiles`).
 */
export function prepareJob(specFile: string, a: FileAnalysis, info: TrainInfo, cache: Map<string, DataSample[]>, files: DataFiles, options: { readFiles?: boolean } = {}): Job {
  const line = a.lines.position(info.stmt.start).line + 1;
  const network = a.program.networks.get(info.stmt.network.text)?.network;
  const dataName = info.stmt.data.text;
  const set = a.program.data.get(dataName);
  if (!network || !set) throw new RunProblem(1, `${specFile}:${line}: error [train] \`${info.stmt.network.text}\` or \`${dataName}\` has errors.`);
  const K = network.layers[network.layers.length - 1].units;
  const pos = a.lines.position(set.stmt.start);
  const at = `${specFile}:${pos.line + 1}:${pos.character + 1}`;
  const src = set.stmt.source;
  const key = `${dataName}\u0000${K}`;
  let data = cache.get(key);
  if (!data) {
    switch (src.kind) {
      case 'inline':
        if (!set.samples) throw new RunProblem(1, `${at}: error [data] \`${dataName}\` has errors.`);
        data = set.samples;
        break;
      case 'generator': {
        const g = set.generator;
        if (!g) throw new RunProblem(1, `${at}: error [data] \`${dataName}\` has errors.`);
        if (K !== 1 && K !== 2) {
          throw new RunProblem(1, `${at}: error [shape] \`${g.name}(…)\` gives 1 target (the class, 0 or 1) or 2 (one-hot), but \`${network.name}\` has ${K} outputs.`);
        }
        data = generate(g.name, g, K);
        break;
      }
      case 'function': {
        const f = set.function;
        if (!f) throw new RunProblem(1, `${at}: error [data] \`${dataName}\` has errors.`);
        data = functionSamples(f, a.program.env);
        const bad = data.find((s) => !Number.isFinite(s.target[0]));
        if (bad) {
          const where = f.variables.map((v, i) => `${v} = ${bad.input[i]}`).join(', ');
          throw new RunProblem(1, `${at}: error [not-finite] the target of \`${dataName}\` at ${where} is ${bad.target[0]}: the expression must be a finite number at every input from ${f.params.from} to ${f.params.to}.`);
        }
        break;
      }
      case 'file':
        // `readFiles: false`: a workspace the user has not trusted (VS Code's Restricted Mode).
        if (options.readFiles === false) throw new RunProblem(2, `${at}: error [data-file] "${src.path.value}" is not read for \`${dataName}\`: the workspace is not trusted (Restricted Mode), and data files are read only in a trusted one.`);
        data = readCsvData(files, specFile, at, src.path.value, set.targetWidth ?? K, dataName);
        break;
    }
    cache.set(key, data);
  }
  const width = data[0].input.length;
  if (width !== network.inputs) {
    throw new RunProblem(1, `${at}: error [shape] the samples of \`${dataName}\` have ${width} input${width === 1 ? '' : 's'}, but \`${network.name}\` takes ${network.inputs}.`);
  }
  if (data[0].target.length !== K) {
    throw new RunProblem(1, `${at}: error [shape] the samples of \`${dataName}\` have ${data[0].target.length} targets, but \`${network.name}\` has ${K} outputs.`);
  }
  return { info, line, network: withFileStandardization(network, a, info, { name: dataName, samples: data }, cache, at), dataName, data };
}

/**
 * The network as the run trains it: a network that standardizes its inputs by a CSV file's
 * statistics (`data … from "f.csv" standardize`) gets them now, from the rows just read, over the
 * run's training part; every other network already has what its check computed. A later `train`
 * of that network on another data set takes them from the file's rows when an earlier job of the
 * same `cache` read them (the CLI prepares every run in file order), or from a run's trained
 * parameters in the editor (then `network.standardize` is set already).
 */
function withFileStandardization(network: Network, a: FileAnalysis, info: TrainInfo, data: { name: string; samples: DataSample[] }, cache: Map<string, DataSample[]>, at: string): Network {
  const how = a.program.networks.get(info.stmt.network.text)?.standardization;
  if (!how || how.stats || network.standardize) return network;
  if (how.data === data.name) return { ...network, standardize: trainingStandardization(data.samples.map((s) => s.input), info.split, info.seed) };
  const first = a.program.trains.find((t) => t.stmt.network.text === info.stmt.network.text);
  const K = network.layers[network.layers.length - 1].units;
  const rows = cache.get(`${how.data}\u0000${K}`);
  if (first && first.stmt.data.text === how.data && rows) return { ...network, standardize: trainingStandardization(rows.map((s) => s.input), first.split, first.seed) };
  throw new RunProblem(1, `${at}: error [standardize] \`${network.name}\` standardizes its inputs with the statistics of \`${how.data}\`, a CSV file read only by its own \`train\` statement; run that one first, or standardize \`${data.name}\` instead.`);
}


/** The CSV files a `train` statement reads (relative to the spec, as written): its data set's, if it has one. */
export function dataFilesOf(a: FileAnalysis, info: TrainInfo): string[] {
  const src = a.program.data.get(info.stmt.data.text)?.stmt.source;
  return src?.kind === 'file' ? [src.path.value] : [];
}

/** Reads `data … from "rel"` through `files` and parses it. */
function readCsvData(files: DataFiles, specFile: string, at: string, rel: string, targets: number, dataName: string): DataSample[] {
  let read: { text: string; shown: string };
  try {
    read = files.read(specFile, rel);
  } catch (err) {
    if (!(err instanceof DataFileProblem)) throw err;
    throw new RunProblem(2, `${at}: error [data-file] cannot read "${rel}" for \`${dataName}\`: ${err.message}.`);
  }
  const parsed = parseCsv(read.text, targets);
  if ('error' in parsed) {
    const e = parsed.error;
    throw new RunProblem(1, `${read.shown}:${e.line}:${e.column}: error [csv] ${capitalise(e.message)} (the data set \`${dataName}\`, ${at}).`);
  }
  return parsed.samples;
}
