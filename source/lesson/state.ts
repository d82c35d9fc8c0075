// Progress and journal of one lesson, under $AGW_WORKSHOP_HOME/lessons/<id>/.
// The journal lists everything the lesson created (objects, files), and is
// written atomically BEFORE each action: a kill -9 mid-step leaves a journal
// that names what may exist, and cleanup deletes it (deleting what does not
// exist is fine; missing something that does is not).
import path from 'node:path';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { ensurePrivateDirectory, homePaths } from '../state/home.js';
import { readJsonOr, writeJsonAtomic } from '../state/atomic-write.js';
import type { LessonProgress } from './types.js';

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type JournalEntry =
  | {
      seq: number;
      at: string;
      stepId: string;
      type: 'object';
      object: ObjectKey;
      /** True when the object existed before the lesson touched it: cleanup restores `saved` instead of deleting. */
      existedBefore: boolean;
      saved?: Record<string, unknown>;
    }
  | { seq: number; at: string; stepId: string; type: 'file' | 'dir'; path: string };

export interface Journal {
  lessonId: string;
  entries: JournalEntry[];
}

export interface ProgressFile {
  lessonId: string;
  status: LessonProgress['status'];
  /** Ids of the steps that finished ok (in any run since the last cleanup). */
  completedSteps: string[];
  failedSteps: string[];
  updatedAt: string;
}

export function objectKeyText(o: ObjectKey): string {
  return `${o.apiVersion}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

const PRIVATE_FILE = 0o600;

export function lessonStateDir(lessonId: string, home?: string): string {
  return path.join(homePaths(home).lessons, lessonId);
}

export class LessonState {
  readonly dir: string;
  private journal: Journal;
  private progress: ProgressFile;

  private constructor(readonly lessonId: string, dir: string, journal: Journal, progress: ProgressFile) {
    this.dir = dir;
    this.journal = journal;
    this.progress = progress;
  }

  static async open(lessonId: string, home?: string): Promise<LessonState> {
    const dir = lessonStateDir(lessonId, home);
    // Journals hold saved copies of Secrets (private keys): the home and these files are private.
    ensurePrivateDirectory(dir, homePaths(home).home);
    for (const file of ['journal.json', 'progress.json']) {
      try {
        if ((fs.statSync(path.join(dir, file)).mode & 0o077) !== 0) fs.chmodSync(path.join(dir, file), PRIVATE_FILE);
      } catch { /* not written yet */ }
    }
    const journal = await readJsonOr<Journal>(path.join(dir, 'journal.json'), { lessonId, entries: [] });
    const progress = await readJsonOr<ProgressFile>(path.join(dir, 'progress.json'), {
      lessonId,
      status: 'not-started',
      completedSteps: [],
      failedSteps: [],
      updatedAt: new Date().toISOString(),
    });
    return new LessonState(lessonId, dir, journal, progress);
  }

  get entries(): readonly JournalEntry[] {
    return this.journal.entries;
  }

  get status(): ProgressFile['status'] {
    return this.progress.status;
  }

  get completedSteps(): readonly string[] {
    return this.progress.completedSteps;
  }

  hasObject(key: ObjectKey): boolean {
    const text = objectKeyText(key);
    return this.journal.entries.some((e) => e.type === 'object' && objectKeyText(e.object) === text);
  }

  /** Records an object before it is created or changed; the first record of an object wins (it holds the state before the lesson). */
  async recordObject(stepId: string, object: ObjectKey, existedBefore: boolean, saved?: Record<string, unknown>): Promise<void> {
    if (this.hasObject(object)) return;
    this.journal.entries.push({ seq: this.nextSeq(), at: new Date().toISOString(), stepId, type: 'object', object, existedBefore, ...(saved ? { saved } : {}) });
    await this.saveJournal();
  }

  async recordPath(stepId: string, type: 'file' | 'dir', file: string): Promise<void> {
    if (this.journal.entries.some((e) => e.type === type && e.path === file)) return;
    this.journal.entries.push({ seq: this.nextSeq(), at: new Date().toISOString(), stepId, type, path: file });
    await this.saveJournal();
  }

  /** Drops one entry once cleanup has undone it, so a second cleanup has nothing left to do. */
  async forget(seq: number): Promise<void> {
    this.journal.entries = this.journal.entries.filter((e) => e.seq !== seq);
    await this.saveJournal();
  }

  async stepFinished(stepId: string, ok: boolean): Promise<void> {
    const done = new Set(this.progress.completedSteps);
    const failed = new Set(this.progress.failedSteps);
    if (ok) {
      done.add(stepId);
      failed.delete(stepId);
    } else {
      done.delete(stepId);
      failed.add(stepId);
    }
    this.progress.completedSteps = [...done];
    this.progress.failedSteps = [...failed];
    if (this.progress.status === 'not-started') this.progress.status = 'in-progress';
    await this.saveProgress();
  }

  async setStatus(status: ProgressFile['status']): Promise<void> {
    this.progress.status = status;
    await this.saveProgress();
  }

  /** Forgets progress (after cleanup): the lesson is as if never run. */
  async resetProgress(): Promise<void> {
    this.progress = { lessonId: this.lessonId, status: 'not-started', completedSteps: [], failedSteps: [], updatedAt: new Date().toISOString() };
    await this.saveProgress();
  }

  private nextSeq(): number {
    return this.journal.entries.reduce((max, e) => Math.max(max, e.seq), 0) + 1;
  }

  private async saveJournal(): Promise<void> {
    await writeJsonAtomic(path.join(this.dir, 'journal.json'), this.journal, { mode: PRIVATE_FILE });
  }

  private async saveProgress(): Promise<void> {
    this.progress.updatedAt = new Date().toISOString();
    await writeJsonAtomic(path.join(this.dir, 'progress.json'), this.progress, { mode: PRIVATE_FILE });
  }
}

/** Lessons that have state (a journal or progress) under the home. */
export async function lessonsWithState(home?: string): Promise<string[]> {
  try {
    // A lesson has state once it wrote a journal or progress: opening its state (list does) makes only the empty directory.
    const root = homePaths(home).lessons;
    const dirs = (await fsp.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    return dirs.filter((id) => ['journal.json', 'progress.json'].some((file) => fs.existsSync(path.join(root, id, file))));
  } catch {
    return [];
  }
}
