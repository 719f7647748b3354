/**
 * What a run tells the training panel beyond its loss, through the server over stdio: each epoch's
 * learning rate, whether early stopping ended it, its final metrics (equal to `netspec train
 * --json`, run as a process on the same file), and compared runs (`netspec/trainAll`: one run per
 * `train` statement, side by side, each with the result of its lone run).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { EpochPoint, RunMetrics, TrainAllAnswer, TrainProgress, TrainStarted, TrainTarget } from '../../server/src/protocol/training';
import type { TrainedParametersAnswer } from '../../server/src/protocol/weights';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { EXTENSION_OPTIONS, LspClient } from '../support/lsp';
import { cliPath } from '../support/paths';
import { until } from '../support/until';

let client: LspClient;
const events: TrainProgress[] = [];
before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('netspec/trainProgress', (p: TrainProgress) => {
    events.push(p);
  });
});
after(async () => {
  await client.stop();
});

interface CliRun {
  network: string;
  line: number;
  epochs: number;
  stopped_early: boolean;
  lr: number[];
  loss: number[];
  final_loss: number;
  layers: Record<string, { W: number[][]; b: number[] | null }>;
  confusion?: number[][];
  accuracy?: number;
  rmse?: number;
  r2?: number;
  test?: { confusion?: number[][]; accuracy?: number; rmse?: number; r2?: number };
}

/** `netspec train FILE --json` on a copy of the text in a folder of its own: its runs, in file order. */
function cliRuns(text: string): CliRun[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-metrics-'));
  const file = path.join(dir, 'spec.netspec');
  fs.writeFileSync(file, text);
  const out = spawnSync(process.execPath, [cliPath(), 'train', file, '--json'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout).runs as CliRun[];
}

/** The CLI's metrics object (confusion and accuracy, or rmse and r2) as the panel's RunMetrics. */
function metricsOf(m: { confusion?: number[][]; accuracy?: number; rmse?: number; r2?: number }): RunMetrics {
  return m.confusion ? { kind: 'classes', confusion: m.confusion, accuracy: m.accuracy! } : { kind: 'regression', rmse: m.rmse!, r2: m.r2! };
}

/** Every epoch a run's progress events carried (each brings the epochs since the previous one), in order. */
function epochsOf(runId: string): EpochPoint[] {
  return events.filter((e): e is Extract<TrainProgress, { done: false }> => e.runId === runId && !e.done)
    .flatMap((e) => [...e.recent, { epoch: e.epoch, loss: e.loss, lr: e.lr, testLoss: e.testLoss }]);
}

function endOf(runId: string): Extract<TrainProgress, { done: true }> | undefined {
  return events.find((e): e is Extract<TrainProgress, { done: true }> => e.runId === runId && e.done);
}

async function finished(runId: string): Promise<Extract<TrainProgress, { done: true; cancelled?: undefined; error?: undefined }>> {
  const end = await until(`run ${runId} to end`, () => endOf(runId), 60_000);
  assert.equal(end.error, undefined, end.error);
  assert.ok(!end.cancelled, 'the run was cancelled');
  return end as Extract<TrainProgress, { done: true; cancelled?: undefined; error?: undefined }>;
}

async function opened(uri: string, text: string): Promise<void> {
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
}

const lineOf = (text: string, prefix: string) => text.split('\n').findIndex((l) => l.startsWith(prefix));

const MOONS = [
  'network m {',
  '  input x[2]',
  '  dense h[8] tanh',
  '  dense y[2] softmax',
  '  loss cross_entropy',
  '  init xavier seed 4',
  '}',
  'data d = moons(n: 120, noise: 0.2, seed: 3)',
  '',
].join('\n');

test('a classifier with a schedule, a split and patience: each epoch\'s lr, the early stop and the confusion matrices equal the CLI\'s', async () => {
  const text = MOONS + 'train m on d {\n  optimizer momentum(0.9)\n  learning_rate 0.5\n  schedule step(3, 0.5)\n  epochs 400\n  batch 16\n  split 0.75\n  seed 5\n  patience 4\n}\n';
  const uri = 'file:///metrics-classes.netspec';
  await opened(uri, text);
  const [cli] = cliRuns(text);
  assert.ok(cli.stopped_early && cli.epochs < 400, `the case should stop early: ${cli.epochs} epochs`);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: lineOf(text, 'train') })) as TrainStarted;
  assert.equal(started.label, `line ${lineOf(text, 'train') + 1}: momentum 0.9 lr 0.5, schedule step(3, 0.5), batch 16, patience 4`);
  const end = await finished(started.runId);
  const epochs = epochsOf(started.runId);
  assert.deepEqual(epochs.map((e) => e.epoch), cli.lr.map((_, i) => i + 1), 'every epoch reaches the panel');
  assert.deepEqual(epochs.map((e) => e.lr), cli.lr, 'the learning rate of each epoch');
  assert.ok(new Set(cli.lr).size > 2, 'the schedule changed the rate');
  assert.equal(end.epoch, cli.epochs);
  assert.equal(end.stoppedEarly, true);
  assert.deepEqual(end.metrics, metricsOf(cli));
  assert.deepEqual(end.testMetrics, metricsOf(cli.test!));
  assert.equal(end.metrics!.kind, 'classes');
  // A real count: every training sample lands in one cell.
  const cells = end.metrics!.kind === 'classes' ? end.metrics!.confusion.flat().reduce((a, b) => a + b, 0) : 0;
  assert.equal(cells, 90);
});

