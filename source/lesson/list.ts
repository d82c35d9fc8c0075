// The lessons with their progress. Its own module, importing load.js and
// state.js only, so the TUI's home screen can list lessons without pulling in
// the runner and client-node.
//
// A listing needs each lesson's title, summary, prerequisites and step ids,
// not its texts, manifests and probes: the build writes those fields of every
// lesson (lessonIndex below, from the parsed lessons: parse.ts stays the one
// owner of the format) beside the compiled list.js, keyed by a digest of each
// lesson.yaml. A lesson whose lesson.yaml no longer matches its digest (edited
// since the build), or a listing without an index (the TypeScript sources, a
// lessons root of its own), is parsed in full as before.
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lessonIds, loadLesson, packageRoot } from './load.js';
import { LessonState } from './state.js';
import type { Lesson, LessonSummary } from './types.js';
import type { WorkshopLesson } from './workshop-progress.js';

/** What a listing shows of a lesson, without its progress. */
export interface LessonListing {
  title: string;
  summary: string;
  prerequisites: string[];
  stepIds: string[];
}

/** The build's index: per lesson id, the digest of the lesson.yaml it was made from and its listing. */
export type LessonIndex = Record<string, { sha256: string } & LessonListing>;

/** Where the build writes the index of the package's lessons: beside this module's compiled file. */
export const LESSON_INDEX_FILE = fileURLToPath(new URL('./lessons-index.json', import.meta.url));

function listing(lesson: Lesson): LessonListing {
  return { title: lesson.title, summary: lesson.summary, prerequisites: lesson.prerequisites, stepIds: lesson.steps.map((s) => s.id) };
}

const lessonFile = (root: string, id: string) => path.join(root, 'lessons', id, 'lesson.yaml');
const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every lesson under `root`, parsed and validated (a malformed one throws): what the build writes to LESSON_INDEX_FILE. */
export async function lessonIndex(root = packageRoot()): Promise<LessonIndex> {
  const index: LessonIndex = {};
  for (const id of await lessonIds(root)) {
    const text = await fsp.readFile(lessonFile(root, id), 'utf8');
    index[id] = { sha256: digest(text), ...listing(await loadLesson(id, root)) };
  }
  return index;
}

async function readIndex(file: string): Promise<LessonIndex | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as LessonIndex;
  } catch {
    return undefined; // no build beside this module (the sources), or an unreadable one: parse instead
  }
}

/** The listing of one lesson: from the index when its lesson.yaml is the one indexed, else from the parsed lesson. */
async function lessonListing(id: string, root: string, index: LessonIndex | undefined): Promise<LessonListing> {
  const indexed = index?.[id];
  if (indexed) {
    const text = await fsp.readFile(lessonFile(root, id), 'utf8').catch(() => undefined);
    if (text !== undefined && digest(text) === indexed.sha256) return indexed;
  }
  return listing(await loadLesson(id, root));
}

export async function listLessons(options: { home?: string; root?: string; indexFile?: string } = {}): Promise<LessonSummary[]> {
  const root = options.root ?? packageRoot();
  // The build's index describes the package's own lessons.
  const indexFile = options.indexFile ?? (root === packageRoot() ? LESSON_INDEX_FILE : undefined);
  const index = indexFile ? await readIndex(indexFile) : undefined;
  // Every lesson's files are read at once (a dozen small reads, each a trip to libuv's pool);
  // a lesson that cannot be listed fails the listing as before: the first in order.
  const listed = await Promise.allSettled(
    (await lessonIds(root)).map(async (id): Promise<LessonSummary> => {
      const lesson = await lessonListing(id, root, index);
      const state = await LessonState.open(id, options.home);
      const completedSteps = lesson.stepIds.filter((stepId) => state.completedSteps.includes(stepId)).length;
      return {
        id,
        title: lesson.title,
        summary: lesson.summary,
        prerequisites: lesson.prerequisites,
        stepCount: lesson.stepIds.length,
        progress: { completedSteps, status: state.status },
      };
    }),
  );
  return listed.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

/** A listed lesson as the workshop's progress counts it: done when completed. */
export function workshopLesson(summary: LessonSummary): WorkshopLesson {
  return {
    id: summary.id,
    title: summary.title,
    prerequisites: summary.prerequisites,
    stepCount: summary.stepCount,
    completedSteps: summary.progress.completedSteps,
    done: summary.progress.status === 'completed',
  };
}
