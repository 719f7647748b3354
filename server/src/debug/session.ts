import {
  Breakpoint, DebugSession, Handles, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { analyze, type FileAnalysis } from '../analysis/analyze';
import type { Value } from '../engine/value';
import { compile, compileCondition, conditionError, conditionHolds, evaluateWith, type Condition } from './expressions';
import { probeStages, StageError, type Stage } from './stages';
import type { DebugHost } from './host';
import { trainingWalk } from './training';
import { children, summary, typeName } from './values';
import { probeWalk, type Walk } from './walk';

export type { DebugHost } from './host';

/**
 * The `netspec` debug adapter: a probe's backpropagation, stage by stage (stages.ts), or a
 * training run epoch by epoch (training.ts), over the Debug Adapter Protocol. One thread; its top
 * frame is the current stage (`forward h`, `loss`, `backward y`, `epoch 12`) on the line it
 * stands for, above the statement's own frame. Step Over, Step Into and Step Out go one stage on,
 * Step Back one back (a probe only); Continue runs to the next stage on a line with a breakpoint
 * whose condition holds, or ends the session. Nothing here uses Node: the same class
 * runs in the extension host (inline, desktop and browser) and in `dist/debugAdapter.js` (stdio),
 * which differ only in the `DebugHost` that reads and watches the spec.
 */

/** The launch configuration's arguments (package.json `contributes.debuggers`). */
export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The spec's path. */
  program?: string;
  /** The 1-based line of the probe to step through; the file's first probe by default. */
  probe?: number;
  /** The 1-based line of a `train` statement to step through epoch by epoch, instead of a probe. */
  train?: number;
  /** Stop on the probe's (or the train statement's) line before anything runs (default true). */
  stopOnEntry?: boolean;
}

const THREAD_ID = 1;
/** The frame of the current stage, and the statement's frame below it. */
const STAGE_FRAME = 1;
const BASE_FRAME = 2;
/** How long Continue computes stages (epochs) before it lets other messages in. */
const RUN_SLICE_MS = 40;
/** How long a launch waits for the client's breakpoints (configurationDone) before it starts anyway. */
const CONFIGURATION_WAIT_MS = 5000;

type Handle = { kind: 'stage'; stage: Stage } | { kind: 'value'; value: Value };

interface LineBreakpoint {
  line: number;
  condition?: Condition;
}

export class NetSpecDebugSession extends DebugSession {
  private program = '';
  private text = '';
  private analysis?: FileAnalysis;
  private walk?: Walk;
  /** The current stage's index along the walk. */
  private at = 0;
  /** Pause asked while Continue runs epochs. */
  private pausing = false;
  private breakpoints: LineBreakpoint[] = [];
  private handles = new Handles<Handle>();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private unwatch?: () => void;
  private ended = false;

