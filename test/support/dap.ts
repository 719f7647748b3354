/**
 * A Debug Adapter Protocol client for tests: spawns `node dist/debugAdapter.js` and speaks DAP
 * to it over stdio (Content-Length framing, JSON), as nvim-dap or VS Code would; and a whole
 * session read through it, stop by stop (the top frame, the frames below it, and every variable
 * expanded to its numbers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Value } from '../../server/src/engine/value';
import { repoRoot } from './paths';

type Waiter = { test: (m: DebugProtocol.ProtocolMessage) => boolean; resolve: (m: DebugProtocol.ProtocolMessage) => void };

/** A failed request: the adapter's error response. */
export class DapError extends Error {
  constructor(readonly response: DebugProtocol.Response) {
    super(response.body?.error?.format ?? response.message ?? 'error');
  }
}

export class DapClient {
  /** Every event the adapter sent, in order. */
  readonly events: DebugProtocol.Event[] = [];
  stderr = '';
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (r: DebugProtocol.Response) => void }>();
  private waiters: Waiter[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(readonly process: ChildProcess) {
    process.stdout!.on('data', (d: Buffer) => this.receive(d));
    process.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => process.on('exit', (code) => resolve(code)));
  }

  /** Starts the adapter and initializes it as VS Code does (1-based lines and columns, native paths). */
  static async start(): Promise<DapClient> {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'debugAdapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new DapClient(child);
    await client.request('initialize', { adapterID: 'netspec', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    return client;
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const header = this.buffer.indexOf('\r\n\r\n');
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, header).toString('ascii'))?.[1]);
      if (this.buffer.length < header + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(header + 4, header + 4 + length).toString('utf8')) as DebugProtocol.ProtocolMessage;
      this.buffer = this.buffer.subarray(header + 4 + length);
      if (message.type === 'response') {
        const r = message as DebugProtocol.Response;
        this.pending.get(r.request_seq)?.resolve(r);
        this.pending.delete(r.request_seq);
      } else if (message.type === 'event') this.events.push(message as DebugProtocol.Event);
      for (const w of [...this.waiters]) {
        if (w.test(message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  }

  /** The response to a request, whether it succeeded or not. */
  send(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise((resolve) => {
      this.pending.set(seq, { resolve });
      this.process.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
    });
  }

  /** The body of a successful response; a DapError for a failed one. */
  async request<T = any>(command: string, args?: unknown): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await this.send(command, args);
    if (!r.success) throw new DapError(r);
    return r.body as T;
  }

  /**
   * The next event named `name` after the `seen`-th event of the session (by default: after all
   * events so far), within `timeoutMs`.
   */
  event(name: string, seen = this.events.length, timeoutMs = 10_000): Promise<DebugProtocol.Event> {
    const earlier = this.events.slice(seen).find((e) => e.event === name);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no \`${name}\` event within ${timeoutMs} ms; events: ${this.events.map((e) => e.event).join(', ')}\n${this.stderr}`)), timeoutMs);
      // A race between events (`stopped` or `terminated`) leaves the loser's timer: it must not keep the test alive.
      timer.unref();
      this.waiters.push({
        test: (m) => m.type === 'event' && (m as DebugProtocol.Event).event === name,
        resolve: (m) => (clearTimeout(timer), resolve(m as DebugProtocol.Event)),
      });
    });
  }

  /**
   * Launches with `args` as VS Code does: the launch request, then on `initialized` the
   * breakpoints (`breakpoints`, by line, with conditions) and configurationDone. Resolves with
   * the launch's response and the breakpoints' answer.
   */
  async launch(args: Record<string, unknown>, breakpoints: { line: number; condition?: string }[] = []): Promise<{ response: DebugProtocol.Response; breakpoints: DebugProtocol.Breakpoint[] }> {
    const seen = this.events.length;
    const launched = this.send('launch', args);
    const first = await Promise.race([launched, this.event('initialized', seen)]);
    if ('command' in first && first.type === 'response') return { response: first as DebugProtocol.Response, breakpoints: [] };
    const set = await this.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: args.program }, breakpoints });
    await this.request('configurationDone');
    return { response: await launched, breakpoints: set.breakpoints };
  }

  /** Ends the session and the adapter's process. */
  async close(): Promise<void> {
    if (this.process.exitCode === null) {
      await Promise.race([this.send('disconnect', {}), new Promise((r) => setTimeout(r, 2000))]);
      this.process.stdin!.end();
      const timer = setTimeout(() => this.process.kill(), 3000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

// ---- a session, stop by stop ------------------------------------------------------------------

/** Runs `body` with an adapter of its own, closed afterwards whatever happened. */
export async function session<T>(body: (c: DapClient) => Promise<T>): Promise<T> {
  const c = await DapClient.start();
  try {
    return await body(c);
  } finally {
    await c.close();
  }
}

export interface Stop {
  /** The top frame's name (`forward h`) and line; the names of the frames below it. */
  name: string;
  line: number;
  below: string[];
  /** The scope's variables in order, as displayed, and as numbers (children read back). */
  variables: DebugProtocol.Variable[];
  values: Map<string, Value>;
}

/** A variable's value as numbers: a number's String(x) read back, or its children's. */
export async function valueOf(c: DapClient, v: { value: string; variablesReference: number }): Promise<Value> {
  if (v.variablesReference === 0) return Number(v.value);
  const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: v.variablesReference });
  return (await Promise.all(variables.map((child) => valueOf(c, child)))) as Value;
}

/** The stop the session is at: its frames and its variables, fully expanded. */
export async function readStop(c: DapClient): Promise<Stop> {
  const { stackFrames } = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: 1 });
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: stackFrames[0].id });
  const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[0].variablesReference });
  const values = new Map<string, Value>();
  for (const v of variables) values.set(v.name, await valueOf(c, v));
  return { name: stackFrames[0].name, line: stackFrames[0].line, below: stackFrames.slice(1).map((f) => f.name), variables, values };
}

/** After `action`, the next `stopped` or `terminated` event. */
export async function after(c: DapClient, action: () => Promise<unknown>): Promise<'stopped' | 'terminated'> {
  const seen = c.events.length;
  await action();
  const e = await Promise.race([c.event('stopped', seen), c.event('terminated', seen)]);
  return e.event as 'stopped' | 'terminated';
}

/** Every stop from the current one, by `command` (next, continue, …), until the session ends. */
export async function walk(c: DapClient, command = 'next', max = 100): Promise<Stop[]> {
  const stops: Stop[] = [];
  for (let i = 0; i < max; i++) {
    stops.push(await readStop(c));
    if ((await after(c, () => c.request(command, { threadId: 1 }))) === 'terminated') return stops;
  }
  throw new Error(`the session did not end within ${max} stops`);
}

/** Launches and waits for the first stop or the end; the launch's failure as a thrown message. */
export async function launched(c: DapClient, args: Record<string, unknown>, breakpoints: { line: number; condition?: string }[] = []) {
  const seen = c.events.length;
  const r = await c.launch(args, breakpoints);
  if (!r.response.success) throw new Error(`launch failed: ${(r.response.body as DebugProtocol.ErrorResponse['body'] | undefined)?.error?.format ?? r.response.message}`);
  const first = await Promise.race([c.event('stopped', seen), c.event('terminated', seen)]);
  return { breakpoints: r.breakpoints, first: first.event as 'stopped' | 'terminated' };
}
