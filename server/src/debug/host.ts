import type { TrainedParameters } from '../analysis/analyze';

/** What the adapter needs of its host: the spec's text, and word when it may have changed. */
export interface DebugHost {
  /** The text of the spec at `program` (the launch configuration's path, as given). */
  read(program: string): Promise<string>;
  /** Calls `changed` whenever the file may have changed; returns what stops watching. */
  watch(program: string, changed: () => void): () => void;
  /**
   * The data files (`data … from "rel"`) a training session reads, by `rel`: their texts, or why
   * one cannot be read. Absent: a session that needs one says so.
   */
  readData?(program: string, rels: readonly string[]): Promise<Record<string, { text: string } | { error: string }>>;
  /**
   * The parameters runs in the editor left for the spec's networks (what its hovers use), so a
   * probe's session steps through the same numbers. Absent (the standalone adapter): the file's.
   */
  trained?(program: string): Promise<ReadonlyMap<string, TrainedParameters> | undefined>;
}
