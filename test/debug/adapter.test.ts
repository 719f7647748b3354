/**
 * The debug adapter over stdio, as an editor drives it: breakpoints on a layer's line (its
 * forward and backward stages) and on the loss line, conditions written in NetSpec over a stop's
 * variables, Continue, Step Back, the debug console (expressions with the stop's variables, the
 * file's lets and fns; `explain`), and the launches it refuses: a file with errors, a line that
 * is not a probe, a file that changes during the session.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after as afterAll, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { analyze } from '../../server/src/analysis/analyze';
import { after, DapClient, session, DapError, launched, readStop, valueOf, walk } from '../support/dap';
import { until } from '../support/until';

/** h saturates (z of 80 to 100 into a sigmoid): its δ vanishes, y's does not. */
const SPEC = [
  'fn shifted(u) = u + z', //                            1: reads the let z, whatever a stop calls z
  'let z = 0.5', //                                      2
  'let scale = 2', //                                    3
  '', //                                                 4
  'network deep {', //                                   5
  '  input x[2]', //                                     6
  '  dense h[3] sigmoid', //                             7
  '  dense y[2] softmax', //                             8
  '  loss cross_entropy', //                             9
  '  weights h = [[40, 30, 50], [40, 30, 50]]', //      10
  '  weights y = [[0.5, -0.5], [0.25, 0.1], [-1, 1]]', // 11
  '}', //                                                12
  'probe deep [1, 1] -> [0.25, 0.75]', //                13
  'eval scale', //                                       14
].join('\n');
const LINES = { h: 7, y: 8, loss: 9, probe: 13, blank: 4, eval: 14 };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-debug-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
function spec(text = SPEC): string {
  const file = path.join(dir, `spec${files++}.netspec`);
  fs.writeFileSync(file, text);
  return file;
}

const stoppedReasons = (c: DapClient) => c.events.filter((e) => e.event === 'stopped').map((e) => (e as DebugProtocol.StoppedEvent).body.reason);

test('breakpoints are verified on the stages\' lines only; Continue stops at a layer\'s forward and backward stages and at the loss', () => session(async (c) => {
  const program = spec();
  const { breakpoints } = await launched(c, { program }, [{ line: LINES.h }, { line: LINES.loss }, { line: LINES.blank }, { line: LINES.eval }]);
  assert.deepEqual(breakpoints.map((b) => b.verified), [true, true, false, false]);
  assert.match(breakpoints[2].message!, /`dense` line or the `loss` line of deep/);
  const stops = await walk(c, 'continue');
  assert.deepEqual(stops.map((s) => `${s.name}@${s.line}`), [`probe deep@${LINES.probe}`, `forward h@${LINES.h}`, `loss@${LINES.loss}`, `backward h@${LINES.h}`]);
  assert.deepEqual(stoppedReasons(c), ['entry', 'breakpoint', 'breakpoint', 'breakpoint']);
}));

test('a breakpoint\'s source given as a URI (a browser\'s editor names files so) is the session\'s file', () => session(async (c) => {
  const program = spec();
  await launched(c, { program });
  const set = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: pathToFileURL(program).toString() }, breakpoints: [{ line: LINES.loss }] });
  assert.deepEqual(set.breakpoints.map((b) => b.verified), [true]);
  const other = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: pathToFileURL(path.join(dir, 'other.netspec')).toString() }, breakpoints: [{ line: LINES.loss }] });
  assert.equal(other.breakpoints[0].message, 'Not the file of this debug session.');
  assert.deepEqual((await walk(c, 'continue')).map((s) => s.name), ['probe deep', 'loss']);
}));

test('stopOnEntry false runs to the first breakpoint, or to the end when there is none', async () => {
  const program = spec();
  await session(async (c) => {
    const { first } = await launched(c, { program, stopOnEntry: false }, [{ line: LINES.y }]);
    assert.equal(first, 'stopped');
    assert.deepEqual((await walk(c, 'continue')).map((s) => s.name), ['forward y', 'backward y']);
  });
  await session(async (c) => {
    const { first } = await launched(c, { program, stopOnEntry: false });
    assert.equal(first, 'terminated');
    assert.deepEqual(stoppedReasons(c), []);
  });
});

