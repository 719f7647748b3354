import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';

/** A folder for the real-editor tests: the shipped examples, and a file with a known mistake. */
export function makeWorkspace(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const examples = path.join(repoRoot(), 'examples');
  for (const f of fs.readdirSync(examples)) fs.copyFileSync(path.join(examples, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'broken.netspec'), '# A file with a mistake, for the real-editor tests.\nnetwork n {\n  input x[2]\n  dense y[1] sigmod\n}\n');
  return dir;
}
