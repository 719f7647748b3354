import { analyze } from '../analysis/analyze';
import { fingerprint } from '../analysis/fingerprint';
import { Trainer, TrainError } from '../engine/train';
import { givenFiles, type DataFiles } from '../runs/data-files';
import { prepareJob, RunProblem } from '../runs/jobs';
import type { EpochPoint, Snapshot } from '../protocol/training';
import { picture, pictureFrame, pictureKind, picturePoints, snapshot, snapshotEpochs } from './pictures';
import type { LiveParameters, RunMessage, RunRequest } from './runs';

/**
 * One training run, as a training worker does it (off the language server's thread, so hovers and
 * diagnostics stay instant; `trainWorker.ts` on Node, `web.ts` in the browser). It analyses the
 * text it was given (the document as it was when the run started), trains the `train` statement
 * on the given line, and posts progress at most every 50 ms, with the network's picture
 * (pictures.ts) at most every 250 ms and the replay's snapshots as they are taken. Stopping is
 * terminating the worker: immediate, whatever the epoch is doing. Data files come with the
 * request when the editor read them (`request.files`), else from `files`.
 */

/** The network view's live parameters go out at most this often (ms): a few times a second. */
const LIVE_MS = 250;

/** At most this many epochs ride along with one progress message. */
const RECENT_MAX = 500;

/** `n` evenly spaced elements of `xs` (all of them when there are fewer), keeping the last. */
function thin<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.round(((i + 1) * (xs.length - 1)) / n)]);
}

/** Runs the request's `train` statement, posting its progress and its end (or why it could not run). */
export function runTraining(request: RunRequest, files: DataFiles, post: (m: RunMessage) => void): void {
  try {
    const a = analyze(request.text);
    const info = a.program.trains.find((t) => a.lines.position(t.stmt.start).line === request.line);
    if (!info) throw new RunProblem(1, `there is no train statement on line ${request.line + 1}`);
    // The definition the run starts from, as the editor's analysis builds it (before the data is prepared).
    const built = a.program.networks.get(info.stmt.network.text)?.network;
    const definition = built ? fingerprint(built) : '';
    const job = prepareJob(request.specFile, a, info, new Map(), request.files ? givenFiles(request.files) : files);
    const trainer = new Trainer(job.network, job.data, job.info);
    const kind = pictureKind(job.network, trainer.classification !== undefined);
    const frame = pictureFrame(kind, picturePoints(kind, job.data, trainer.testIndices));
    const snapshotAt = snapshotEpochs(job.info.epochs);
    let lastPost = 0;
    let lastPicture = 0;
    let lastLive = 0;
    // The epochs between two posts, so the panel's curve has every epoch (thinned past RECENT_MAX).
    let recent: EpochPoint[] = [];
    // The snapshots taken since the previous post; the run's last epoch always has one (a run that
    // diverged ends before the epoch planned last).
    let snapshots: Snapshot[] = [];
    while (!trainer.done) {
      // The network view's parameters and gradients, at most every LIVE_MS: the epoch after a pause
      // that long is watched (Trainer.watchGradients), and posted as soon as it ends.
      if (Date.now() - lastLive >= LIVE_MS) trainer.watchGradients();
      const stats = trainer.runEpoch();
      const grads = trainer.takeGradientMeans();
      const point: EpochPoint = { epoch: stats.epoch, loss: stats.loss, testLoss: stats.testLoss, accuracy: stats.accuracy, testAccuracy: stats.testAccuracy };
      // A network without a picture (more than two inputs) still replays its loss curves: epochs only.
      if (snapshotAt.has(stats.epoch) || trainer.done) snapshots.push(kind === 'none' ? { epoch: stats.epoch } : snapshot(stats.epoch, trainer.network(), frame));
      const now = Date.now();
      if (now - lastPost >= 50 || trainer.done || grads) {
        lastPost = now;
        const withPicture = kind !== 'none' && (now - lastPicture >= 250 || trainer.done);
        if (withPicture) lastPicture = now;
        let live: LiveParameters | undefined;
        if (grads) {
          lastLive = now;
          const net = trainer.network();
          live = { epoch: stats.epoch, layers: net.layers.map((l) => ({ W: l.W, b: l.b })), grads };
        }
        post({ kind: 'progress', ...point, epochs: job.info.epochs, recent: thin(recent, RECENT_MAX), ...(withPicture ? picture(trainer.network(), frame) : {}), snapshots: snapshots.length ? snapshots : undefined, ...(live ? { live } : {}) });
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
}