test('a regression network: the final RMSE and R², over the training and test sets, equal the CLI\'s; no early stop', async () => {
  const text = [
    'network f {', '  input x[1]', '  dense h[6] tanh', '  dense y[1] identity', '  init xavier seed 2', '}',
    'data s = function(sin(2 * x), n: 60, from: -2, to: 2, noise: 0.05, seed: 7)',
    'train f on s {', '  optimizer adam(0.9, 0.999)', '  learning_rate 0.02', '  epochs 150', '  batch 10', '  split 0.8', '}', '',
  ].join('\n');
  const uri = 'file:///metrics-regression.netspec';
  await opened(uri, text);
  const [cli] = cliRuns(text);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: lineOf(text, 'train') })) as TrainStarted;
  const end = await finished(started.runId);
  assert.equal(end.stoppedEarly, false);
  assert.deepEqual(end.metrics, metricsOf(cli));
  assert.deepEqual(end.testMetrics, metricsOf(cli.test!));
  assert.ok(end.metrics!.kind === 'regression' && end.metrics!.r2 > 0.5, JSON.stringify(end.metrics));
  // No schedule: the same rate every epoch.
  assert.deepEqual([...new Set(epochsOf(started.runId).map((e) => e.lr))], [0.02]);
});

test('Train All: one run per train statement, side by side in one group, each equal to its lone run and to the CLI\'s', async () => {
  const text = MOONS + [
    'train m on d {\n  optimizer sgd\n  learning_rate 0.3\n  epochs 300\n  batch 8\n  seed 1\n}',
    'train m on d {\n  optimizer adam(0.9, 0.999)\n  learning_rate 0.01\n  epochs 300\n  batch 8\n  seed 1\n}',
  ].join('\n') + '\n';
  const uri = 'file:///compare.netspec';
  await opened(uri, text);
  const cli = cliRuns(text);
  const targets = (await client.connection.sendRequest('netspec/trainTargets', { uri })) as TrainTarget[];
  const lines = text.split('\n').flatMap((l, i) => (l.startsWith('train ') ? [i] : []));
  assert.deepEqual(targets.map((t) => t.label), [`line ${lines[0] + 1}: sgd lr 0.3, batch 8`, `line ${lines[1] + 1}: adam lr 0.01, batch 8`]);

  const all = (await client.connection.sendRequest('netspec/trainAll', { uri })) as TrainAllAnswer;
  assert.ok(!('error' in all), JSON.stringify(all));
  assert.deepEqual(all.runs.map((r) => r.line), lines);
  assert.equal(new Set(all.runs.map((r) => r.runId)).size, 2, 'one run per statement');
  const ends = await Promise.all(all.runs.map((r) => finished(r.runId)));
  // Side by side: neither stopped the other (both ran to their end), and every event names the group and the statement.
  for (const [i, r] of all.runs.entries()) {
    const mine = events.filter((e) => e.runId === r.runId);
    assert.ok(mine.every((e) => e.group === all.group && e.line === lines[i] && e.label === targets[i].label), `run ${i}'s events name its group and statement`);
    assert.equal(ends[i].epoch, 300);
    assert.deepEqual(epochsOf(r.runId).map((e) => e.loss), cli[i].loss, `run ${i}'s curve is the CLI's`);
    assert.deepEqual(ends[i].metrics, metricsOf(cli[i]));
    assert.equal(ends[i].finalLoss, cli[i].final_loss);
  }
  assert.notDeepEqual(cli[0].loss, cli[1].loss, 'the two statements train differently');
  // The network keeps the parameters of the run that finished last.
  const lastId = events.filter((e) => e.done && all.runs.some((r) => r.runId === e.runId)).at(-1)!.runId;
  const last = all.runs.findIndex((r) => r.runId === lastId);
  const trained = (await client.connection.sendRequest('netspec/trainedParameters', { uri })) as TrainedParametersAnswer;
  assert.deepEqual(trained.networks.m.layers.map((l) => l.W), Object.values(cli[last].layers).map((l) => l.W.flat()));

  // Each statement alone gives the same run as in the group.
  for (const [i, line] of lines.entries()) {
    const lone = (await client.connection.sendRequest('netspec/train', { uri, line })) as TrainStarted;
    const end = await finished(lone.runId);
    assert.equal(events.find((e) => e.runId === lone.runId)!.group, undefined, 'a lone run is in no group');
    assert.deepEqual(epochsOf(lone.runId).map((e) => e.loss), epochsOf(all.runs[i].runId).map((e) => e.loss));
    assert.deepEqual(end.metrics, ends[i].metrics);
  }
});

