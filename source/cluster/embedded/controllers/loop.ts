// What every control-plane loop has in common: a name, a work queue and a stop.
import type { Store } from '../store/store-types.js';
import type { ClusterNetwork } from '../network/network.js';

export interface LoopContext {
  store: Store;
  network: ClusterNetwork;
  log: (line: string) => void;
}

export interface Loop {
  readonly name: string;
  /** Resolves when the loop has no work pending (tests use it to await a reconcile). */
  idle(): Promise<void>;
  stop(): void;
}
