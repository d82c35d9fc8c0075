// Build step after tsc: writes the index of the package's lessons (title,
// summary, prerequisites, step ids, and a digest of each lesson.yaml) beside
// the compiled source/lesson/list.js, so listing the lessons (the home screen,
// `list`) reads one small file instead of parsing every lesson with its texts
// and manifests. The index is made by parsing every lesson (a malformed lesson
// fails the build, as it would fail the listing); a lesson edited since is
// parsed again when listed (source/lesson/list.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { LESSON_INDEX_FILE, lessonIndex } = await import(pathToFileURL(path.join(root, 'dist', 'source', 'lesson', 'list.js')).href);
const index = await lessonIndex(root);
fs.writeFileSync(LESSON_INDEX_FILE, `${JSON.stringify(index)}\n`);
if (process.env.npm_config_loglevel !== 'silent') console.log(`lesson-index: ${Object.keys(index).length} lessons → ${path.relative(root, LESSON_INDEX_FILE)}`);