test('Train All on a file with errors starts nothing and says why', async () => {
  const uri = 'file:///compare-broken.netspec';
  const text = MOONS + 'train m on nowhere\n';
  await opened(uri, text);
  const before = events.length;
  const answer = (await client.connection.sendRequest('netspec/trainAll', { uri })) as TrainAllAnswer;
  assert.ok('error' in answer && /errors/.test(answer.error), JSON.stringify(answer));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events.length, before, 'no run started');
});

test('the Train all lens: on each train statement of a file with several, for a client that runs netspec.trainAll; never for other editors', async () => {
  const vscodeLike = await LspClient.start({ initializationOptions: EXTENSION_OPTIONS });
  try {
    const lenses = async (c: LspClient, uri: string, text: string) => {
      await c.open(uri, text, 1);
      await c.diagnostics(uri, 1);
      return ((await c.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[])
        .filter((l) => /^Train/.test(l.command!.title)).map((l) => [l.range.start.line, l.command!.title, l.command!.command]);
    };
    const two = MOONS + 'train m on d { epochs 5 }\ntrain m on d { optimizer adam(0.9, 0.999) epochs 5 }\n';
    const [a, b] = [lineOf(two, 'train m on d { epochs'), lineOf(two, 'train m on d { optimizer')];
    assert.deepEqual(await lenses(vscodeLike, 'file:///lens-two.netspec', two), [
      [a, 'Train', 'netspec.train'], [a, 'Train all', 'netspec.trainAll'], [b, 'Train', 'netspec.train'], [b, 'Train all', 'netspec.trainAll'],
    ]);
    assert.deepEqual(await lenses(vscodeLike, 'file:///lens-one.netspec', MOONS + 'train m on d { epochs 5 }\n'), [[lineOf(MOONS + 'train', 'train'), 'Train', 'netspec.train']]);
    assert.ok((await lenses(client, 'file:///lens-other.netspec', two)).every(([, title]) => title !== 'Train all'), 'no Train all lens for a client without the command');
  } finally {
    await vscodeLike.stop();
  }
});
