// A corrupt progress.json (issue 15.17) is named, with what to do, wherever
// it is read: the lesson list (home, `list`), a run, the end-of-lesson
// summary. Before, it surfaced as "Cannot read properties of undefined (reading 'includes')".
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listLessons } from '../../source/lesson/list.js';
import { LessonState } from '../../source/lesson/state.js';

for (const [what, text] of [
  ['valid JSON without completedSteps', '{"lessonId":"setup","status":"in-progress"}'],
  ['not JSON', '{not json'],
  ['byHand that is not a list', '{"lessonId":"setup","status":"in-progress","completedSteps":[],"failedSteps":[],"byHand":"welcome"}'],
] as const) {
  test(`a progress.json that is ${what} is named, with how to start over`, async (t) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-corrupt-'));
    t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
    const file = path.join(home, 'lessons', 'setup', 'progress.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const message = new RegExp(`cannot read ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*Move it away \\(or delete it\\) to start this lesson's progress over`);
    await t.throwsAsync(LessonState.open('setup', home), { message });
    await t.throwsAsync(listLessons({ home }), { message });
  });
}
