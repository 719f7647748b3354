/**
 * What a training worker posts when epochs come faster than its intervals (training-run.ts, with
 * its clock stopped, so the test does not depend on the machine's speed): a run of up to 20,000
 * epochs sends every epoch, once, in order, at most 500 to a message; a longer run's epochs
 * between two messages are thinned to 500. (Timed by the clock alone, a 2,000-epoch xor run on a
 * fast machine sent more than 500 epochs in 50 ms and the panel's curve lost some of them.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunMessage } from '../../server/src/server/runs';
import { runTraining } from '../../server/src/server/training-run';
import { givenFiles } from '../../server/src/runs/data-files';
import { repoRoot } from '../support/paths';

/** The example's data is in the spec: no file to read. */
const noFiles = givenFiles({});

/** The xor example's run with `epochs` epochs, on a clock that never moves: its messages. */
async function stoppedClockRun(epochs: number): Promise<RunMessage[]> {
  const xor = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8').replace('epochs        2000', `epochs        ${epochs}`);
  const line = xor.split('\n').findIndex((l) => l.startsWith('train xor'));
  const messages: RunMessage[] = [];
  await runTraining({ text: xor, specFile: '/nowhere/xor.netspec', line }, noFiles, (m) => messages.push(m), undefined, () => 1e12);
  return messages;
}

/** The epochs a curve drawn from the progress messages has: each message's `recent`, then its own. */
function curveOf(messages: RunMessage[]): number[] {
  return messages.flatMap((m) => (m.kind === 'progress' ? [...m.recent.map((p) => p.epoch), m.epoch] : []));
}

test('a run of 2,000 epochs on a stopped clock sends every epoch once, in order, at most 500 to a message', async () => {
  const messages = await stoppedClockRun(2000);
  assert.equal(messages.at(-1)?.kind, 'done', JSON.stringify(messages.at(-1)).slice(0, 200));
  assert.deepEqual(curveOf(messages), Array.from({ length: 2000 }, (_, i) => i + 1));
  for (const m of messages) if (m.kind === 'progress') assert.ok(m.recent.length <= 500, `a message with ${m.recent.length} epochs`);
});

test('a run of more than 20,000 epochs is thinned to 500 epochs a message, its last epoch kept', async () => {
  const messages = await stoppedClockRun(25000);
  const curve = curveOf(messages);
  const progress = messages.filter((m) => m.kind === 'progress');
  assert.ok(progress.every((m) => m.recent.length <= 500), 'at most 500 epochs a message');
  assert.ok(curve.length < 25000, `thinned: ${curve.length} epochs sent of 25,000`);
  assert.ok(curve.every((e, i) => i === 0 || e > curve[i - 1]), 'in order');
  assert.equal(curve.at(-1), 25000);
});
