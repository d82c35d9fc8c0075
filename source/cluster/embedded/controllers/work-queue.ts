// A level-triggered work queue, like client-go's: keys are deduplicated, each
// key is handled by one handler call at a time, and a failing key is retried
// with a bounded exponential backoff. The handler reads the current state of
// the object, so it does not matter how many events led to the key.
export type Handler = (key: string) => void | Promise<void>;

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private running = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly name: string,
    private readonly handler: Handler,
    private readonly log: (line: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Re-queue a key after `delayMs` (periodic resync of one object). */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Resolves once nothing is pending or running (tests and shutdown use it). */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.notifyIdle();
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const [key] = this.pending;
        this.pending.delete(key!);
        await this.handle(key!);
      }
    } finally {
      this.running = false;
      if (this.pending.size > 0 && !this.stopped) this.add([...this.pending][0]!);
      else this.notifyIdle();
    }
  }

  private async handle(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (error) {
      const count = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, count);
      // Log the first failures and then every tenth, so a permanently bad object does not flood the log.
      if (count <= 3 || count % 10 === 0) {
        const message = error instanceof Error ? error.message : String(error);
        this.log(`${this.name}: ${key}: ${message} (attempt ${count}, retrying)`);
      }
      this.addAfter(key, Math.min(BASE_DELAY_MS * 2 ** (count - 1), MAX_DELAY_MS));
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