test('a condition in NetSpec over the stop\'s variables: `max(abs(delta)) < 1e-6` stops where δ vanishes, and only there', async () => {
  const program = spec();
  const r = analyze(SPEC).probes[0].result!;
  assert.ok(Math.max(...r.layers[0].delta.map(Math.abs)) < 1e-6 && Math.max(...r.layers[1].delta.map(Math.abs)) > 1e-6, 'h\'s δ vanishes and y\'s does not');
  await session(async (c) => {
    const vanishing = 'max(abs(delta)) < 1e-6';
    const { breakpoints, first } = await launched(c, { program, stopOnEntry: false }, [{ line: LINES.h, condition: vanishing }, { line: LINES.y, condition: vanishing }, { line: LINES.loss, condition: 'E > 100' }]);
    assert.deepEqual(breakpoints.map((b) => b.verified), [true, true, true]);
    assert.equal(first, 'stopped');
    assert.deepEqual((await walk(c, 'continue')).map((s) => s.name), ['backward h']);
  });
  await session(async (c) => {
    await launched(c, { program, stopOnEntry: false }, [{ line: LINES.loss, condition: `E >= ${r.loss}` }, { line: LINES.y, condition: 'norm(g(z)) == 0' }]);
    const stops = await walk(c, 'continue');
    assert.deepEqual(stops.map((s) => s.name), ['loss'], 'E >= its own value holds; a condition that cannot parse is not a breakpoint');
  });
});

test('a condition that cannot be read is an unverified breakpoint saying why; one that fails at a stop stops there and says why', () => session(async (c) => {
  const program = spec();
  const { breakpoints } = await launched(c, { program }, [
    { line: LINES.h, condition: 'max(abs(delta)) <' },
    { line: LINES.y, condition: 'gradient > 1' },
    { line: LINES.loss, condition: 'output > 0' },
  ]);
  assert.deepEqual(breakpoints.map((b) => b.verified), [false, false, true]);
  assert.match(breakpoints[0].message!, /^Condition: /);
  assert.match(breakpoints[1].message!, /Condition: Unknown name `gradient`.*delta/);
  const seen = c.events.length;
  assert.deepEqual((await walk(c, 'continue')).map((s) => s.name), ['probe deep', 'loss']);
  const said = c.events.slice(seen).filter((e) => e.event === 'output').map((e) => (e as DebugProtocol.OutputEvent).body.output).join('');
  assert.match(said, /line 9 at loss: A condition compares numbers/);
}));

test('Step Back and Reverse Continue go back through the stages', () => session(async (c) => {
  await launched(c, { program: spec() }, [{ line: LINES.y }]);
  const name = async () => (await readStop(c)).name;
  for (const step of ['next', 'next', 'next']) await after(c, () => c.request(step, { threadId: 1 }));
  assert.equal(await name(), 'loss');
  await after(c, () => c.request('stepBack', { threadId: 1 }));
  assert.equal(await name(), 'forward y');
  await after(c, () => c.request('stepBack', { threadId: 1 }));
  await after(c, () => c.request('reverseContinue', { threadId: 1 }));
  assert.equal(await name(), 'probe deep', 'no breakpoint before forward h: back to the entry');
}));

/** The debug console's answer to `expression` at the current stop. */
async function evaluate(c: DapClient, expression: string): Promise<{ result: string; value: string; variablesReference: number }> {
  const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId: 1, context: 'repl' });
  return { ...r, value: r.result };
}

