import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this (bundled) file that holds package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** The built CLI; the test command builds it before any test runs. */
export function cliPath(): string {
  const p = path.join(repoRoot(), 'dist', 'cli.js');
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` (npm test does it first)`);
  return p;
}
