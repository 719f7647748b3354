import { parentPort, workerData } from 'worker_threads';
import { analyze } from '../analysis/analyze';
import { fingerprint } from '../analysis/fingerprint';
import { kernelModeOf, setKernelMode } from '../engine/kernels/gemm';
import { forward, type Network } from '../engine/network';
import { Trainer, TrainError } from '../engine/train';
import { prepareJob, RunProblem } from '../runs/jobs';
import type { DecisionBoundary, EpochPoint } from '../protocol/training';
import type { RunMessage, RunRequest } from './runs';

/**
 * One training run, off the language server's thread so hovers and diagnostics stay instant.
 * It analyses the text it was given (the document as it was when the run started), trains the
 * `train` statement on the given line, and posts progress at most every 50 ms. Stopping is
 * `worker.terminate()`: immediate, whatever the epoch is doing.
 */
setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
const request = workerData as RunRequest;
const post = (m: RunMessage) => parentPort!.postMessage(m);

/** The class-1 probability over a grid, for a 2-input classifier's decision boundary. */
function boundary(net: Network, points: DecisionBoundary['points']): DecisionBoundary {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = (lo: number, hi: number): [number, number] => [lo - 0.1 * (hi - lo || 1), hi + 0.1 * (hi - lo || 1)];
  const xRange = pad(Math.min(...xs), Math.max(...xs));
  const yRange = pad(Math.min(...ys), Math.max(...ys));
  const resolution = 40;
  const values: number[] = [];
  for (let r = 0; r < resolution; r++) {
    const y = yRange[1] - ((r + 0.5) / resolution) * (yRange[1] - yRange[0]);
    for (let c = 0; c < resolution; c++) {
      const x = xRange[0] + ((c + 0.5) / resolution) * (xRange[1] - xRange[0]);
      const out = forward(net, [x, y]).at(-1)!.y;
      values.push(out.length === 1 ? out[0] : out[1]);
    }
  }
  return { xRange, yRange, resolution, values, points };
}

/** At most this many epochs ride along with one progress message. */
const RECENT_MAX = 500;

/** `n` evenly spaced elements of `xs` (all of them when there are fewer), keeping the last. */
function thin<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.round(((i + 1) * (xs.length - 1)) / n)]);
}

// For tests only (test/protocol/trust.test.ts): a worker that dies of an exception no handler
// catches, to prove the server reports it and keeps running. Never set outside a test.
if (process.env.NETSPEC_TEST_WORKER_CRASH === '1') throw new Error('NETSPEC_TEST_WORKER_CRASH is set: the training worker crashes on purpose');

try {
  const a = analyze(request.text);
  const info = a.program.trains.find((t) => a.lines.position(t.stmt.start).line === request.line);
  if (!info) throw new RunProblem(1, `there is no train statement on line ${request.line + 1}`);
  // The definition the run starts from, as the editor's analysis builds it (before the data is prepared).
  const built = a.program.networks.get(info.stmt.network.text)?.network;
  const definition = built ? fingerprint(built) : '';
  const job = prepareJob(request.specFile, a, info, new Map());
  const trainer = new Trainer(job.network, job.data, job.info);
  const K = job.network.layers.at(-1)!.units;
  const classifier = job.network.inputs === 2 && (K === 1 || K === 2);
  const points = classifier ? job.data.slice(0, 500).map((s) => ({ x: s.input[0], y: s.input[1], c: K === 1 ? s.target[0] : s.target[1] })) : [];
  let lastPost = 0;
  let lastBoundary = 0;
  // The epochs between two posts, so the panel's curve has every epoch (thinned past RECENT_MAX).
  let recent: EpochPoint[] = [];
  while (!trainer.done) {
    const stats = trainer.runEpoch();
    const point: EpochPoint = { epoch: stats.epoch, loss: stats.loss, testLoss: stats.testLoss, accuracy: stats.accuracy, testAccuracy: stats.testAccuracy };
    const now = Date.now();
    if (now - lastPost >= 50 || trainer.done) {
      lastPost = now;
      const withBoundary = classifier && (now - lastBoundary >= 250 || trainer.done);
      if (withBoundary) lastBoundary = now;
      post({ kind: 'progress', ...point, epochs: job.info.epochs, recent: thin(recent, RECENT_MAX), boundary: withBoundary ? boundary(trainer.network(), points) : undefined });
      recent = [];
    } else {
      recent.push(point);
    }
  }
  const r = trainer.result();
  post({
    kind: 'done',
    network: job.network.name,
    epochs: r.epochs,
    finalLoss: r.finalLoss,
    diverged: r.diverged,
    layers: r.network.layers.map((l) => ({ W: Array.from(l.W), b: Array.from(l.b) })),
    definition,
    standardize: r.network.standardize,
  });
} catch (err) {
  const known = err instanceof RunProblem || err instanceof TrainError;
  post({ kind: 'error', message: known ? (err as Error).message : `internal error: ${err instanceof Error ? err.stack : String(err)}` });
}
