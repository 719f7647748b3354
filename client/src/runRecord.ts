import type { Snapshot, TrainEpoch, TrainProgress } from '../../server/src/protocol/training';
import type { PanelRow, RunPicture } from '../../server/src/protocol/webview';

/**
 * The newest training run as the training panel shows it, built from `netspec/trainProgress`
 * events: every epoch (each event brings the ones since the previous), the newest picture and the
 * replay's snapshots. Kept whether or not a panel is open, so that a panel opened during or after a
 * run shows its whole curve. Pure (types only), so both the VS Code panel (trainingPanel.ts) and
 * the playground page (playground/panel.ts) record runs the same way.
 */

/** Epochs kept for a replay (a panel reopened or reloaded mid-run); halved beyond this. */
const HISTORY_MAX = 20000;
/** How many finished runs are remembered, so their late events cannot reset the chart. */
const SEEN_MAX = 64;
/** Snapshots kept per run (the worker sends at most 100; this only guards the memory). */
const SNAPSHOTS_MAX = 200;

/** What one event added to the record: the rows, picture and snapshots a panel must be sent. */
export interface Recorded {
  /** The event started a new run: a panel starts over from the record. */
  restarted: boolean;
  items: PanelRow[];
  picture: RunPicture | undefined;
  snapshots: Snapshot[];
  done: boolean;
}

export class RunRecord {
  runId: string | undefined = undefined;
  /** Finished or superseded runs, so their late events cannot reset the chart. */
  private seen: string[] = [];
  /** Every epoch of the run (halved past HISTORY_MAX), for a replay. */
  history: PanelRow[] = [];
  picture: RunPicture | undefined = undefined;
  /** The replay's snapshots, oldest first. */
  snapshots: Snapshot[] = [];

  /**
   * Records a progress event (with the epochs in its `recent`). A new runId starts a new curve;
   * events of an older run (several may train at once) are ignored (undefined): the panel follows
   * the newest.
   */
  add(p: TrainProgress): Recorded | undefined {
    let restarted = false;
    if (p.runId !== this.runId) {
      if (this.seen.includes(p.runId)) return undefined;
      this.seen.push(p.runId);
      if (this.seen.length > SEEN_MAX) this.seen.shift();
      this.runId = p.runId;
      this.history = [];
      this.picture = undefined;
      this.snapshots = [];
      restarted = true;
    }
    const event: PanelRow = p.done ? p : rowOf(p);
    const recent = p.done ? [] : p.recent;
    const picture: RunPicture | undefined = !p.done && (p.boundary || p.curve) ? { runId: p.runId, boundary: p.boundary, curve: p.curve } : undefined;
    const snapshots = p.done ? [] : (p.snapshots ?? []);
    // The server's final event repeats the last epoch with only its loss: keep that epoch's other figures.
    const prev = this.history.at(-1);
    const last: PanelRow = prev && prev.epoch === event.epoch ? { ...prev, ...defined(event) } : event;
    const items: PanelRow[] = [...recent.map((e) => ({ ...last, ...e, done: false })), last];
    for (const item of items) this.history.push(item);
    if (this.history.length > HISTORY_MAX) this.history = halve(this.history);
    if (picture) this.picture = picture;
    this.snapshots.push(...snapshots);
    if (this.snapshots.length > SNAPSHOTS_MAX) this.snapshots = halve(this.snapshots);
    return { restarted, items, picture, snapshots, done: p.done };
  }
}

/** A progress event's own row: without the epochs it brings in `recent`, its picture and its snapshots. */
function rowOf({ recent: _recent, boundary: _boundary, curve: _curve, snapshots: _snapshots, ...row }: TrainEpoch): PanelRow {
  return row;
}

/** The object without its undefined properties (so a spread does not erase what they would). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every other element, keeping the last (the newest epoch). */
function halve<T>(xs: T[]): T[] {
  const out = xs.filter((_, i) => i % 2 === 0);
  if ((xs.length - 1) % 2 !== 0) out.push(xs[xs.length - 1]);
  return out;
}
