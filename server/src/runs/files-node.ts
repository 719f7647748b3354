import * as fs from 'fs';
import * as path from 'path';
import { CSV_MAX_CHARS } from '../engine/datasets';
import { DataFileProblem, type DataFiles } from './data-files';

/**
 * Data files on this machine's disk: relative to the spec's folder, never outside it, not even
 * through a symbolic link, at most CSV_MAX_CHARS bytes. The CLI and the Node server's training
 * workers read through this; the browser build never imports it.
 */
export const diskFiles: DataFiles = {
  read(specFile, rel) {
    const folder = path.dirname(path.resolve(specFile));
    const target = path.resolve(folder, rel);
    const shown = path.isAbsolute(rel) ? rel : path.join(path.dirname(specFile), rel);
    if (!isInside(folder, target)) throw new DataFileProblem(`it is outside the spec's folder ${folder}; a data file must be in that folder or below it`);
    let real: string;
    try {
      real = fs.realpathSync(target);
      if (!isInside(fs.realpathSync(folder), real)) throw new DataFileProblem(`it leads outside the spec's folder ${folder} through a symbolic link`);
      const st = fs.statSync(real);
      if (st.isDirectory()) throw new DataFileProblem('it is a directory');
      if (st.size > CSV_MAX_CHARS) throw new DataFileProblem(`it has ${st.size} bytes; the limit is ${CSV_MAX_CHARS}`);
      return { text: fs.readFileSync(real, 'utf8'), shown };
    } catch (err) {
      if (err instanceof DataFileProblem) throw err;
      throw new DataFileProblem(describeIoError(err, target));
    }
  },
};

/** Whether `p` is `root` itself or below it (both absolute and normalised). */
export function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith('..' + path.sep) && !path.isAbsolute(r));
}

function describeIoError(err: unknown, p: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such file (${p})`;
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
