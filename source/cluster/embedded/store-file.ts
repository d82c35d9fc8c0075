// The store on disk: one JSON document, written whole with an atomic rename
// (temp + fsync + rename) so a kill -9 leaves the previous or the next file.
// Writes are debounced: a burst of changes (an apply of 8 objects) is one write.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../state/atomic-write.js';
import type { KubeObject } from './store-types.js';

export interface StoreSnapshot {
  version: 1;
  resourceVersion: number;
  /** `group/resource` → objects. */
  collections: Record<string, KubeObject[]>;
}

/** Loads a snapshot; a file that does not parse is moved aside (and logged) so the cluster starts empty instead of not at all. */
export function loadSnapshot(file: string, log: (line: string) => void): StoreSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as StoreSnapshot;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.collections !== 'object' || typeof parsed.resourceVersion !== 'number') {
      throw new Error('not a store snapshot (missing collections or resourceVersion)');
    }
    return parsed;
  } catch (error) {
    const aside = path.join(path.dirname(file), `${path.basename(file)}.corrupt-${Date.now()}`);
    fs.renameSync(file, aside);
    log(`store: ${file} could not be read (${(error as Error).message}); moved it to ${aside} and starting with an empty store`);
    return undefined;
  }
}

/** Debounced atomic writer: at most one write in flight, the latest state always written last. */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoreSnapshot,
    private readonly log: (line: string) => void,
    private readonly delayMs = 5,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, this.delayMs);
  }

  private async writeNow(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const data = JSON.stringify(this.snapshot());
      this.writing = writeFileAtomic(this.file, data, { mode: 0o600 }).catch((error: Error) => {
        this.log(`store: write to ${this.file} failed: ${error.message}`);
      });
      await this.writing;
      this.writing = undefined;
    }
  }

  /** Waits for pending writes and writes the final state synchronously (shutdown). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing) await this.writing;
    writeFileAtomicSync(this.file, JSON.stringify(this.snapshot()), { mode: 0o600 });
    this.dirty = false;
  }
}
