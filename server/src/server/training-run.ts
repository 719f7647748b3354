import { analyze } from '../analysis/analyze';
import { fingerprint } from '../analysis/fingerprint';
import { Trainer, TrainError } from '../engine/train';
import { givenFiles, type DataFiles } from '../runs/data-files';
import { prepareJob, RunProblem } from '../runs/jobs';
import type { Network } from '../engine/network';
import { CURVE_POINTS_MAX, type EpochPoint, type Snapshot } from '../protocol/training';
import { picture, pictureFrame, pictureKind, picturePoints, snapshot, snapshotEpochs } from './pictures';
import type { LiveParameters, RunControl, RunMessage, RunRequest } from './runs';

/**
 * One training run, as a training worker does it (off the language server's thread, so hovers and
 * diagnostics stay instant; `trainWorker.ts` on Node, `web.ts` in the browser). It analyses the
 * text it was given (the document as it was when the run started), trains the `train` statement
 * on the given line, and posts progress at most every 50 ms, with the network's picture
 * (pictures.ts) at most every 250 ms and the replay's snapshots as they are taken. Stopping is
 * terminating the worker: immediate, whatever the epoch is doing. Pausing is the loop's: it runs
 * batch by batch (Trainer.runBatch, the same arithmetic as whole epochs), lets the server's control
 * messages in every YIELD_MS, and, asked to pause, posts the parameters where it stands and waits
 * for a resume or a step. Data files come with the request when the editor read them
 * (`request.files`), else from `files`. `now` is the clock those intervals are timed by (a test
 * stops it, to see what the run sends when epochs come faster than the intervals).
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

/** How a worker hears its controls and lets them in: the platform's message events, and a yield to them. */
export interface ControlChannel {
  /** Calls `listener` for each control the server sends. */
  listen(listener: (c: RunControl) => void): void;
  /** Resolves after the messages queued for this worker were delivered (setImmediate, a MessageChannel task). */
  yieldToMessages(): Promise<void>;
}

/** The loop lets control messages in at least this often (ms): a pause takes effect within about this. */
const YIELD_MS = 25;

/**
 * Pause, resume and step, as the run loop sees them: `pauseWanted` after a pause or at a step's end;
 * `paused()` resolves on a resume or a step.
 */
class Controls {
  pauseWanted = false;
  /** The step being run while paused, if any: what ends it. */
  stepping: 'epoch' | 'batch' | undefined;
  private wake: (() => void) | undefined;

  apply(c: RunControl): void {
    if (c.action === 'pause') this.pauseWanted = true;
    else if (c.action === 'resume') {
      this.pauseWanted = false;
      this.stepping = undefined;
      this.wake?.();
    } else if (this.wake) {
      // A step only moves a paused run (a running one is already going further).
      this.stepping = c.unit ?? 'epoch';
      this.pauseWanted = false;
      this.wake();
    }
  }

