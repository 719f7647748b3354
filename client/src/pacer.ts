/**
 * The pace of a view's requests to the server, for a view that follows something that changes
 * (an edited document, a training run): never two requests in flight, never two starts closer
 * than `minIntervalMs`, and what was asked meanwhile done once, after. Pure (timers only), so both
 * hosts of the extension and the unit tests can use it.
 */
export class Pacer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the next request is due (ms, `now()`'s clock), or undefined: none is asked. */
  private dueAt: number | undefined;
  private inFlight = false;
  private lastStart = -Infinity;
  private disposed = false;

  constructor(
    private readonly send: () => Promise<unknown>,
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** One request once nothing has asked for `delayMs` (an edit: a later one moves it). */
  debounce(delayMs: number): void {
    this.ask(this.now() + delayMs, true);
  }

  /** One request as soon as the pace allows (a run's progress: a later one does not delay it). */
  soon(): void {
    this.ask(this.now(), false);
  }

  /** Whether a request is running (the tests read it). */
  get busy(): boolean {
    return this.inFlight;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = undefined;
  }

  private ask(at: number, replace: boolean): void {
    if (this.disposed) return;
    this.dueAt = replace || this.dueAt === undefined ? at : Math.min(this.dueAt, at);
    // In flight: the request that was asked is armed when this one answers.
    if (!this.inFlight) this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dueAt === undefined || this.disposed) return;
    const at = Math.max(this.dueAt, this.lastStart + this.minIntervalMs);
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    if (this.inFlight || this.disposed || this.dueAt === undefined) return;
    this.dueAt = undefined;
    this.inFlight = true;
    this.lastStart = this.now();
    const done = () => {
      this.inFlight = false;
      this.arm();
    };
    this.send().then(done, done);
  }
}
