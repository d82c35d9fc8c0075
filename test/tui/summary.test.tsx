// The end-of-lesson screen (issue 14, 15.10): a run that finishes the lesson
// opens it (from the runner's lesson-summary event); so does hands-on mode
// the moment every step's effect holds. It lists what was done and how, what
// was seen, the lab text's corrections and the next lesson (n opens it), with
// its keys on screen, at 80x24.
import test from 'ava';
import React from 'react';
import { App } from '../../source/tui/app/App.js';
import type { EndOfLesson } from '../../source/lesson/summary.js';
import type { HandsOnServices, StepCheckView } from '../../source/tui/hands-on/model.js';
import { fakeServices, sniLesson } from './helpers/fixtures.js';
import { keys, plainText, renderSized, waitForFrame } from './helpers/render.js';

const lessonStack = [{ name: 'home' as const }, { name: 'lesson' as const, lessonId: 'sni-matching' }];

const summary: EndOfLesson = {
  lessonId: 'sni-matching',
  title: 'SNI matching',
  stepCount: 5,
  did: sniLesson.steps.map((s, index) => ({ index, id: s.id, title: s.title, how: index === 2 ? 'by-hand' : 'workshop' })),
  saw: [
    { index: 4, id: 'probe-baz', title: 'curl baz fails', ok: true, by: 'workshop', explanation: 'No listener matches this SNI', verdicts: [{ field: 'outcome', expected: 'closed-after-client-hello', observed: 'closed-after-client-hello', ok: true }] },
  ],
  corrections: [{ claim: '"Envoy immediately reset the connection" for baz.', truth: 'The gateway closes the connection after the ClientHello, with no alert.', evidence: 'The baz probe saw the close, curl exit 35.', step: 'probe-baz' }],
  workshop: { lessonsDone: 2, lessonCount: 6, stepsDone: 30, stepCount: 90, next: { id: 'jwt-auth', title: 'JWT auth', reason: 'its prerequisite setup is done' } },
};

function servicesWithNextLesson(overrides: Parameters<typeof fakeServices>[0] = {}) {
  return fakeServices({
    loadLesson: async (id) => {
      if (id === 'sni-matching') return sniLesson;
      if (id === 'jwt-auth') return { ...sniLesson, id: 'jwt-auth', title: 'JWT auth', completed: [] };
      throw new Error(`no lesson "${id}"`);
    },
    ...overrides,
  });
}

