import * as path from 'path';
import type { FileAnalysis } from '../analysis/analyze';
import type { Network } from '../engine/network';
import { Trainer, TrainError } from '../engine/train';
import { ExportError } from '../export/expr-python';
import type { OnnxDType } from '../export/onnx/graph';
import { exportOnnx } from '../export/onnx/model';
import { diskFiles } from '../runs/files-node';
import { prepareJob, RunProblem } from '../runs/jobs';
import { capitalise } from '../semantics/diagnostic';

/**
 * `netspec export FILE [--network NAME] --to onnx [-o OUT.onnx] [--force] [--dtype float32|float64]
 * [--trained]`: the network's forward pass as an ONNX model (export/onnx/). No `train` statement is
 * needed: the weights are the network's explicit or initial ones; with `--trained`, those its first
 * `train` statement produces (run here, as `netspec train` runs it). OUT defaults to
 * FILE.NAME.onnx beside the spec; `-o -` writes the bytes to stdout.
 */
export interface OnnxCommand {
  file: { name: string; text: string };
  analysis: FileAnalysis;
  network: string | undefined;
  dtype: OnnxDType;
  trained: boolean;
  version: string;
}

export type OnnxOutcome = { bytes: Uint8Array; network: string; target: string } | { error: string; code: 1 | 2 };

export function onnxExport(c: OnnxCommand): OnnxOutcome {
  const a = c.analysis;
  const names = [...a.program.networks.keys()];
  const list = names.length ? `: it defines ${names.map((n) => `\`${n}\``).join(', ')}` : ', and it defines none';
  const name = c.network ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) return { error: `export needs ${names.length ? '--network NAME' : 'a `network`'}${list}`, code: 2 };
  const info = a.program.networks.get(name);
  if (!info) return { error: `${c.file.name} has no network named \`${name}\`${list}`, code: 2 };
  if (!info.network) return { error: `the network \`${name}\` could not be built`, code: 1 };
  let network: Network = info.network;
  let parameters = 'explicit or initial weights';
  if (c.trained) {
    const train = a.program.trains.find((t) => t.stmt.network.text === name);
    if (!train) return { error: `--trained runs the network's first \`train\` statement, and \`${name}\` has none`, code: 2 };
    try {
      const job = prepareJob(c.file.name, a, train, new Map(), diskFiles);
      const trainer = new Trainer(job.network, job.data, job.info);
      while (!trainer.done) trainer.runEpoch();
      const r = trainer.result();
      if (r.diverged) return { error: `${c.file.name}:${job.line}: training \`${name}\` diverged at epoch ${r.diverged.epoch}; nothing was exported`, code: 1 };
      network = r.network;
      parameters = `trained weights (line ${job.line}: ${r.epochs} epochs on \`${job.dataName}\`, final loss ${r.finalLoss})`;
    } catch (err) {
      if (err instanceof RunProblem) return { error: err.message, code: err.exitCode };
      if (err instanceof TrainError) return { error: capitalise(err.message), code: 1 };
      throw err;
    }
  }
  try {
    const bytes = exportOnnx({ file: path.basename(c.file.name), program: a.program, info, network, dtype: c.dtype, version: c.version, parameters });
    const base = path.basename(c.file.name).replace(/\.netspec$/i, '');
    return { bytes, network: name, target: path.join(path.dirname(c.file.name), `${base}.${name}.onnx`) };
  } catch (err) {
    if (err instanceof ExportError) return { error: `${c.file.name}: error [export] ${capitalise(err.message)}`, code: 1 };
    throw err;
  }
}
