// The store on disk: one JSON document, written whole with an atomic rename
// (temp + fsync + rename + directory fsync) so a kill -9 leaves the previous
// or the next file. Writes are group commits: the changes made while one
// write runs are the next write, and a write is acknowledged once on disk.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../../state/atomic-write.js';
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

/**
 * Group commit: every change is counted; one write (temp + fsync + rename +
 * directory fsync) covers every change made before it started, and the
 * changes made while it runs go into the next one. `committed()` resolves once
 * every change made so far is on disk, so a request can be answered only then,
 * as kube-apiserver answers after etcd commits. With many writers in flight
 * this is one fsync per batch, not one per write.
 */
export class SnapshotWriter {
  private changes = 0;
  private durableThrough = 0;
  /** Snapshots written (each one fsync of the file and one of its directory). */
  writes = 0;
  private running: Promise<void> | undefined;
  private waiters: { through: number; resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoreSnapshot,
    /** A write failed: every change since the last durable snapshot is undone by the caller. */
    private readonly onFailure: (error: Error, durable: StoreSnapshot | undefined) => void,
    private readonly log: (line: string) => void,
    /** The snapshot last known to be on disk (the one loaded at start, if any). */
    private durable: StoreSnapshot | undefined,
  ) {}

  /** Records a change; a write starts on the next turn of the event loop unless one is running (then it follows). */
  changed(): void {
    this.changes++;
    if (this.running) return;
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeUntilDurable());
  }

  /** Resolves when every change made before this call is on disk; rejects when the write holding it failed. */
  committed(): Promise<void> {
    if (this.durableThrough >= this.changes) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ through: this.changes, resolve, reject }));
  }

  private async writeUntilDurable(): Promise<void> {
    try {
      while (this.durableThrough < this.changes) {
        const through = this.changes;
        const snapshot = this.snapshot();
        try {
          await writeFileAtomic(this.file, JSON.stringify(snapshot), { mode: 0o600 });
        } catch (error) {
          this.fail(error as Error);
          return;
        }
        this.onDisk(snapshot, through);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** A snapshot holding every change up to `through` is on disk: the writes waiting for those changes are answered. */
  private onDisk(snapshot: StoreSnapshot, through: number): void {
    this.writes++;
    this.durable = snapshot;
    this.durableThrough = through;
    this.settle(through);
  }

  private settle(through: number): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.through <= through) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }

  /** Every change not yet durable is lost: its waiters are told, the caller undoes it, and memory again matches the disk. */
  private fail(error: Error): void {
    this.log(`store: write to ${this.file} failed: ${error.message}; undoing the changes not on disk`);
    const waiting = this.waiters;
    this.waiters = [];
    this.onFailure(error, this.durable);
    // The undo is itself a set of changes, but it brings memory back to what the disk holds.
    this.durableThrough = this.changes;
    for (const waiter of waiting) waiter.reject(error);
  }

  /** Waits for the running write and writes the final state synchronously (shutdown). */
  async flush(): Promise<void> {
    if (this.running) await this.running;
    if (this.durableThrough >= this.changes) return;
    const through = this.changes;
    const snapshot = this.snapshot();
    writeFileAtomicSync(this.file, JSON.stringify(snapshot), { mode: 0o600 });
    this.onDisk(snapshot, through);
  }
}
