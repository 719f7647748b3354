/**
 * The tests' one seeded generator, for drawing random cases: the same cases on every run and
 * every machine, so a failure replays. mulberry32 (32-bit state, Math.imul only). It is not the
 * engine's generator (server/src/engine/random.ts, part of the language's contract), which the
 * tests check rather than use, so a change there cannot quietly change what the tests draw.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform double in [0, 1) (32 random bits). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A whole number from lo to hi, both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** One of `items`, each as likely. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** The generator as a function of no arguments, for code that draws with `rand()`. */
export function seededRandom(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}
