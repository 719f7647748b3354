/**
 * `npm start` (scripts/start.js) as a learner runs it: it serves VS Code on the port asked for,
 * with a scratch copy of the examples open (never the clone's examples/), and SIGTERM or SIGINT
 * stops it: no code-server process and no session folder is left behind, and the scratch copy,
 * the learner's own work, stays.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';
import { until } from '../support/until';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(repoRoot(), 'test', 'editor', 'harness.js'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function healthz(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`http://127.0.0.1:${port}/healthz`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The ids of the processes whose command line mentions `text` (Linux's /proc). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

async function startAndStop(signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
  const port = await freePort();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-scratch-'));
  fs.writeFileSync(path.join(scratch, 'mine.netspec'), 'eval 1 + 1\n');
  const examples = fs.readdirSync(path.join(repoRoot(), 'examples')).sort();
  const before = new Map(examples.map((f) => [f, fs.readFileSync(path.join(repoRoot(), 'examples', f), 'utf8')]));
  const child = spawn(process.execPath, [path.join(repoRoot(), 'scripts', 'start.js')], {
    env: { ...process.env, NETSPEC_PORT: String(port), NETSPEC_SCRATCH: scratch, NETSPEC_NO_SETUP: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const session = await until(() => `npm start to print its URL; it printed:\n${out}`, () => {
      const m = /removed when it stops: (\S+)/.exec(out);
      return m ? m[1] : undefined;
    }, 90_000, 100);
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?folder=${encodeURIComponent(scratch).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), out);
    assert.equal(await healthz(port), 200);
    assert.ok(fs.existsSync(session), `the session folder ${session} exists while it runs`);
    assert.ok(processesMentioning(session).length > 0, 'code-server runs with the session folder');
    // The scratch copy has every example, and the learner's own file as it was.
    for (const f of examples) assert.ok(fs.existsSync(path.join(scratch, f)), `${f} copied to the scratch folder`);
    assert.equal(fs.readFileSync(path.join(scratch, 'mine.netspec'), 'utf8'), 'eval 1 + 1\n');

    child.kill(signal);
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.notEqual(code, 'hung', `npm start did not exit on ${signal}:\n${out}`);
    await until(() => `no process of the session ${session}: ${processesMentioning(session).join(', ')}`, () => processesMentioning(session).length === 0, 10_000, 100);
    assert.equal(fs.existsSync(session), false, `the session folder ${session} is left behind after ${signal}`);
    assert.equal(await healthz(port), undefined, 'the port still answers');
    assert.ok(fs.existsSync(path.join(scratch, 'mine.netspec')), 'the scratch copy stays: it is the learner\'s work');
    for (const f of examples) assert.equal(fs.readFileSync(path.join(repoRoot(), 'examples', f), 'utf8'), before.get(f), `examples/${f} unchanged`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

test('npm start serves a scratch copy of the examples; SIGTERM stops it and leaves nothing behind', { timeout: 150_000 }, async () => {
  harness.checkPrerequisites({ browser: false });
  await startAndStop('SIGTERM');
});

test('npm start stopped by Ctrl+C (SIGINT) leaves nothing behind either', { timeout: 150_000 }, async () => {
  harness.checkPrerequisites({ browser: false });
  await startAndStop('SIGINT');
});