  /** Waits, paused, for a resume or a step. */
  paused(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** After a batch (`epochEnded`: it ended an epoch): a step that is over pauses the run again. */
  afterBatch(epochEnded: boolean): void {
    if (this.stepping === 'batch' || (this.stepping === 'epoch' && epochEnded)) {
      this.stepping = undefined;
      this.pauseWanted = true;
    }
  }
}

/** Runs the request's `train` statement, posting its progress and its end (or why it could not run). */
export async function runTraining(request: RunRequest, files: DataFiles, post: (m: RunMessage) => void, channel?: ControlChannel, now: () => number = Date.now): Promise<void> {
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
    const controls = new Controls();
    channel?.listen((c) => controls.apply(c));
    let lastPost = 0;
    let lastPicture = 0;
    let lastLive = 0;
    let lastYield = now();
    // A run no longer than a curve keeps (CURVE_POINTS_MAX) sends every epoch: its message goes as
    // soon as RECENT_MAX epochs have gathered, however little time has passed. A longer run's
    // epochs between two messages are thinned to RECENT_MAX, which keeps a fast run to 10,000
    // epochs a second on the wire. (On time alone, a 2,000-epoch xor run on a fast machine
    // finished more than 500 epochs within 50 ms, and its curve lost some of them.)
    const everyEpoch = job.info.epochs <= CURVE_POINTS_MAX;
    // The epochs between two posts, so the panel's curve has every epoch.
    let recent: EpochPoint[] = [];
    // The snapshots taken since the previous post; the run's last epoch always has one (a run that
    // diverged ends before the epoch planned last).
    let snapshots: Snapshot[] = [];
    /** The newest epoch's figures (epoch 0 before the first ends), and the newest gradients posted. */
    let last: EpochPoint = { epoch: 0, loss: NaN };
    let lastGrads: Float64Array[] | undefined;
    const layersOf = (net: Network) => net.layers.map((l) => ({ W: l.W, b: l.b }));
    /** Posts the newest epoch with the epochs since the previous post (and the picture, the live parameters when asked). */
    const postProgress = (withPicture: boolean, grads?: Float64Array[]) => {
      const t = now();
      lastPost = t;
      if (withPicture) lastPicture = t;
      let live: LiveParameters | undefined;
      if (grads) {
        lastLive = t;
        lastGrads = grads;
        live = { epoch: last.epoch, layers: layersOf(trainer.network()), grads };
      }
      post({ kind: 'progress', ...last, epochs: job.info.epochs, recent: thin(recent, RECENT_MAX), ...(withPicture ? picture(trainer.network(), frame) : {}), snapshots: snapshots.length ? snapshots : undefined, ...(live ? { live } : {}) });
      recent = [];
      snapshots = [];
    };
    while (!trainer.done) {
      if (controls.pauseWanted) {
        // What came since the last post, then the pause: its parameters go to hovers and the view.
        // (`recent` ends with `last`, the newest epoch: posted as the event's own.)
        if (recent.length || snapshots.length) {
          recent.pop();
          postProgress(false);
        }
        const net = trainer.network();
        const grads = lastGrads ?? net.layers.map((l) => new Float64Array(l.W.length));
        post({
          kind: 'paused', ...last, epochs: job.info.epochs, ...trainer.batchInEpoch, ...(kind !== 'none' ? picture(net, frame) : {}),
          live: { epoch: last.epoch, layers: layersOf(net), grads }, definition, standardize: net.standardize,
        });
        await controls.paused();
        lastYield = now();
        continue;
      }
      // The network view's parameters and gradients, at most every LIVE_MS: the epoch after a pause
      // that long is watched (Trainer.watchGradients), and posted as soon as it ends.
      if (trainer.batchInEpoch.batch === 0 && now() - lastLive >= LIVE_MS) trainer.watchGradients();
      const stats = trainer.runBatch();
      controls.afterBatch(stats !== undefined);
      if (stats) {
        const grads = trainer.takeGradientMeans();
        const point: EpochPoint = { epoch: stats.epoch, loss: stats.loss, testLoss: stats.testLoss, accuracy: stats.accuracy, testAccuracy: stats.testAccuracy, lr: stats.lr };
        // A network without a picture (more than two inputs) still replays its loss curves: epochs only.
        if (snapshotAt.has(stats.epoch) || trainer.done) snapshots.push(kind === 'none' ? { epoch: stats.epoch } : snapshot(stats.epoch, trainer.network(), frame));
        const t = now();
        if (t - lastPost >= 50 || trainer.done || grads || controls.pauseWanted || (everyEpoch && recent.length >= RECENT_MAX)) {
          last = point;
          postProgress(kind !== 'none' && (t - lastPicture >= 250 || trainer.done), grads);
        } else {
          recent.push(point);
          last = point;
        }
      }
      if (channel && now() - lastYield >= YIELD_MS) {
        await channel.yieldToMessages();
        lastYield = now();
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
      stoppedEarly: r.stoppedEarly,
      metrics: r.metrics,
      testMetrics: r.testMetrics,
      layers: r.network.layers.map((l) => ({ W: Array.from(l.W), b: Array.from(l.b) })),
      definition,
      standardize: r.network.standardize,
    });
  } catch (err) {
    const known = err instanceof RunProblem || err instanceof TrainError;
    post({ kind: 'error', message: known ? (err as Error).message : `internal error: ${err instanceof Error ? err.stack : String(err)}` });
  }
}
