// Giving the JavaScript heap back after a surge of connections (issue 16
// item 5, "memory that comes back"). During a flood V8 grows its heap (the
// young generation triples, ~20 MB → ~65 MB here); once the clients are gone
// the process allocates almost nothing, so V8 never runs the full GC that
// would start its memory reducer, and the grown heap stays committed for as
// long as the proxy is quiet (bench/proxy-memory.mjs: 139 MB RSS 17 s after
// the attack, 65 MB before it). One full GC when a surge has subsided starts
// that reducer, which uncommits the unused pages over the next ~10 s.
// Envoy's overload manager has the same idea for its allocator
// (envoy.overload_actions.shrink_heap). The native memory glibc keeps as free
// chunks is not reachable from here (see bench/README.md).
import v8 from 'node:v8';
import vm from 'node:vm';

export interface HeapReleaseOptions {
  /** Open connections that make a surge. */
  surgeConnections: number;
  /** The surge has subsided once open connections are at most this fraction of its peak… */
  subsidedFraction: number;
  /** …and have stayed so for this long. */
  quietMs: number;
  /** Two collections are at least this far apart (a full GC of a 10–30 MB heap pauses ~10–30 ms). */
  minIntervalMs: number;
  /** The full collection (default: V8's gc, exposed for this process). */
  collect?: () => void;
}

export const DEFAULT_HEAP_RELEASE: HeapReleaseOptions = { surgeConnections: 1000, subsidedFraction: 0.1, quietMs: 2000, minIntervalMs: 30_000 };

let exposedGc: (() => void) | undefined;
/** V8's full GC: the global one under --expose-gc, else exposed once through a fresh context. */
function fullGc(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void;
  if (!exposedGc) {
    v8.setFlagsFromString('--expose-gc');
    exposedGc = vm.runInNewContext('gc') as () => void;
  }
  return exposedGc;
}

/** Watches the count of open connections and collects once after each surge. */
export class HeapRelease {
  private peak = 0;
  private lastCollect = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  /** Collections run, for tests and the status page. */
  collections = 0;

  constructor(private readonly options: HeapReleaseOptions = DEFAULT_HEAP_RELEASE) {}

  /** Call with the count after every open and close. */
  observe(open: number): void {
    this.peak = Math.max(this.peak, open);
    if (this.peak < this.options.surgeConnections) return;
    if (open > this.peak * this.options.subsidedFraction) {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(this.options.quietMs, this.lastCollect + this.options.minIntervalMs - Date.now());
    this.timer = setTimeout(() => this.collect(), wait);
    this.timer.unref();
  }

  private collect(): void {
    this.timer = undefined;
    this.peak = 0;
    this.lastCollect = Date.now();
    this.collections++;
    (this.options.collect ?? fullGc())();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
