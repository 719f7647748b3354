import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';

/** What the extension's manifest reads besides itself (the VSIX's files, without the Node build's needs). */
const SHIPPED = ['dist', 'syntaxes', 'snippets', 'images', 'docs', 'language-configuration.json', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/**
 * A browser-only copy of the built extension, for code-server's web worker extension host: the
 * repository's files by symbolic link, and a package.json without `main`. (With both `main` and
 * `browser` code-server runs an extension in its Node host; vscode.dev, which has none, runs
 * `browser`.) `withTests` links out/ too: VS Code runs an extension-host suite in the host of the
 * extension whose folder holds it, and any other in the Node host. The caller removes the folder.
 */
export function browserOnlyExtension(o: { withTests?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-webext-'));
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.main;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const name of o.withTests ? [...SHIPPED, 'out'] : SHIPPED) fs.symlinkSync(path.join(repoRoot(), name), path.join(dir, name));
  return dir;
}
