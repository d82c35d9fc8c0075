// Finding and loading lessons: lessons/<id>/lesson.yaml under the package root
// (the repository in development, the installed package under npx).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lesson } from './types.js';

let cachedRoot: string | undefined;

/** The directory holding package.json, lessons/ and manifests/ (found from this file, in source/ or dist/). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'lessons'))) return (cachedRoot = dir);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the lessons/ directory of agw-workshop');
}

/** Lesson ids, in the order of lessons/order.txt when present, else alphabetical. */
export async function lessonIds(root = packageRoot()): Promise<string[]> {
  const dirs = (await fsp.readdir(path.join(root, 'lessons'), { withFileTypes: true }))
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'lessons', d.name, 'lesson.yaml')))
    .map((d) => d.name);
  let order: string[] = [];
  try {
    order = (await fsp.readFile(path.join(root, 'lessons', 'order.txt'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  } catch {
    // no explicit order
  }
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return dirs.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const cache = new Map<string, Lesson>();

/** Loads and validates a lesson; throws a LessonError naming file, line and field when it is malformed. */
export async function loadLesson(id: string, root = packageRoot()): Promise<Lesson> {
  const key = `${root}\0${id}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new Error(`no lesson "${id}"`);
  const file = path.join('lessons', id, 'lesson.yaml');
  let text: string;
  try {
    text = await fsp.readFile(path.join(root, file), 'utf8');
  } catch {
    const known = await lessonIds(root);
    throw new Error(`no lesson "${id}" (lessons: ${known.join(', ')})`);
  }
  // The parser (and the yaml package under it) loads with the first lesson parsed: listing the
  // lessons reads their index instead (list.ts), so the home screen never loads it.
  const { parseLesson } = await import('./parse.js');
  const lesson = parseLesson(text, { root, file });
  cache.set(key, lesson);
  return lesson;
}
