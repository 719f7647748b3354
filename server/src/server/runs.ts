import type { TrainedParameters } from '../analysis/analyze';
import type { Standardization } from '../engine/network';
import type { Divergence } from '../engine/train';
import type { DecisionBoundary, EpochPoint, FittedCurve, Snapshot } from '../protocol/training';
import type { FetchedFiles } from '../runs/data-files';

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
 * oldest first (thinned); `boundary` or `curve` the network's picture; `snapshots` the replay's.
 */
export type RunMessage =
  | ({ kind: 'progress'; epochs: number; recent: EpochPoint[]; boundary?: DecisionBoundary; curve?: FittedCurve; snapshots?: Snapshot[]; live?: LiveParameters } & EpochPoint)
  | { kind: 'done'; network: string; epochs: number; finalLoss: number; firstLoss: number; diverged?: Divergence; layers: { W: number[]; b: number[] }[]; definition: string; standardize?: Standardization }
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
}

/** Where a run ended, per document and network: trained parameters, or a divergence to report. */
export interface Outcome {
  trained?: TrainedParameters;
  diverged?: Divergence & { line: number };
  /** The first epoch's loss and the final loss, with the run's `train` statement (whitespace collapsed). */
  losses?: { first: number; final: number; train: string };
}

/**
 * The training runs of this server: at most one per network of a document (starting another
 * stops the first, so runs can't trample each other's results), and what finished runs left.
 */
export class Runs {
  private readonly active = new Map<string, Run>();
  private readonly outcomes = new Map<string, Map<string, Outcome>>();
  private next = 1;

  constructor(private readonly startWorker: StartWorker) {}

  start(uri: string, network: string, data: string, request: RunRequest, onMessage: (run: Run, m: RunMessage) => void, onExit: (run: Run) => void): Run {
    this.stop(uri, network);
    // The run exists before its worker, whose first events may come at once.
    const run = { id: `run-${this.next++}`, uri, network, data, line: request.line } as Run;
    this.active.set(key(uri, network), run);
    run.worker = this.startWorker(request, {
      message: (m) => onMessage(run, m),
      exit: () => {
        if (this.active.get(key(uri, network)) === run) this.active.delete(key(uri, network));
        onExit(run);
      },
    });
    return run;
  }

  /** Stops the run of a network, or every run of a document, or every run. */
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

  /** The run of a network going now, if any. */
  activeOf(uri: string, network: string): Run | undefined {
    return this.active.get(key(uri, network));
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

const key = (uri: string, network: string) => `${uri}\u0000${network}`;
