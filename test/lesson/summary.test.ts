// The end of a lesson: the runner emits `lesson-summary` (what was done and
// how, what the probes saw, the lesson's corrections, the next lesson) once
// every step is done, just before lesson-end; the headless and markdown
// reports print it. A fixture workshop of three lessons, an in-memory cluster.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRunner, type RunnerEvent } from '../../source/lesson/index.js';
import { LessonState } from '../../source/lesson/state.js';
import { summarizeLesson } from '../../source/lesson/summary.js';
import { parseLesson } from '../../source/lesson/parse.js';
import { createHeadlessReporter } from '../../source/report/headless.js';
import { MarkdownReport } from '../../source/report/markdown.js';
import { nextLesson, workshopProgress, type WorkshopLesson } from '../../source/lesson/workshop-progress.js';
import { FakeCluster } from './fake-cluster.js';

const lessonYaml = (id: string, prerequisites: string[], extra = '') => `id: ${id}
title: Lesson ${id}
summary: s
prerequisites: [${prerequisites.join(', ')}]
namespace: ns
intro: i
steps:
  - id: read
    kind: explain
    title: Read this
    text: t
  - id: config
    kind: apply
    title: A ConfigMap
    text: t
    manifest: config.yaml
  - id: last
    kind: explain
    title: Done
    text: t
${extra}`;

const corrections = `corrections:
  - claim: "the ConfigMap needs a restart"
    truth: "it is read at once"
    evidence: "applying it restarted nothing"
    step: config
`;

