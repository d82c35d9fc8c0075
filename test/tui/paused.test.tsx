// Stopping a run (s in the TUI, Ctrl-C headless) is a pause, not a failure:
// progress is saved and the next run resumes. Every place that reports it —
// the runner's events, the headless lines, the lesson screen, the home screen
// and `list` — says "paused", never "failed".
import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cliPath } from '../helpers/cluster.js';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../source/tui/app/App.js';
import { createHeadlessReporter } from '../../source/report/headless.js';
import { toLessonSummary } from '../../source/tui/services/lesson-view.js';
import { homeProgress, lessonRow, workshopLines } from '../../source/tui/home/home-lines.js';
import { listLessons } from '../../source/lesson/list.js';
import { initialRunState, runReducer } from '../../source/tui/lesson/run-state.js';
import { fakeServices, sniLesson } from './helpers/fixtures.js';
import { plainText, waitForFrame } from './helpers/render.js';

const lessonStack = [{ name: 'home' as const }, { name: 'lesson' as const, lessonId: 'sni-matching' }];

test('headless: a step stopped by Ctrl-C prints paused and where the next run resumes, no FAILED', (t) => {
  let text = '';
  const report = createHeadlessReporter({ write: (s) => (text += s) });
  report({ type: 'lesson-start', lessonId: 'sni-matching', title: 'SNI', stepCount: 9, fromStep: 0 });
  report({ type: 'step-start', lessonId: 'sni-matching', index: 1, stepId: 'certs', kind: 'certs', title: 'Certificates' });
  report({ type: 'step-end', lessonId: 'sni-matching', index: 1, status: 'interrupted', ms: 12 });
  report({ type: 'lesson-end', lessonId: 'sni-matching', status: 'interrupted', ms: 40, failedSteps: [] });
  t.notRegex(text, /FAILED|failed|✗|✘/);
  t.regex(text, /‖ paused \(12 ms\): stopped during this step; progress is saved/);
  t.regex(text, /‖ sni-matching: paused at step 2\/9; progress is saved — `agw-workshop run sni-matching` resumes at that step/);
});

test('the lesson screen: s stops the run and the step shows paused (‖), not failed', async (t) => {
  const services = fakeServices();
  const ui = render(<App services={services} initialStack={lessonStack} />);
  t.teardown(() => ui.unmount());
  const frame = () => plainText(ui.lastFrame() ?? '');
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  t.regex(frame(), /step 3\/5 · 2\/5 done/);
  ui.stdin.write('a');
  await waitForFrame(frame, () => services.runs.length === 1, 'a run');
  services.runs[0]!.emit({ type: 'step-start', lessonId: 'sni-matching', index: 2, stepId: 'gateway', kind: 'apply', title: 'Two HTTPS listeners on 443' });
  await waitForFrame(frame, (f) => f.includes('Running step 3'), 'the run');
  ui.stdin.write('s');
  const paused = await waitForFrame(frame, (f) => f.includes('paused'), 'the paused step');
  t.regex(paused, /‖ Step 3 paused: progress is saved, ⏎ resumes here/);
  t.regex(paused, /‖ 3 Two HTTPS listeners/);
  t.notRegex(paused, /✘|failed/);
});

test('run state: step-end interrupted is paused; a run that ends with an error mid-step is failed', (t) => {
  let state = runReducer(initialRunState(sniLesson), { type: 'run-requested' });
  state = runReducer(state, { type: 'event', now: 0, event: { type: 'step-end', lessonId: 'sni-matching', index: 2, status: 'interrupted', ms: 5 } });
  t.is(state.steps[2]!.status, 'paused');
  let failing = runReducer(initialRunState(sniLesson), { type: 'run-requested' });
  failing = runReducer(failing, { type: 'event', now: 0, event: { type: 'step-start', lessonId: 'sni-matching', index: 3, stepId: 'x', kind: 'apply', title: 'x' } });
  failing = runReducer(failing, { type: 'run-finished', error: 'boom' });
  t.is(failing.steps[3]!.status, 'failed');
});

test('home and list say the same for a lesson stopped by the learner: paused, with the saved count', (t) => {
  const summary = toLessonSummary({ id: 'sni-matching', title: 'SNI matching', summary: '', prerequisites: [], stepCount: 9, progress: { completedSteps: 3, status: 'interrupted' } });
  t.is(summary.status, 'paused');
  const row = lessonRow(summary, false, 80).map((s) => s.text).join('');
  t.regex(row, /3\/9\s+paused/);
});

test('`agw-workshop list` shows a stopped lesson as paused with the same count as home', async (t) => {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: npm run build first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-paused-list-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  fs.mkdirSync(path.join(home, 'lessons', 'setup'), { recursive: true });
  fs.writeFileSync(
    path.join(home, 'lessons', 'setup', 'progress.json'),
    JSON.stringify({ lessonId: 'setup', status: 'interrupted', completedSteps: ['welcome', 'cluster'], failedSteps: [], updatedAt: new Date().toISOString() }),
  );
  const { stdout } = await promisify(execFile)(process.execPath, [cliPath, 'list'], { env: { ...process.env, AGW_WORKSHOP_HOME: home }, timeout: 30_000 });
  t.regex(stdout, /^setup .*\[2\/\d+ steps, paused\]$/m);
  // The whole workshop, as the home screen counts it from the same saved progress: same totals, same next lesson.
  const progress = homeProgress((await listLessons({ home })).map(toLessonSummary));
  t.is(progress.next?.id, 'setup');
  t.true(stdout.includes(`Workshop: ${progress.lessonsDone}/${progress.lessonCount} lessons done, ${progress.stepsDone}/${progress.stepCount} steps.`), stdout);
  t.true(stdout.includes(`Next: ${progress.next!.title} (${progress.next!.reason}): agw-workshop run setup`), stdout);
  t.regex(progress.next!.reason, /^in progress: 2\/\d+ steps done$/);
  const homeText = workshopLines(progress, 120).map((l) => l.map((s) => s.text).join('')).join('\n');
  t.regex(homeText, new RegExp(`${progress.lessonsDone}/${progress.lessonCount} lessons done · ${progress.stepsDone}/${progress.stepCount} steps`));
  t.regex(homeText, new RegExp(`Next\\s+${progress.next!.title} \\(${progress.next!.reason}\\)`));
});

test('home rows keep their progress bars in one column whatever the counts; one step is "1 step"', (t) => {
  const row = (completedSteps: number, stepCount: number) =>
    lessonRow({ id: 'x', title: 'A lesson', stepCount, completedSteps, status: 'in-progress' }, false, 80).map((s) => s.text).join('');
  const columns = [row(0, 5), row(3, 17), row(17, 17), row(1, 9)].map((r) => r.indexOf('['));
  t.deepEqual(new Set(columns).size, 1, JSON.stringify(columns));
  let text = '';
  createHeadlessReporter({ write: (s) => (text += s) })({ type: 'lesson-start', lessonId: 'x', title: 'X', stepCount: 1, fromStep: 0 });
  t.regex(text, /\(1 step\)/);
});