  constructor(private readonly host: DebugHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsStepBack: true,
      supportsTerminateRequest: true,
      supportsEvaluateForHovers: false,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  /**
   * Reads and analyses the spec, refuses a file with errors or a line that is not a probe, then
   * asks for the breakpoints (`initialized`), waits for them, and stops on the probe's line (or
   * runs to the first breakpoint).
   */
  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    const refuse = (message: string) => this.sendErrorResponse(response, { id: 1001, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
    if (typeof args.program !== 'string' || args.program === '') return refuse('The launch configuration needs `program`: the path of a .netspec file.');
    for (const key of ['probe', 'train'] as const) {
      const v = args[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) return refuse(`\`${key}\` is the 1-based line of a ${key === 'probe' ? 'probe' : '`train` statement'}, not ${JSON.stringify(v)}.`);
    }
    if (args.probe !== undefined && args.train !== undefined) return refuse('Give `probe` or `train`, not both: a session steps through one statement.');
    this.program = args.program;
    try {
      this.text = await this.host.read(this.program);
    } catch (err) {
      return refuse(`Cannot read ${this.program}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // A probe sees the editor's trained parameters, as its hovers do; a training session starts from the file's, as netspec train does.
    const trained = args.train === undefined ? await this.host.trained?.(this.program).catch(() => undefined) : undefined;
    this.analysis = analyze(this.text, trained ? { trained } : {});
    const errors = this.analysis.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const e = errors[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
      return refuse(`${baseName(this.program)}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.message}${more} Fix the file to step through a probe.`);
    }
    try {
      this.walk = args.train !== undefined
        ? await trainingWalk(this.analysis, args.train, this.program, this.host)
        : probeWalk(probeStages(this.analysis, args.probe));
    } catch (err) {
      if (err instanceof StageError) return refuse(err.message);
      throw err;
    }
    this.unwatch = this.host.watch(this.program, () => void this.checkUnchanged());
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configurationDone, new Promise((resolve) => setTimeout(resolve, CONFIGURATION_WAIT_MS))]);
    if (this.ended) return;
    this.sendResponse(response);
    if (args.stopOnEntry === false) void this.run(0, 1);
    else this.stopAt(0, 'entry');
  }

  /** Ends the session when the spec's text is no longer the one the numbers came from. */
  private async checkUnchanged(): Promise<void> {
    if (this.ended) return;
    let now: string | undefined;
    try {
      now = await this.host.read(this.program);
    } catch {
      now = undefined;
    }
    if (now === this.text || this.ended) return;
    this.sendEvent(new OutputEvent(`${baseName(this.program)} changed, so this debug session ended: its numbers were the old version's. Start it again to step through the new one.\n`, 'important'));
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unwatch?.();
    this.unwatch = undefined;
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.ended = true;
    this.unwatch?.();
    this.unwatch = undefined;
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.end();
  }

  // ---- where the session stands ----------------------------------------------------------------

  /** Stops at stage `i`. */
  private stopAt(i: number, reason: 'entry' | 'step' | 'breakpoint' | 'pause'): void {
    this.at = i;
    this.handles.reset();
    this.sendEvent(new StoppedEvent(reason, THREAD_ID));
  }

  /**
   * From stage `from`, in `direction`, to the first stage on a line whose breakpoint holds; past
   * the last stage the session ends, before the first it stops on the entry. Stages computed on
   * the way (a training run's epochs) give the event loop a turn every RUN_SLICE_MS, so a pause,
   * a disconnect or an edit is heard while a long run goes on.
   */
  private async run(from: number, direction: 1 | -1): Promise<void> {
    const walk = this.walk!;
    this.pausing = false;
    let slice = Date.now();
    for (let i = from; i >= 0; i += direction) {
      const stage = walk.stage(i);
      if (!stage) break;
      const verdict = this.breaksAt(stage);
      if (typeof verdict === 'object') this.sendEvent(new OutputEvent(`Breakpoint condition on line ${stage.line} at ${stage.name}: ${verdict.error}\n`, 'stderr'));
      if (verdict !== false) return this.stopAt(i, 'breakpoint');
      if (Date.now() - slice > RUN_SLICE_MS) {
        this.at = i;
        await new Promise((resolve) => setTimeout(resolve, 0));
        slice = Date.now();
        if (this.ended) return;
        if (this.pausing) return this.stopAt(i, 'pause');
      }
    }
    if (direction < 0) this.stopAt(0, 'entry');
    else this.end();
  }

  /** Whether a breakpoint stops `stage`: a condition that cannot be evaluated stops, with its error. */
  private breaksAt(stage: Stage): boolean | { error: string } {
    const values = valuesOf(stage);
    for (const bp of this.breakpoints) {
      if (bp.line !== stage.line) continue;
      if (!bp.condition) return true;
      const r = conditionHolds(this.analysis!.program, bp.condition, values);
      if (r === true || typeof r === 'object') return r;
    }
    return false;
  }

  private step(response: DebugProtocol.Response, direction: 1 | -1): void {
    if (direction < 0 && this.walk && !this.walk.reversible) return this.notBack(response);
    this.sendResponse(response);
    if (!this.walk || this.ended) return;
    const next = Math.max(0, this.at + direction);
    if (!this.walk.stage(next)) this.end();
    else this.stopAt(next, 'step');
  }

  private notBack(response: DebugProtocol.Response): void {
    this.sendErrorResponse(response, { id: 1003, format: 'A training run goes forward only: Step Back and Reverse Continue step through a probe.', showUser: true });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.step(response, 1);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.step(response, 1);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.step(response, 1);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.step(response, -1);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    if (this.walk && !this.ended) void this.run(this.at + 1, 1);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    if (this.walk && !this.walk.reversible) return this.notBack(response);
    this.sendResponse(response);
    if (this.walk && !this.ended) void this.run(this.at - 1, -1);
  }

  /** Pause stops a Continue through a training run at the epoch it has reached. */
  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.pausing = true;
    this.sendResponse(response);
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  /**
   * Breakpoints are verified on the lines that are stages: a probe's network's `dense` lines
   * (forward and backward), its `loss` line and the probe's own; a training run's `train` line
   * (every epoch). A condition is a NetSpec expression over a stop's variables, optionally
   * compared (`max(abs(delta)) < 1e-6`, `loss < 0.01`).
   */
  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const requested: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const walk = this.walk;
    const ours = walk !== undefined && samePath(args.source.path, this.program);
    const kept: LineBreakpoint[] = [];
    const answered = requested.map((b): DebugProtocol.Breakpoint => {
      const line = this.convertClientLineToDebugger(b.line);
      const bp: DebugProtocol.Breakpoint = new Breakpoint(false, b.line);
      if (!ours) {
        bp.message = 'Not the file of this debug session.';
        return bp;
      }
      if (!walk.lines.has(line)) {
        bp.message = walk.elsewhere;
        return bp;
      }
      const condition = b.condition?.trim() ? compileCondition(this.analysis!.program, b.condition, walk.names) : undefined;
      const error = condition && conditionError(condition);
      if (error) {
        bp.message = `Condition: ${error}`;
        return bp;
      }
      bp.verified = true;
      kept.push({ line, condition });
      return bp;
    });
    if (ours) this.breakpoints = kept;
    response.body = { breakpoints: answered };
    this.sendResponse(response);
  }

  // ---- what the UI reads at a stop ---------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, this.walk?.title ?? 'netspec')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const walk = this.walk;
    const stage = walk?.stage(this.at);
    if (!walk || !stage) {
      response.body = { stackFrames: [], totalFrames: 0 };
      return this.sendResponse(response);
    }
    const source = new Source(baseName(this.program), this.convertDebuggerPathToClient(this.program));
    const frames = [new StackFrame(STAGE_FRAME, stage.name, source, this.convertDebuggerLineToClient(stage.line), 1)];
    if (this.at > 0) frames.push(new StackFrame(BASE_FRAME, walk.base.name, source, this.convertDebuggerLineToClient(walk.base.line), 1));
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  /** The stage a frame stands for: the current one, or the entry for the statement's frame. */
  private frameStage(frameId: number | undefined): Stage | undefined {
    return this.walk?.stage(frameId === BASE_FRAME ? 0 : this.at);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const stage = this.frameStage(args.frameId);
    response.body = { scopes: stage ? [new Scope(stage.name, this.handles.create({ kind: 'stage', stage }), false)] : [] };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const h = this.handles.get(args.variablesReference);
    let variables: DebugProtocol.Variable[] = [];
    if (h?.kind === 'stage') variables = h.stage.variables.map((v) => ({ ...this.variable(v.name, v.value), evaluateName: v.id }));
    else if (h?.kind === 'value') variables = children(h.value).map((c) => this.variable(c.name, c.value));
    const start = args.start ?? 0;
    response.body = { variables: args.count ? variables.slice(start, start + args.count) : variables.slice(start) };
    this.sendResponse(response);
  }

  /** A variable: a number's String(x), or a summary that expands into the elements. */
  private variable(name: string, value: Value): DebugProtocol.Variable {
    const reference = typeof value === 'number' ? 0 : this.handles.create({ kind: 'value', value });
    const v: DebugProtocol.Variable = { name, value: summary(value), type: typeName(value), variablesReference: reference };
    if (typeof value !== 'number') v.indexedVariables = value.length;
    return v;
  }

  /**
   * The debug console and watches: `explain` writes the current stage's chain rule with its
   * numbers; anything else is a NetSpec expression over the stop's variables, lets and fns.
   */
  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const stage = this.frameStage(args.frameId);
    const walk = this.walk;
    const fail = (message: string) => this.sendErrorResponse(response, { id: 1002, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: false });
    if (!stage || !walk || this.ended) return fail('The session is not stopped at a stage.');
    const text = args.expression.trim();
    if (text === 'explain') {
      response.body = { result: walk.explain(stage).join('\n'), variablesReference: 0 };
      return this.sendResponse(response);
    }
    const values = valuesOf(stage);
    const compiled = compile(this.analysis!.program, text, new Set(values.keys()));
    if ('error' in compiled) return fail(compiled.error);
    const r = evaluateWith(this.analysis!.program, compiled, values);
    if ('error' in r) return fail(r.error);
    const v = this.variable(text, r.value);
    response.body = { result: v.value, type: v.type, variablesReference: v.variablesReference, indexedVariables: v.indexedVariables };
    this.sendResponse(response);
  }
}

/** A stage's variables by the names expressions read them by. */
function valuesOf(stage: Stage): Map<string, Value> {
  return new Map(stage.variables.map((v) => [v.id, v.value]));
}

/** The last part of a path, `/` or `\` separated. */
function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

/**
 * Whether two paths name the same file, as far as their text tells: Windows drive letters and
 * separators aside, and a URI (the program in a browser, `vscode-remote://…/x.netspec`) read as
 * its path when the other is a plain path.
 */
function samePath(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const isUri = (p: string) => /^[a-z][\w+.-]*:\/\//i.test(p);
  const norm = (p: string, other: string) => {
    let q = p;
    if (isUri(q) && !isUri(other)) {
      try {
        q = decodeURIComponent(new URL(q).pathname);
      } catch {
        // not a URI after all: compared as written
      }
    }
    return q.replace(/\\/g, '/').replace(/^\/?([a-zA-Z]):/, (_m, d: string) => `${d.toLowerCase()}:`);
  };
  return norm(a, b) === norm(b, a);
}
