import { explain } from './explain';
import type { ProbeStages, Stage } from './stages';

/**
 * What a debug session steps through, whatever it is: a probe's stages (all known at launch) or
 * a training run's epochs (computed as the session reaches them). The session (session.ts) only
 * moves along it, stops, and shows what a stage holds.
 */
export interface Walk {
  /** The thread's name: `probe xor (line 24)`, `train xor on xor_data (line 17)`. */
  readonly title: string;
  /** The frame below every stage's: the statement the session runs, on its line. */
  readonly base: { name: string; line: number };
  /** The lines a breakpoint may stop on, and what to say of another line. */
  readonly lines: ReadonlySet<number>;
  readonly elsewhere: string;
  /** Every name a stage's variable is read by, for breakpoint conditions. */
  readonly names: ReadonlySet<string>;
  /** Whether Step Back can go to earlier stages (a training run only goes forward). */
  readonly reversible: boolean;
  /** Stage `i` (0: the entry), computed if need be; undefined past the last. */
  stage(i: number): Stage | undefined;
  /** `explain` at a stage. */
  explain(stage: Stage): string[];
}

/** A probe's stages: the probe, forward L per layer, the loss, backward L from the output down. */
export function probeWalk(p: ProbeStages): Walk {
  const name = p.network.name;
  return {
    title: `probe ${name} (line ${p.probeLine})`,
    base: { name: p.stages[0].name, line: p.probeLine },
    lines: new Set(p.stages.map((s) => s.line)),
    elsewhere: `No stage of probe ${name} stops here: put breakpoints on a \`dense\` line or the \`loss\` line of ${name}, or on the probe.`,
    names: new Set(p.stages.flatMap((s) => s.variables.map((v) => v.id))),
    reversible: true,
    stage: (i) => p.stages[i],
    explain: (stage) => explain(p, stage),
  };
}
