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
import type { FieldVerdict } from '../probe/expectation.js';

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

/**
 * The cluster a lesson's state describes: the uid of its kube-system
 * Namespace (the conventional cluster id; a wiped or recreated cluster gets
 * a new one), its API server, and whether it is the embedded cluster (which
 * `cluster reset` wipes).
 */
export interface ClusterIdentity {
  uid: string;
  server: string;
  embedded: boolean;
}

export interface ProgressFile {
  lessonId: string;
  /** The cluster the progress and the journal's objects belong to; absent until the lesson first reached one. */
  cluster?: ClusterIdentity;
  status: LessonProgress['status'];
  /** Ids of the steps that finished ok (in any run since the last cleanup). */
  completedSteps: string[];
  failedSteps: string[];
  /** Of the completed steps, those the learner did by hand (their effect was checked), not the workshop. */
  byHand?: string[];
  /** The last observation of each completed probe step (for the end-of-lesson summary). */
  observations?: Record<string, StepObservation>;
  updatedAt: string;
}

/** What a probe step observed against what it expected, as the end of a lesson recalls it. */
export interface StepObservation {
  ok: boolean;
  verdicts: FieldVerdict[];
  /** The explanation's title, when there was one. */
  explanation?: string;
  /** `workshop`: the workshop's probe; `learner`: the learner's own request, seen in the gateway's access log. */
  by: 'workshop' | 'learner';
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
    const journal = checked(await readStateFile<Journal>(path.join(dir, 'journal.json'), { lessonId, entries: [] }), path.join(dir, 'journal.json'), isJournal);
    const progress = checked(await readStateFile<ProgressFile>(path.join(dir, 'progress.json'), freshProgress(lessonId)), path.join(dir, 'progress.json'), isProgress);
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

  get byHand(): readonly string[] {
    return this.progress.byHand ?? [];
  }

  get observations(): Readonly<Record<string, StepObservation>> {
    return this.progress.observations ?? {};
  }

  get cluster(): ClusterIdentity | undefined {
    return this.progress.cluster;
  }

  /** True when the state says something about a cluster: steps done, or objects journaled. */
  get describesCluster(): boolean {
    return this.progress.completedSteps.length > 0 || this.progress.failedSteps.length > 0 || this.journal.entries.some((e) => e.type === 'object');
  }

  /**
   * Ties the state to the cluster the lesson reaches now. When it belonged to
   * another cluster (reset, recreated, another context), its progress and
   * journaled objects describe a cluster that is gone: they are forgotten
   * (files in the work dir stay journaled, they still exist). Returns the
   * identity it was bound to before, when that was another cluster.
   */
  async bindCluster(identity: ClusterIdentity): Promise<ClusterIdentity | undefined> {
    const before = this.progress.cluster;
    if (before && before.uid === identity.uid) return undefined;
    if (before) await this.forgetCluster();
    this.progress.cluster = identity;
    await this.saveProgress();
    return before;
  }

  /** Forgets everything about the cluster: progress, and the journal's objects (they no longer exist there). */
  async forgetCluster(): Promise<void> {
    if (this.journal.entries.some((e) => e.type === 'object')) {
      this.journal.entries = this.journal.entries.filter((e) => e.type !== 'object');
      await this.saveJournal();
    }
    this.progress = freshProgress(this.lessonId);
    await this.saveProgress();
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

  /** `how`: who did it, the workshop (a run) or the learner by hand (its effect checked). */
  async stepFinished(stepId: string, ok: boolean, how: 'workshop' | 'by-hand' = 'workshop', observation?: StepObservation): Promise<void> {
    const done = new Set(this.progress.completedSteps);
    const failed = new Set(this.progress.failedSteps);
    const byHand = new Set(this.progress.byHand ?? []);
    if (ok) {
      done.add(stepId);
      failed.delete(stepId);
    } else {
      done.delete(stepId);
      failed.add(stepId);
    }
    if (ok && how === 'by-hand') byHand.add(stepId);
    else byHand.delete(stepId);
    this.progress.completedSteps = [...done];
    this.progress.failedSteps = [...failed];
    if (byHand.size) this.progress.byHand = [...byHand];
    else delete this.progress.byHand;
    if (observation) this.progress.observations = { ...this.progress.observations, [stepId]: observation };
    if (this.progress.status === 'not-started') this.progress.status = 'in-progress';
    await this.saveProgress();
  }

  async setStatus(status: ProgressFile['status']): Promise<void> {
    this.progress.status = status;
    await this.saveProgress();
  }

  /** Forgets progress (after cleanup): the lesson is as if never run. */
  async resetProgress(): Promise<void> {
    this.progress = { ...freshProgress(this.lessonId), ...(this.progress.cluster ? { cluster: this.progress.cluster } : {}) };
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

function freshProgress(lessonId: string): ProgressFile {
  return { lessonId, status: 'not-started', completedSteps: [], failedSteps: [], updatedAt: new Date().toISOString() };
}

const PROGRESS_STATUSES: readonly string[] = ['not-started', 'in-progress', 'completed', 'failed', 'interrupted'];
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function isProgress(v: unknown): v is ProgressFile {
  const p = v as ProgressFile;
  return (
    typeof v === 'object' &&
    v !== null &&
    PROGRESS_STATUSES.includes(p.status) &&
    isStringArray(p.completedSteps) &&
    isStringArray(p.failedSteps) &&
    (p.byHand === undefined || isStringArray(p.byHand)) &&
    (p.observations === undefined || (typeof p.observations === 'object' && p.observations !== null && Object.values(p.observations).every((o) => typeof o === 'object' && o !== null && Array.isArray(o.verdicts))))
  );
}

function isJournal(v: unknown): v is Journal {
  const j = v as Journal;
  return typeof v === 'object' && v !== null && Array.isArray(j.entries) && j.entries.every((e) => typeof e === 'object' && e !== null && typeof e.seq === 'number' && typeof e.type === 'string');
}

/** Reads a state file, naming it in the error when it is not JSON. */
async function readStateFile<T>(file: string, fallback: T): Promise<T> {
  try {
    return await readJsonOr<T>(file, fallback);
  } catch (error) {
    throw new LessonStateError(file, (error as Error).message);
  }
}

function checked<T>(value: unknown, file: string, valid: (v: unknown) => v is T): T {
  if (!valid(value)) throw new LessonStateError(file, 'it does not have the expected shape');
  return value;
}

/** A lesson's state file that cannot be read; the message names the file and how to start over. */
export class LessonStateError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`cannot read ${file}: ${reason}. Move it away (or delete it) to start this lesson's progress over.`);
    this.name = 'LessonStateError';
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

/**
 * After `cluster reset`: the embedded cluster's objects are gone, so every
 * lesson state about it (or about no recorded cluster) forgets its progress
 * and journaled objects. State about a real cluster is kept. Returns the
 * lessons it reset.
 */
export async function forgetEmbeddedClusterState(home?: string): Promise<string[]> {
  const reset: string[] = [];
  for (const id of await lessonsWithState(home)) {
    const state = await LessonState.open(id, home);
    if (state.cluster && !state.cluster.embedded) continue;
    if (!state.describesCluster && state.status === 'not-started') continue;
    await state.forgetCluster();
    reset.push(id);
  }
  return reset;
}
