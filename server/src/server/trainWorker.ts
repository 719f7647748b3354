import { parentPort, workerData } from 'worker_threads';
import { analyze } from '../analysis/analyze';
import { fingerprint } from '../analysis/fingerprint';
import { kernelModeOf, setKernelMode } from '../engine/kernels/gemm';
import { Trainer, TrainError } from '../engine/train';
import { prepareJob, RunProblem } from '../runs/jobs';
import type { EpochPoint, Snapshot } from '../protocol/training';
import { picture, pictureFrame, pictureKind, picturePoints, snapshot, snapshotEpochs } from './pictures';
import type { RunMessage, RunRequest } from './runs';

/**
 * One training run, off the language server's thread so hovers and diagnostics stay instant.
 * It analyses the text it was given (the document as it was when the run started), trains the
 * `train` statement on the given line, and posts progress at most every 50 ms, with the network's
 * picture (pictures.ts) at most every 250 ms and the replay's snapshots as they are taken. Stopping is
 * `worker.terminate()`: immediate, whatever the epoch is doing.
 */
setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
const request = workerData as RunRequest;
const post = (m: RunMessage) => parentPort!.postMessage(m);

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
  const kind = pictureKind(job.network, trainer.classification !== undefined);
  const frame = pictureFrame(kind, picturePoints(kind, job.data, trainer.testIndices));
  const snapshotAt = snapshotEpochs(job.info.epochs);
  let lastPost = 0;
  let lastPicture = 0;
  // The epochs between two posts, so the panel's curve has every epoch (thinned past RECENT_MAX).
  let recent: EpochPoint[] = [];
  // The snapshots taken since the previous post; the run's last epoch always has one (a run that
  // diverged ends before the epoch planned last).
  let snapshots: Snapshot[] = [];
  while (!trainer.done) {
    const stats = trainer.runEpoch();
    const point: EpochPoint = { epoch: stats.epoch, loss: stats.loss, testLoss: stats.testLoss, accuracy: stats.accuracy, testAccuracy: stats.testAccuracy };
    // A network without a picture (more than two inputs) still replays its loss curves: epochs only.
    if (snapshotAt.has(stats.epoch) || trainer.done) snapshots.push(kind === 'none' ? { epoch: stats.epoch } : snapshot(stats.epoch, trainer.network(), frame));
    const now = Date.now();
    if (now - lastPost >= 50 || trainer.done) {
      lastPost = now;
      const withPicture = kind !== 'none' && (now - lastPicture >= 250 || trainer.done);
      if (withPicture) lastPicture = now;
      post({ kind: 'progress', ...point, epochs: job.info.epochs, recent: thin(recent, RECENT_MAX), ...(withPicture ? picture(trainer.network(), frame) : {}), snapshots: snapshots.length ? snapshots : undefined });
      recent = [];
      snapshots = [];
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
    firstLoss: r.loss[0],
    diverged: r.diverged,
    layers: r.network.layers.map((l) => ({ W: Array.from(l.W), b: Array.from(l.b) })),
    definition,
    standardize: r.network.standardize,
  });
} catch (err) {
  const known = err instanceof RunProblem || err instanceof TrainError;
  post({ kind: 'error', message: known ? (err as Error).message : `internal error: ${err instanceof Error ? err.stack : String(err)}` });
}