function workshop(): { root: string; home: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-summary-root-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const lessons: [string, string[], string][] = [['first', [], corrections], ['second', ['first', 'third'], ''], ['third', ['first'], '']];
  for (const [id, prerequisites, extra] of lessons) {
    fs.mkdirSync(path.join(root, 'lessons', id), { recursive: true });
    fs.mkdirSync(path.join(root, 'manifests', 'lessons', id), { recursive: true });
    fs.writeFileSync(path.join(root, 'lessons', id, 'lesson.yaml'), lessonYaml(id, prerequisites, extra));
    fs.writeFileSync(path.join(root, 'manifests', 'lessons', id, 'config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\n  namespace: ns\n`);
  }
  fs.writeFileSync(path.join(root, 'lessons', 'order.txt'), 'first\nsecond\nthird\n');
  return { root, home: fs.mkdtempSync(path.join(os.tmpdir(), 'agw-summary-home-')) };
}

async function run(options: Parameters<typeof createRunner>[0]): Promise<RunnerEvent[]> {
  const events: RunnerEvent[] = [];
  const runner = createRunner(options);
  runner.on((e) => events.push(e));
  await runner.run();
  return events;
}

test('a lesson run to its end emits lesson-summary just before lesson-end: steps, corrections, the next lesson', async (t) => {
  const { root, home } = workshop();
  t.teardown(() => [root, home].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const cluster = new FakeCluster();
  const events = await run({ lessonId: 'first', root, home, clientFactory: () => cluster, skipClusterStart: true });
  const types = events.map((e) => e.type);
  t.deepEqual(types.slice(-2), ['lesson-summary', 'lesson-end']);
  const summary = events.find((e) => e.type === 'lesson-summary')!;
  if (summary.type !== 'lesson-summary') return t.fail();
  t.deepEqual(summary.summary.did.map((d) => `${d.index + 1} ${d.id} ${d.how}`), ['1 read workshop', '2 config workshop', '3 last workshop']);
  t.deepEqual(summary.summary.corrections, [{ claim: 'the ConfigMap needs a restart', truth: 'it is read at once', evidence: 'applying it restarted nothing', step: 'config', stepNumber: 2, stepTitle: 'A ConfigMap' }]);
  // second needs third too: the next lesson to take is third, though second comes first in the order.
  t.deepEqual(summary.summary.workshop.next, { id: 'third', title: 'Lesson third', reason: 'its prerequisite first is done' });
  t.like(summary.summary.workshop, { lessonsDone: 1, lessonCount: 3, stepsDone: 3, stepCount: 9 });

  const text: string[] = [];
  const report = new MarkdownReport();
  for (const e of events) {
    createHeadlessReporter({ write: (s) => text.push(s) })(e);
    report.listener(e);
  }
  const printed = text.join('');
  t.regex(printed, /What you did: 3 steps, done for you by the workshop/);
  t.regex(printed, /The lab text: the ConfigMap needs a restart\n\s+In fact: it is read at once\n\s+Seen: applying it restarted nothing \(step 2, A ConfigMap\)/);
  t.regex(printed, /Workshop: 1\/3 lessons done, 3\/9 steps\.\nNext: Lesson third \(its prerequisite first is done\): agw-workshop run third/);
  t.regex(report.render(), /## End of the lesson[\s\S]*\*\*What the lab text gets wrong:\*\*[\s\S]*\*\*Next:\*\* Lesson third \(`agw-workshop run third`\)/);
});

test('a run that stops before the last step has no summary; steps done by hand are said to be', async (t) => {
  const { root, home } = workshop();
  t.teardown(() => [root, home].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const cluster = new FakeCluster();
  const partial = await run({ lessonId: 'first', root, home, toStep: 2, clientFactory: () => cluster, skipClusterStart: true });
  t.false(partial.some((e) => e.type === 'lesson-summary'));
  // The learner does the last step by hand (hands-on mode records it), then the summary says which.
  const state = await LessonState.open('first', home);
  await state.stepFinished('last', true, 'by-hand');
  const summary = await summarizeLesson('first', { root, home });
  t.deepEqual(summary.did.map((d) => d.how), ['workshop', 'workshop', 'by-hand']);
});

test('corrections: a step that is not in the lesson, or an empty field, is refused with file and line', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-summary-parse-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'manifests', 'lessons', 'first'), { recursive: true });
  fs.writeFileSync(path.join(root, 'manifests', 'lessons', 'first', 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
  const parse = (extra: string) => parseLesson(lessonYaml('first', [], extra), { root, file: 'lessons/first/lesson.yaml' });
  t.is(parse(corrections).corrections.length, 1);
  t.throws(() => parse(corrections.replace('step: config', 'step: nope')), { message: /lesson\.yaml:\d+: corrections\[0\]\.step: unknown step "nope"/ });
  t.throws(() => parse(corrections.replace('truth: "it is read at once"', 'truth: " "')), { message: /corrections\[0\]\.truth: is empty/ });
});

test('the next lesson respects prerequisites and the order; none when all are done', (t) => {
  const lesson = (id: string, prerequisites: string[], done: boolean, completedSteps = done ? 4 : 0): WorkshopLesson => ({ id, title: id, prerequisites, stepCount: 4, completedSteps, done });
  t.is(nextLesson([lesson('setup', [], false), lesson('sni', ['setup'], false)])?.id, 'setup');
  t.is(nextLesson([lesson('setup', [], true), lesson('sni', ['setup'], false), lesson('jwt', ['setup'], false)], 'sni')?.id, 'jwt');
  t.is(nextLesson([lesson('setup', [], true), lesson('sni', ['setup'], false, 2), lesson('jwt', ['setup'], true)], 'jwt')?.reason, 'in progress: 2/4 steps done');
  t.is(nextLesson([lesson('setup', [], true)]), undefined);
  t.like(workshopProgress([lesson('setup', [], true), lesson('sni', ['setup'], false, 2)]), { lessonsDone: 1, lessonCount: 2, stepsDone: 6, stepCount: 8 });
});

test('a prerequisite run first is announced, with why, before its own steps (replay and run never start it silently)', async (t) => {
  const { root, home } = workshop();
  t.teardown(() => [root, home].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const cluster = new FakeCluster();
  const events = await run({ lessonId: 'third', root, home, runPrerequisites: true, clientFactory: () => cluster, skipClusterStart: true });
  const announced = events.findIndex((e) => e.type === 'prerequisite');
  t.true(announced >= 0);
  t.like(events[announced], { type: 'prerequisite', lessonId: 'third', prerequisite: 'first' });
  t.like(events[announced + 1], { type: 'lesson-start', lessonId: 'first' });
  const text: string[] = [];
  for (const e of events) createHeadlessReporter({ write: (s) => text.push(s) })(e);
  t.regex(text.join(''), /↳ third needs the lesson first first \(it is not completed on this cluster\): running first, then third/);
  // Both lessons end with their own summary; third's next lesson is second (its prerequisites now done).
  const summaries = events.flatMap((e) => (e.type === 'lesson-summary' ? [e.summary] : []));
  t.deepEqual(summaries.map((s) => s.lessonId), ['first', 'third']);
  t.is(summaries[1]!.workshop.next?.id, 'second');
});

test('hands-on finish: steps held by effect are saved as done by hand, the gateway\'s view of the learner\'s request as the observation', async (t) => {
  const { createHandsOnServices } = await import('../../source/tui/services/hands-on-services.js');
  const { loadLesson } = await import('../../source/lesson/load.js');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-summary-hands-on-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const lesson = await loadLesson('setup');
  // The workshop did the first step; the learner did the rest.
  await (await LessonState.open('setup', home)).stepFinished(lesson.steps[0]!.id, true);
  const probeIndex = lesson.steps.findIndex((s) => s.kind === 'probe');
  const checks = lesson.steps.map((s, index) => ({
    index,
    stepId: s.id,
    status: 'ok' as const,
    holds: true,
    message: 'seen',
    findings: index === probeIndex ? [{ ok: true, subject: 'the gateway', expected: 'status 200', observed: 'status 200', message: 'status: 200' }] : [],
  }));
  const summary = await createHandsOnServices({ home }).finish!('setup', checks);
  t.is(summary.did.length, lesson.steps.length);
  t.deepEqual([...new Set(summary.did.slice(1).map((d) => d.how))], ['by-hand']);
  t.is(summary.did[0]!.how, 'workshop');
  t.deepEqual(summary.saw.map((s) => ({ id: s.id, by: s.by, ok: s.ok, verdicts: s.verdicts })), [
    { id: lesson.steps[probeIndex]!.id, by: 'learner', ok: true, verdicts: [{ field: 'the gateway', expected: 'status 200', observed: 'status 200', ok: true }] },
  ]);
  t.is((await LessonState.open('setup', home)).status, 'completed');
  t.is(summary.workshop.lessonsDone, 1);
});

test('the shipped lessons list what their lab text gets wrong, and name steps by id, never by a number that goes stale', async (t) => {
  const { lessonIds, loadLesson } = await import('../../source/lesson/load.js');
  for (const id of await lessonIds()) {
    const lesson = await loadLesson(id);
    t.true(lesson.corrections.length > 0, `${id} has no corrections:`);
    for (const c of lesson.corrections) t.notRegex(`${c.truth} ${c.evidence}`, /\bsteps? \d/i, `${id}: "${c.evidence}"`);
  }
});
