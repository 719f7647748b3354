import type { TrainOptions } from '../engine/train';
import { scheduleText } from '../engine/schedules';

/**
 * A `train` statement's name for people, where several runs are told apart (the training panel's
 * legend of compared runs, the Train pick list): its 1-based line, then what sets its steps — the
 * optimizer and learning rate always, the schedule, l2, l1, batch and patience when set — e.g.
 * `line 12: adam lr 0.01`, `line 20: momentum 0.9 lr 0.1, schedule cosine(50), batch 16`.
 * Numbers as written (JavaScript's shortest round-trip form), so two statements that differ read
 * differently.
 *
 * @param line 0-based line of the `train` keyword.
 */
export function trainLabel(line: number, o: TrainOptions): string {
  const opt = o.optimizer.kind === 'momentum' ? `momentum ${o.optimizer.momentum}` : o.optimizer.kind;
  const extras: string[] = [];
  if (o.schedule) extras.push(`schedule ${scheduleText(o.schedule)}`);
  if (o.l2) extras.push(`l2 ${o.l2}`);
  if (o.l1) extras.push(`l1 ${o.l1}`);
  if (o.batch !== undefined) extras.push(`batch ${o.batch}`);
  if (o.patience !== undefined) extras.push(`patience ${o.patience}`);
  return `line ${line + 1}: ${opt} lr ${o.learningRate}${extras.length ? ', ' + extras.join(', ') : ''}`;
}