test('the debug console evaluates NetSpec with the stop\'s variables, the lets and the fns; a stop\'s name hides a let only in what is typed', () => session(async (c) => {
  await launched(c, { program: spec() });
  assert.equal((await evaluate(c, 'z')).result, '0.5', 'at the entry, z is the let');
  await after(c, () => c.request('next', { threadId: 1 }));
  const stop = await readStop(c);
  assert.equal(stop.name, 'forward h');
  const z = stop.values.get('z') as number[];
  const sig = await evaluate(c, 'sigmoid(z)');
  assert.deepEqual(await valueOf(c, sig), stop.values.get('g(z)'), 'sigmoid(z) is g(z)');
  assert.match(sig.result, /^\[1, 1, 1\] \(3\)$/);
  assert.deepEqual(await valueOf(c, await evaluate(c, 'scale * x')), [2, 2], 'a let with a stop\'s variable');
  assert.deepEqual(await valueOf(c, await evaluate(c, 'shifted(0)')), 0.5, 'a fn\'s body reads the let z, not the stop\'s');
  assert.equal((await evaluate(c, 'sum(z)')).result, String(z[0] + z[1] + z[2]));
  await assert.rejects(evaluate(c, 'delta'), (e: DapError) => /Unknown name `delta`.*here: x, W, b, z, y/.test(e.message));
  await assert.rejects(evaluate(c, 'sigmoid('), DapError);
  assert.match((await evaluate(c, 'explain')).result, /^forward h: zₖ = Σⱼ xⱼ·wⱼₖ \+ bₖ, then g\(zₖ\) = sigmoid\(zₖ\)\n {2}z₀ = 1·40 \+ 1·40 \+ 0 = 80;/);
}));

test('`explain` writes each stage\'s chain rule with its numbers: the three factors per weight at the output, W_next and delta_next below it', () => session(async (c) => {
  const text = SPEC.replace('dense y[2] softmax', 'dense y[2] tanh').replace('loss cross_entropy', 'loss squared_error');
  await launched(c, { program: spec(text) });
  const explained: Record<string, string> = {};
  for (;;) {
    const name = (await readStop(c)).name;
    explained[name] = (await evaluate(c, 'explain')).result;
    if ((await after(c, () => c.request('next', { threadId: 1 }))) === 'terminated') break;
  }
  const p = analyze(text).probes[0].result!;
  assert.match(explained.loss, /^loss squared_error: E = ½ Σₖ \(yₖ − tₖ\)² = /);
  assert.match(explained['backward y'], /dE\/dwⱼₖ = dE\/dyₖ · g'\(zₖ\) · xⱼ/);
  const out = p.layers[1];
  const factors = `dE/dw₀,₁ = ${out.trace.y[1] - 0.75 < 0 ? '(' : ''}`;
  assert.ok(explained['backward y'].includes(factors), explained['backward y']);
  assert.equal(explained['backward y'].split('\n').filter((l) => /^ {2}dE\/dw.* · .* · /.test(l)).length, 6, 'three factors for each of the 6 weights');
  assert.match(explained['backward h'], /δⱼ = g'\(zⱼ\) · Σₖ wⱼₖ·δₖ, with W_next and delta_next of y/);
}));

test('a file with errors, a line that is not a probe, a missing file and no program are launch errors that say so', async () => {
  const refused = (args: Record<string, unknown>) => session(async (c) => {
    const r = await c.launch(args);
    assert.equal(r.response.success, false, JSON.stringify(args));
    return (r.response as DebugProtocol.ErrorResponse).body.error!.format;
  });
  const broken = spec(SPEC.replace('dense h[3] sigmoid', 'dense h[3] sigmod'));
  assert.match(await refused({ program: broken }), new RegExp(`^${path.basename(broken)}:7:14: Unknown activation \`sigmod\`.*Fix the file`));
  assert.equal(await refused({ program: spec(), probe: LINES.eval }), 'Line 14 is not a probe. The probes are on line 13 (probe deep).');
  assert.match(await refused({ program: path.join(dir, 'missing.netspec') }), /^Cannot read .*missing\.netspec/);
  assert.match(await refused({}), /needs `program`/);
  assert.match(await refused({ program: spec('let a = 1') }), /has no probe/);
});

test('a file that changes during a session ends it with a message; saving the same text does not', () => session(async (c) => {
  const program = spec();
  await launched(c, { program });
  fs.writeFileSync(program, SPEC); // the same text, a new modification time
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!c.events.some((e) => e.event === 'terminated'), 'the same text keeps the session');
  const seen = c.events.length;
  fs.writeFileSync(program, SPEC.replace('[1, 1] -> [0.25, 0.75]', '[1, 0] -> [0.25, 0.75]'));
  await c.event('terminated', seen);
  const message = c.events.slice(seen).find((e) => e.event === 'output') as DebugProtocol.OutputEvent;
  assert.equal(message.body.category, 'important');
  assert.match(message.body.output, /changed, so this debug session ended/);
  await until('the terminated event', () => c.events.some((e) => e.event === 'terminated'), 5000);
}));
