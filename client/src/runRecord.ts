import { CURVE_POINTS_MAX, type Snapshot, type TrainEpoch, type TrainProgress } from '../../server/src/protocol/training';
import type { PanelRow, RunPicture, RunSnapshots } from '../../server/src/protocol/webview';

/**
 * The newest training run — or the newest group of runs started together (Train All, compared
 * runs) — as the training panel shows it, built from `netspec/trainProgress` events: every epoch of
 * each run (each event brings the ones since the previous), each run's newest picture and its
 * replay's snapshots. Kept whether or not a panel is open, so that a panel opened during or after a
 * run shows its whole curves. Pure (types only), so both the VS Code panel (trainingPanel.ts) and
 * the playground page (playground/panel.ts) record runs the same way.
 */

/** How many finished runs or groups are remembered, so their late events cannot reset the chart. */
const SEEN_MAX = 64;
/** Snapshots kept per run (the worker sends at most 100; this only guards the memory). */
const SNAPSHOTS_MAX = 200;

/** What one event added to the record: the rows, picture and snapshots a panel must be sent. */
export interface Recorded {
  /** The event started a new run or group: a panel starts over from the record. */
  restarted: boolean;
  items: PanelRow[];
  picture: RunPicture | undefined;
  snapshots: RunSnapshots | undefined;
  done: boolean;
}

/** One run of the record. */
export interface RecordedRun {
  runId: string;
  /** Every epoch of the run, for a replay (a panel reopened or reloaded mid-run); halved past CURVE_POINTS_MAX. */
  history: PanelRow[];
  picture: RunPicture | undefined;
  /** The replay's snapshots, oldest first. */
  snapshots: Snapshot[];
}

export class RunRecord {
  /** What the record follows: a group's id (`group` of Train All's runs), or a lone run's runId. */
  group: string | undefined = undefined;
  /** Finished or superseded runs and groups, so their late events cannot reset the chart. */
  private seen: string[] = [];
  /** The runs of the group, in the order their first events came. */
  runs: RecordedRun[] = [];

  /**
   * Records a progress event (with the epochs in its `recent`). A new group (or lone runId) starts
   * a new record; a run of the group already followed joins it; events of an older run or group
   * are ignored (undefined): the panel follows the newest.
   */
  add(p: TrainProgress): Recorded | undefined {
    let restarted = false;
    const group = p.group ?? p.runId;
    if (group !== this.group) {
      if (this.seen.includes(group)) return undefined;
      this.seen.push(group);
      if (this.seen.length > SEEN_MAX) this.seen.shift();
      this.group = group;
      this.runs = [];
      restarted = true;
    }
    let run = this.runs.find((r) => r.runId === p.runId);
    if (!run) {
      run = { runId: p.runId, history: [], picture: undefined, snapshots: [] };
      this.runs.push(run);
    }
    const event: PanelRow = p.done ? p : rowOf(p);
    const recent = p.done ? [] : p.recent;
    const picture: RunPicture | undefined = !p.done && (p.boundary || p.curve) ? { runId: p.runId, boundary: p.boundary, curve: p.curve } : undefined;
    const snapshots = p.done ? [] : (p.snapshots ?? []);
    // The server's final event repeats the last epoch with only its loss: keep that epoch's other figures.
    const prev = run.history.at(-1);
    const last: PanelRow = prev && prev.epoch === event.epoch ? { ...prev, ...defined(event) } : event;
    const items: PanelRow[] = [...recent.map((e) => ({ ...last, ...e, done: false })), last];
    for (const item of items) run.history.push(item);
    if (run.history.length > CURVE_POINTS_MAX) run.history = halve(run.history);
    if (picture) run.picture = picture;
    run.snapshots.push(...snapshots);
    if (run.snapshots.length > SNAPSHOTS_MAX) run.snapshots = halve(run.snapshots);
    return { restarted, items, picture, snapshots: snapshots.length ? { runId: p.runId, snapshots } : undefined, done: p.done };
  }

  /** The whole record as one `progress` message's parts (for a panel that starts over), or undefined when it holds nothing. */
  replay(): { items: PanelRow[]; pictures: RunPicture[]; snapshots: RunSnapshots[] } | undefined {
    if (this.runs.length === 0) return undefined;
    return {
      items: this.runs.flatMap((r) => r.history),
      pictures: this.runs.flatMap((r) => (r.picture ? [r.picture] : [])),
      snapshots: this.runs.filter((r) => r.snapshots.length).map((r) => ({ runId: r.runId, snapshots: r.snapshots })),
    };
  }

  /** The newest picture of a run of the record. */
  pictureOf(runId: string): RunPicture | undefined {
    return this.runs.find((r) => r.runId === runId)?.picture;
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
