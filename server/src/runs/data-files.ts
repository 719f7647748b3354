import { CSV_MAX_CHARS } from '../engine/datasets';

/**
 * How a run reads `data … from "rel"`. On disk (the CLI, the Node server's training workers:
 * `files-node.ts`) or from texts the editor read and handed over (the browser, where a worker has
 * no file system: `givenFiles`). Either way a file is found relative to the spec's folder and
 * never outside it, and is at most CSV_MAX_CHARS long.
 */
export interface DataFiles {
  /** The file's text and the path to show in messages, or a DataFileProblem saying why not. */
  read(specFile: string, rel: string): { text: string; shown: string };
}

/** Why a data file cannot be read ("no such file (…)"); the run's message puts it in context. */
export class DataFileProblem extends Error {}

/** What the editor answered for each file a run needs: its text, or why it could not read it. */
export type FetchedFiles = Record<string, { text: string } | { error: string }>;

/** A reader over texts read beforehand (by `rel`, as the spec writes it). */
export function givenFiles(fetched: FetchedFiles): DataFiles {
  return {
    read(specFile, rel) {
      const got = Object.prototype.hasOwnProperty.call(fetched, rel) ? fetched[rel] : undefined;
      if (!got) throw new DataFileProblem('the editor did not read it for this run');
      if ('error' in got) throw new DataFileProblem(got.error);
      if (got.text.length > CSV_MAX_CHARS) throw new DataFileProblem(`it has ${got.text.length} characters; the limit is ${CSV_MAX_CHARS}`);
      return { text: got.text, shown: joinedPath(folderOf(specFile), rel) ?? rel };
    },
  };
}

/** The folder part of a '/'-separated path or URI ('' when there is none). */
export function folderOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * `rel` resolved against `folder` ('/'-separated, as in a URI's path), or undefined when it is
 * absolute or its `..` segments lead outside the folder: the confinement rule of `files-node.ts`,
 * for paths that are not on this machine's disk. Empty and `.` segments are dropped.
 */
export function joinedPath(folder: string, rel: string): string | undefined {
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel) || rel.startsWith('\\')) return undefined;
  const kept: string[] = [];
  for (const segment of rel.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.length === 0) return undefined;
      kept.pop();
    } else kept.push(segment);
  }
  if (kept.length === 0) return undefined;
  return `${folder}/${kept.join('/')}`;
}
