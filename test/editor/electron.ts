/**
 * The same extension-host suite under @vscode/test-electron, for machines that can download
 * VS Code (`npm run test:electron`). Here, without internet, test/editor/vscode.test.ts runs it
 * in code-server instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../support/paths';
import { makeWorkspace } from './workspace';

async function main(): Promise<void> {
  const root = repoRoot();
  const folder = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-electron-')));
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'editor', 'suite', 'index.js'),
    launchArgs: [folder, '--disable-extensions'],
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
