import type { FileAnalysis } from '../analysis/analyze';
import { formatNumber } from '../analysis/format';
import { meanLoss, type Network } from '../engine/network';
import { batchGradient, Trainer, TrainError, type EpochStats, type Sample } from '../engine/train';
import { givenFiles } from '../runs/data-files';
import { dataFilesOf, prepareJob, RunProblem } from '../runs/jobs';
import type { DebugHost } from './host';
import { StageError, weightRows, type Stage, type StageVariable } from './stages';
import type { Walk } from './walk';

/**
 * A `train` statement in the debugger: the run the CLI and the editor would make (the same data,
 * split, shuffles and optimiser: the engine's Trainer), stopped at the end of each epoch on the
 * statement's line, with the epoch's loss, the test loss, and each layer's parameters and mean
 * |dE/dW|. Epochs are computed as the session reaches them and only the entry and the latest
 * stage are kept, so a run of a million epochs costs no more memory than one.
 */
export async function trainingWalk(a: FileAnalysis, line: number, program: string, host: DebugHost): Promise<Walk> {
  const lineOf = (offset: number) => a.lines.position(offset).line + 1;
  const info = a.program.trains.find((t) => lineOf(t.stmt.start) === line);
  if (!info) {
    const listed = a.program.trains.map((t) => `${lineOf(t.stmt.start)} (train ${t.stmt.network.text} on ${t.stmt.data.text})`);
    throw new StageError(`Line ${line} is not a \`train\` statement. ${listed.length === 0 ? 'This file has none.' : `The train statements are on line${listed.length === 1 ? '' : 's'} ${listed.join(', ')}.`}`);
  }
  const rels = dataFilesOf(a, info);
  let texts: Parameters<typeof givenFiles>[0] = {};
  if (rels.length > 0) {
    if (!host.readData) throw new StageError(`This debugger cannot read data files, and \`${info.stmt.data.text}\` is read from "${rels[0]}".`);
    texts = await host.readData(program, rels);
  }
  let trainer: Trainer;
  let data: readonly Sample[];
  let network: Network;
  try {
    const job = prepareJob(program, a, info, new Map(), givenFiles(texts));
    trainer = new Trainer(job.network, job.data, info);
    data = job.data;
    network = job.network;
  } catch (err) {
    if (err instanceof RunProblem || err instanceof TrainError) throw new StageError(err.message);
    throw err;
  }
  const trainSet = trainer.trainIndices.map((i) => data[i]);
  const testSet = trainer.testIndices.map((i) => data[i]);
  const title = `train ${info.stmt.network.text} on ${info.stmt.data.text}`;
  const layerNames = network.layers.map((l) => l.name);

  /** Each layer's W and b, and mean |dE/dW| of the mean loss over the training set. */
  const parameters = (net: Network): StageVariable[] => {
    const grads = batchGradient(net, trainSet).layers;
    return net.layers.flatMap((layer, l) => {
      const vars: StageVariable[] = [{ name: `W_${layer.name}`, id: `W_${layer.name}`, value: weightRows(layer) }];
      if (layer.hasBias) vars.push({ name: `b_${layer.name}`, id: `b_${layer.name}`, value: Array.from(layer.b) });
      const dW = grads[l].dW;
      vars.push({ name: `mean |dE/dW| ${layer.name}`, id: `grad_${layer.name}`, value: dW.reduce((s, g) => s + Math.abs(g), 0) / dW.length });
      return vars;
    });
  };
  const entry: Stage = {
    kind: 'entry', name: title, line,
    variables: [
      { name: 'epoch', id: 'epoch', value: 0 },
      { name: 'loss', id: 'loss', value: meanLoss(network, trainSet) },
      ...(testSet.length ? [{ name: 'test_loss', id: 'test_loss', value: meanLoss(network, testSet) }] : []),
      ...parameters(network),
    ],
  };
  const epochStage = (stats: EpochStats): Stage => {
    const variables: StageVariable[] = [{ name: 'epoch', id: 'epoch', value: stats.epoch }, { name: 'loss', id: 'loss', value: stats.loss }];
    if (stats.testLoss !== undefined) variables.push({ name: 'test_loss', id: 'test_loss', value: stats.testLoss });
    if (stats.accuracy !== undefined) variables.push({ name: 'accuracy', id: 'accuracy', value: stats.accuracy });
    if (stats.testAccuracy !== undefined) variables.push({ name: 'test_accuracy', id: 'test_accuracy', value: stats.testAccuracy });
    variables.push(...parameters(trainer.network()));
    return { kind: 'epoch', name: `epoch ${stats.epoch}`, line, variables };
  };
  let latest: { index: number; stage: Stage; stats?: EpochStats } = { index: 0, stage: entry };
  const names = new Set(['epoch', 'loss', 'test_loss', 'accuracy', 'test_accuracy', ...layerNames.flatMap((n) => [`W_${n}`, `b_${n}`, `grad_${n}`])]);
  return {
    title: `${title} (line ${line})`,
    base: { name: title, line },
    lines: new Set([line]),
    elsewhere: `A training session stops at the end of each epoch, on the \`train\` line (${line}): put breakpoints there, with a condition such as \`loss < 0.01\`.`,
    names,
    reversible: false,
    stage(i) {
      if (i === 0) return entry;
      if (i === latest.index) return latest.stage;
      if (i !== latest.index + 1 || trainer.done) return undefined;
      const stats = trainer.runEpoch();
      latest = { index: i, stage: epochStage(stats), stats };
      return latest.stage;
    },
    explain(stage) {
      if (stage.kind === 'entry') {
        return [`${title}: ${trainer.options.epochs} epochs of ${trainSet.length} training samples in batches of ${trainer.batch}${testSet.length ? `, ${testSet.length} held out for the test loss` : ''}.`,
          'Step Over runs one epoch; Continue runs to the next epoch whose breakpoint on this line holds (`loss < 0.01`), or to the end.'];
      }
      const get = (id: string) => stage.variables.find((v) => v.id === id)?.value;
      const n = (v: unknown) => (typeof v === 'number' ? formatNumber(v, 6) : String(v));
      const stats = latest.stage === stage ? latest.stats : undefined;
      const lines = [`${stage.name} of ${trainer.options.epochs}: loss ${n(get('loss'))}, the mean of its ${stats?.steps ?? '?'} batch losses (each the mean per-sample loss of its batch, taken before that batch's step)${get('test_loss') !== undefined ? `; test loss ${n(get('test_loss'))} after the epoch` : ''}.`];
      if (stats?.diverged) lines.push(`The loss became ${stats.diverged.loss} at step ${stats.diverged.step}: the run stopped there.`);
      for (const name of layerNames) lines.push(`  ${name}: mean |dE/dW| = ${n(get(`grad_${name}`))}, over the training set at the parameters after this epoch`);
      return lines;
    },
  };
}
