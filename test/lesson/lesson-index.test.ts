// Listing the lessons reads the build's index (source/build/lesson-index.mjs)
// instead of parsing every lesson: the index holds what the parsed lessons
// say, and a lesson.yaml changed since the index was made is parsed again.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lessonIndex, listLessons } from '../../source/lesson/list.js';
import { packageRoot } from '../../source/lesson/load.js';

function tempDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A lessons root of its own: a copy of the package's lessons/ and manifests/. */
function copyOfLessons(t: { teardown(fn: () => void): void }): string {
  const root = tempDir(t, 'agw-lessons-root-');
  for (const dir of ['lessons', 'manifests']) fs.cpSync(path.join(packageRoot(), dir), path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  return root;
}

test('the listing from the index is the listing from the parsed lessons, progress included', async (t) => {
  const home = tempDir(t, 'agw-home-');
  const indexFile = path.join(tempDir(t, 'agw-index-'), 'lessons-index.json');
  fs.writeFileSync(indexFile, JSON.stringify(await lessonIndex(packageRoot())));
  const progress = path.join(home, 'lessons', 'sni-matching', 'progress.json');
  fs.mkdirSync(path.dirname(progress), { recursive: true });
  fs.writeFileSync(progress, JSON.stringify({ lessonId: 'sni-matching', status: 'in-progress', completedSteps: ['intro', 'certs', 'not-a-step'], failedSteps: [], updatedAt: new Date().toISOString() }));
  const parsed = await listLessons({ home, indexFile: path.join(path.dirname(indexFile), 'absent.json') });
  t.true(parsed.length >= 6);
  t.deepEqual(await listLessons({ home, indexFile }), parsed);
  t.true(parsed.find((l) => l.id === 'sni-matching')!.progress.completedSteps > 0, 'progress counts the lesson\'s own steps');
});

test('an indexed lesson whose lesson.yaml is unchanged is listed from the index, an edited one from its file', async (t) => {
  const root = copyOfLessons(t);
  const home = tempDir(t, 'agw-home-');
  // Indexed from the package's own lessons: the copy's lessons are the same files until edited.
  const index = await lessonIndex(packageRoot());
  index.setup!.title = 'Title from the index';
  index['sni-matching']!.title = 'Title from the index';
  const indexFile = path.join(tempDir(t, 'agw-index-'), 'lessons-index.json');
  fs.writeFileSync(indexFile, JSON.stringify(index));
  const sniFile = path.join(root, 'lessons', 'sni-matching', 'lesson.yaml');
  fs.writeFileSync(sniFile, fs.readFileSync(sniFile, 'utf8').replace(/^title: .*$/m, 'title: Edited after the build'));
  const listed = await listLessons({ home, root, indexFile });
  t.is(listed.find((l) => l.id === 'setup')!.title, 'Title from the index');
  t.is(listed.find((l) => l.id === 'sni-matching')!.title, 'Edited after the build');
});