test('a run that ends the lesson opens its end: did, saw, corrections, next; keys listed; fits 80x24; n opens the next lesson', async (t) => {
  const services = servicesWithNextLesson();
  const ui = renderSized(<App services={services} initialStack={lessonStack} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  const frame = () => plainText(ui.lastFrame());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('a');
  await waitForFrame(() => String(services.runs.length), (n) => n === '1', 'the run');
  const run = services.runs[0]!;
  run.emit({ type: 'lesson-start', lessonId: 'sni-matching', title: 'SNI matching', stepCount: 5, fromStep: 2 });
  for (const index of [2, 3, 4]) {
    run.emit({ type: 'step-start', lessonId: 'sni-matching', index, stepId: sniLesson.steps[index]!.id, kind: sniLesson.steps[index]!.kind, title: sniLesson.steps[index]!.title });
    run.emit({ type: 'step-end', lessonId: 'sni-matching', index, status: 'ok', ms: 5 });
  }
  run.emit({ type: 'lesson-summary', lessonId: 'sni-matching', summary });
  run.emit({ type: 'lesson-end', lessonId: 'sni-matching', status: 'ok', ms: 20, failedSteps: [] });
  run.finish();
  let text = await waitForFrame(frame, (f) => f.includes('Done: SNI matching'), 'the end-of-lesson screen');
  t.regex(text, /What you did/);
  t.regex(text, /5 steps: 1 by hand, 4 done for you by the workshop/);
  t.regex(text, /3\. Two HTTPS listeners on 443\s+by hand/);
  t.regex(text, /Workshop: 2\/6 lessons done · next: JWT auth \(n\)/, 'what next is in view at once');
  t.regex(text, /n next lesson/, 'its keys are on screen');
  t.regex(text, /h home/);
  const lines = ui.lastFrame().split('\n');
  t.true(lines.length <= 23, `the frame fits 24 rows (${lines.length})`);
  t.true(lines.every((l) => plainText(l).length <= 80), 'no line wider than 80');
  // The rest is below: scroll to it.
  for (let i = 0; i < 4; i++) ui.stdin.write(keys.pageDown);
  text = await waitForFrame(frame, (f) => f.includes('n opens JWT auth'), 'the end of the summary');
  t.regex(text, /Workshop: 2\/6 lessons done, 30\/90 steps\./);
  const all = plainText(ui.stdout.frames.join('\n'));
  t.regex(all, /What you saw/);
  t.regex(all, /The lab text: "Envoy immediately reset the connection" for baz\./);
  t.regex(all, /In fact: The gateway closes the connection/);
  ui.stdin.write('n');
  text = await waitForFrame(frame, (f) => f.includes('JWT auth') && f.includes('step 1/5'), 'the next lesson open');
  ui.stdin.write(keys.escape);
  await waitForFrame(frame, (f) => f.includes('Lessons'), 'Esc from the next lesson goes home');
});

test('Esc or ⏎ goes back to the steps; e opens the end again', async (t) => {
  const services = servicesWithNextLesson();
  const ui = renderSized(<App services={services} initialStack={lessonStack} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  const frame = () => plainText(ui.lastFrame());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('a');
  await waitForFrame(() => String(services.runs.length), (n) => n === '1', 'the run');
  const run = services.runs[0]!;
  run.emit({ type: 'lesson-summary', lessonId: 'sni-matching', summary });
  run.emit({ type: 'lesson-end', lessonId: 'sni-matching', status: 'ok', ms: 20, failedSteps: [] });
  run.finish();
  await waitForFrame(frame, (f) => f.includes('Done: SNI matching'), 'the end');
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'back to the steps');
  ui.stdin.write('e');
  await waitForFrame(frame, (f) => f.includes('Done: SNI matching'), 'the end again');
  t.pass();
});

test('hands-on: once every step effect holds, the lesson is saved as done by hand and its end opens', async (t) => {
  const holds = (index: number): StepCheckView => ({ index, stepId: sniLesson.steps[index]!.id, status: 'ok', holds: true, message: 'seen', findings: [] });
  let checks: StepCheckView[] = [0, 1, 2, 3].map(holds).concat([{ ...holds(4), status: 'missing', holds: false, message: 'not yet' }]);
  let notify: (() => void) | undefined;
  let checksAsked = 0;
  const finished: StepCheckView[][] = [];
  const handsOn: HandsOnServices = {
    steps: async () => sniLesson.steps.map(() => ({ hints: [] })),
    check: async () => (checksAsked++, checks),
    watch: (_id, onChange) => {
      notify = () => onChange('gateway', 'a request for baz');
      return () => (notify = undefined);
    },
    runTool: async () => ({ command: '', tool: 'curl', stdout: '', stderr: '', ms: 0 }),
    judgePrediction: async () => undefined,
    cleanup: async () => 'cleanup ok',
    copy: () => {},
    finish: async (_id, seen) => {
      finished.push(seen);
      return { ...summary, did: summary.did.map((d) => ({ ...d, how: 'by-hand' as const })) };
    },
  };
  const services = servicesWithNextLesson({ handsOn });
  const ui = renderSized(<App services={services} initialStack={lessonStack} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  const frame = () => plainText(ui.lastFrame());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => f.includes('Hands-on'), 'hands-on mode');
  t.is(finished.length, 0, 'not done while a step is missing');
  checks = checks.map((c) => ({ ...c, holds: true, status: 'ok' }));
  notify?.();
  const text = await waitForFrame(frame, (f) => f.includes('Done: SNI matching'), 'the end of the lesson done by hand');
  t.regex(text, /5 steps: all by hand\./);
  t.is(finished.length, 1);
  // Back on the steps, hands-on mode is still on, the count is the saved one (as home and list
  // count it: 5/5), and a change the watch reports does not finish the lesson a second time.
  ui.stdin.write(keys.escape);
  await waitForFrame(frame, (f) => f.includes('step 1/5 · 5/5 done') && f.includes('Hands-on') && f.includes('seen'), 'back on the steps, every step done, still hands-on');
  checks = checks.map((c) => ({ ...c, message: 'seen again' }));
  notify?.();
  // The frame with the new check result is out, and its effects have run (waitForFrame settles).
  await waitForFrame(frame, (f) => f.includes('seen again'), 'the check after the change');
  t.true(checksAsked >= 3);
  t.is(finished.length, 1);
  t.false(frame().includes('Done: SNI matching'));
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => f.includes('step 1/5 · 5/5 done') && !f.includes('Hands-on'), 'm turns the mode off');
});
