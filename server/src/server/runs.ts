import type { TrainedParameters } from '../analysis/analyze';
import type { Standardization } from '../engine/network';
import type { Divergence } from '../engine/train';
import type { DecisionBoundary, EpochPoint, FittedCurve, RunMetrics, Snapshot, TrainingAction } from '../protocol/training';
import type { FetchedFiles } from '../runs/data-files';

/**
 * What the server tells a running worker (`netspec/controlTraining`): pause at the next batch's
 * end, resume, or (paused) run one more epoch — the rest of the one in progress — or one batch, and
 * pause again.
 */
export interface RunControl {
  action: TrainingAction;
  unit?: 'epoch' | 'batch';
}

/** What a training worker is asked to do. */
export interface RunRequest {
  text: string;
  /** The spec's path on disk (CSV files are read relative to its folder). */
  specFile: string;
  /** 0-based line of the `train` statement. */
  line: number;
  /** The data files the run reads, when the editor read them (the browser); else the worker reads the disk. */
  files?: FetchedFiles;
}

/**
 * What a training worker posts. A progress message is a `netspec/trainProgress` event's figures
 * (protocol/training.ts `TrainEpoch`): `recent` holds the epochs since the previous message,
 * oldest first (every one in a run of up to 20,000 epochs, else thinned); `boundary` or `curve`
 * the network's picture; `snapshots` the replay's. A paused message says where the run stands
 * (`batch` of `batches` of the epoch after `epoch`) with its parameters, which the server gives to
 * the analysis as a finished run's until the run goes on.
 */
export type RunMessage =
  | ({ kind: 'progress'; epochs: number; recent: EpochPoint[]; boundary?: DecisionBoundary; curve?: FittedCurve; snapshots?: Snapshot[]; live?: LiveParameters } & EpochPoint)
  | { kind: 'done'; network: string; epochs: number; finalLoss: number; firstLoss: number; diverged?: Divergence; stoppedEarly: boolean; metrics: RunMetrics; testMetrics?: RunMetrics; layers: { W: number[]; b: number[] }[]; definition: string; standardize?: Standardization }
  | ({ kind: 'paused'; epochs: number; batch: number; batches: number; boundary?: DecisionBoundary; curve?: FittedCurve; live: LiveParameters; definition: string; standardize?: Standardization } & EpochPoint)
  | { kind: 'error'; message: string };

/**
 * A run's parameters as they are after epoch `epoch`, and the mean |dE/dw| of that epoch's steps
 * per dense layer ([fan-in][units], row-major; Trainer.watchGradients): what the network view draws
 * while the run goes. Posted at most a few times a second; the server keeps only the newest.
 */
export interface LiveParameters {
  epoch: number;
  layers: { W: Float64Array; b: Float64Array }[];
  grads: Float64Array[];
}

/** A training worker as the server holds it: a Node worker thread, or a browser Web Worker (platform.ts). */
export interface TrainingWorker {
  /** Stops the run at once; its exit follows. */
  terminate(): void;
  /** Pauses, resumes or steps the run (`RunControl`). */
  control(c: RunControl): void;
}

/**
 * Starts a worker on a request. It reports each message (an uncaught failure as an `error`
 * message), then its exit, exactly once, however it ended.
 */
export type StartWorker = (request: RunRequest, events: { message(m: RunMessage): void; exit(): void }) => TrainingWorker;

export interface Run {
  id: string;
  uri: string;
  network: string;
  data: string;
  line: number;
  worker: TrainingWorker;
  /** The run's epochs planned, and its newest parameters for the network view, once posted. */
  epochs?: number;
  live?: LiveParameters;
  /** Set while the run is paused: where. */
  paused?: { epoch: number; batch: number; batches: number };
}

/** Where a run ended, per document and network: trained parameters, or a divergence to report. */
export interface Outcome {
  trained?: TrainedParameters;
  diverged?: Divergence & { line: number };
  /** The first epoch's loss and the final loss, with the run's `train` statement (whitespace collapsed). */
  losses?: { first: number; final: number; train: string };
}

/**
 * The training runs of this server, each a `train` statement of a document (its uri and line),
 * and what finished runs left. Several may go at once, of one network too (compared runs,
 * `netspec/trainAll`); starting a statement again stops its earlier run. Each network of a
 * document keeps the outcome of its run that finished last (`record`): that run's parameters are
 * what probes, hovers and the network view use.
 */
export class Runs {
  private readonly active = new Map<string, Run>();
  private readonly outcomes = new Map<string, Map<string, Outcome>>();
  private next = 1;

  constructor(private readonly startWorker: StartWorker) {}

  start(uri: string, network: string, data: string, request: RunRequest, onMessage: (run: Run, m: RunMessage) => void, onExit: (run: Run) => void): Run {
    const k = key(uri, request.line);
    const earlier = this.active.get(k);
    if (earlier) {
      this.active.delete(k);
      earlier.worker.terminate();
    }
    // The run exists before its worker, whose first events may come at once.
    const run = { id: `run-${this.next++}`, uri, network, data, line: request.line } as Run;
    this.active.set(k, run);
    run.worker = this.startWorker(request, {
      message: (m) => {
        // A run that has posted its end is over, though its worker has yet to exit: from now on
        // it is not one to stop (a reset right after it would count it as stopped), nor going.
        if ((m.kind === 'done' || m.kind === 'error') && this.active.get(k) === run) this.active.delete(k);
        onMessage(run, m);
      },
      exit: () => {
        if (this.active.get(k) === run) this.active.delete(k);
        onExit(run);
      },
    });
    return run;
  }

  /** Stops the runs of a network, or every run of a document, or every run. */
  stop(uri?: string, network?: string): Run[] {
    const stopped: Run[] = [];
    for (const [k, run] of this.active) {
      if ((uri === undefined || run.uri === uri) && (network === undefined || run.network === network)) {
        this.active.delete(k);
        run.worker.terminate();
        stopped.push(run);
      }
    }
    return stopped;
  }

  /** Sends a control to the runs of a document (or of one of its networks); returns them. */
  control(uri: string, network: string | undefined, c: RunControl): Run[] {
    const told = [...this.active.values()].filter((r) => r.uri === uri && (network === undefined || r.network === network));
    for (const run of told) run.worker.control(c);
    return told;
  }

  /** The newest run of a network going now, if any. */
  activeOf(uri: string, network: string): Run | undefined {
    let newest: Run | undefined;
    for (const run of this.active.values()) if (run.uri === uri && run.network === network) newest = run;
    return newest;
  }

  byId(id: string): Run | undefined {
    return [...this.active.values()].find((r) => r.id === id);
  }

  record(uri: string, network: string, outcome: Outcome): void {
    if (!this.outcomes.has(uri)) this.outcomes.set(uri, new Map());
    this.outcomes.get(uri)!.set(network, outcome);
  }

  /** Forgets what finished runs left for a network, or for every network of a document; returns their names. */
  forget(uri: string, network?: string): string[] {
    const m = this.outcomes.get(uri);
    if (!m) return [];
    const names = network === undefined ? [...m.keys()] : m.has(network) ? [network] : [];
    for (const n of names) m.delete(n);
    return names;
  }

  outcomesOf(uri: string): ReadonlyMap<string, Outcome> {
    return this.outcomes.get(uri) ?? new Map();
  }

  trainedOf(uri: string): Map<string, TrainedParameters> {
    const m = new Map<string, TrainedParameters>();
    for (const [name, o] of this.outcomesOf(uri)) if (o.trained) m.set(name, o.trained);
    return m;
  }
}

const key = (uri: string, line: number) => `${uri}\u0000${line}`;
