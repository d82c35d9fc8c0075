import test from 'ava';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../source/tui/app/App.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { fakeServices, fakeVerdict, sniLesson } from './helpers/fixtures.js';
import { keys, plainText, waitForFrame } from './helpers/render.js';

const lessonStack = [{ name: 'home' as const }, { name: 'lesson' as const, lessonId: 'sni-matching' }];

function openLesson(presenter = false) {
  const services = fakeServices();
  const ui = render(<App services={services} presenter={presenter} initialStack={lessonStack} />);
  const frame = () => plainText(ui.lastFrame() ?? '');
  return { services, ui, frame };
}

test('the lesson screen lists the steps with their state and opens on the first open step', async (t) => {
  const { ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  const text = frame();
  t.regex(text, /✔ 1 What SNI is/);
  t.regex(text, /✔ 2 Certificates for foo/);
  t.regex(text, /›○ 3 Two HTTPS listeners on/);
  t.regex(text, /○ 5 curl baz fails/);
  // Keys in the footer.
  t.regex(text, /⏎ run step.*\? help.*q quit/s);
});

test('a step shows its markdown text rendered, its YAML and its equivalent commands', async (t) => {
  const { ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  const text = frame();
  t.regex(text, /Step 3 · Two HTTPS listeners on 443/);
  t.regex(text, /Manifest/);
  t.regex(text, /apiVersion: gateway\.networking\.k8s\.io\/v1/);
  t.regex(text, /kind: Gateway # the listeners/);
  t.regex(text, /hostname: "mock-openai-foo\.glootest\.com"/);
  t.regex(text, /Same thing by hand/);
  t.regex(text, /\$ kubectl apply -f manifests\/sni-matching\/gateway\.yaml/);
  // Up twice: the explain step's markdown (heading, bold and code spans without their marks, bullets).
  ui.stdin.write(keys.up);
  await waitForFrame(frame, (f) => f.includes('step 2/5'), 'step 2');
  ui.stdin.write(keys.up);
  const intro = await waitForFrame(frame, (f) => f.includes('step 1/5'), 'step 1');
  t.regex(intro, /Server Name Indication\n.*═+/);
  t.regex(intro, /names the host it wants in the ClientHello, before/);
  t.regex(intro, /openssl s_client -servername/);
  t.false(intro.includes('**'));
  t.false(intro.includes('`'));
  t.regex(intro, /• baz matches no listener/);
});

test('runner events drive the screen: spinner with elapsed time, then observed vs expected with ✔/✘ and the explanation', async (t) => {
  const { services, ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 4/5'), 'step 4');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 5/5'), 'step 5');
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, () => services.runs.length === 1, 'a run to start');
  const run = services.runs[0]!;
  t.is(run.options.fromStep, 4);
  t.is(run.options.toStep, 4);
  const at = (e: Omit<RunnerEvent, 'lessonId'>) => run.emit({ lessonId: 'sni-matching', ...e } as RunnerEvent);
  at({ type: 'lesson-start', title: 'SNI matching', stepCount: 5, fromStep: 4 } as never);
  at({ type: 'step-start', index: 4, stepId: 'probe-baz', kind: 'probe', title: 'curl baz fails' } as never);
  at({ type: 'progress', index: 4, message: 'connecting to 127.0.200.1:443' } as never);
  const running = await waitForFrame(frame, (f) => f.includes('Running step 5'), 'the spinner');
  t.regex(running, /Running step 5 · connecting to 127\.0\.200\.1:443 · \d+ ms/);
  t.regex(running, /◐ 5 curl baz fails/);
  at({ type: 'command', index: 4, tool: 'curl', command: 'curl -v --resolve mock-openai-baz.glootest.com:443:127.0.200.1 https://mock-openai-baz.glootest.com/' } as never);
  const verdict = fakeVerdict(4, sniLesson.steps[4]!.probe!);
  at({ type: 'probe-result', index: 4, result: verdict.result, verdicts: verdict.verdicts, explanation: verdict.explanation, ok: verdict.ok } as never);
  at({ type: 'step-end', index: 4, status: 'ok', ms: 42 } as never);
  at({ type: 'lesson-end', status: 'ok', ms: 50, failedSteps: [] } as never);
  run.finish();
  // The result scrolls into view once the step has ended.
  const done = await waitForFrame(frame, (f) => f.includes('done in 42 ms') && f.includes('What the probe saw'), 'the step to end and its result to show');
  t.regex(done, /✔ 5 curl baz fails/);
  t.regex(done, /Observed vs expected/);
  t.regex(done, /✔ outcome\s+closed-after-client-(hello)?\s+closed-after-client-(hello)?\n.*│\s+(hello\s+hello)?/);
  t.regex(done, /Why: No listener matches this SNI/);
  t.regex(done, /gateway closed the connection before sending a/);
  t.false(/Running step/.test(done));
});

test('a failed verdict shows ✘ with the observed value', async (t) => {
  const { services, ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 4/5'), 'step 4');
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, () => services.runs.length === 1, 'a run');
  const run = services.runs[0]!;
  // foo's probe judged against baz's expectation: a real mismatch, rendered as ✘.
  const verdict = fakeVerdict(4, sniLesson.steps[3]!.probe!);
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 3, stepId: 'probe-foo', kind: 'probe', title: 'curl foo' });
  run.emit({ type: 'probe-result', lessonId: 'sni-matching', index: 3, result: verdict.result, verdicts: verdict.verdicts, ok: false });
  run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 3, status: 'failed', ms: 7, error: 'an expectation did not hold' });
  run.finish();
  const failed = await waitForFrame(frame, (f) => f.includes('failed: an expectation') && f.includes('What the probe saw'), 'the failure and its verdicts');
  t.regex(failed, /✘ outcome\s+closed-after-client-(hello)?\s+established/);
  t.regex(failed, /✘ 4 curl foo/);
});

test('learner mode moves to the next step after a step you ran ends well; presenter mode stays', async (t) => {
  for (const presenter of [false, true]) {
    const { services, ui, frame } = openLesson(presenter);
    await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, () => services.runs.length === 1, 'a run');
    const run = services.runs[0]!;
    run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 2, stepId: 'gateway', kind: 'apply', title: 'Two HTTPS listeners on 443' });
    run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 2, status: 'ok', ms: 5 });
    run.emit({ type: 'lesson-end', lessonId: 'sni-matching', status: 'ok', ms: 6, failedSteps: [] });
    run.finish();
    await waitForFrame(frame, (f) => f.includes('✔ 3 Two'), 'step 3 done');
    const after = await waitForFrame(frame, (f) => f.includes(presenter ? 'step 3/5' : 'step 4/5'), presenter ? 'the cursor to stay' : 'the cursor to move on');
    t.is(after.includes('step 4/5'), !presenter, `presenter=${presenter}`);
    ui.unmount();
  }
});

test('presenter mode shows banner headings and the presenter notes', async (t) => {
  const { ui, frame } = openLesson(true);
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  ui.stdin.write(keys.down);
  const text = await waitForFrame(frame, (f) => f.includes('step 5/5'), 'step 5');
  t.regex(text, /━{8,}\n.*STEP 5 · CURL BAZ FAILS/);
  t.regex(text, /┃ Presenter notes/);
  t.regex(text, /┃ Point at the empty ServerHello column\./);
  // Learners never see presenter notes.
  const learner = openLesson(false);
  t.teardown(() => learner.ui.unmount());
  await waitForFrame(learner.frame, (f) => f.includes('step 3/5'), 'the lesson');
  learner.ui.stdin.write(keys.down);
  learner.ui.stdin.write(keys.down);
  const plain = await waitForFrame(learner.frame, (f) => f.includes('step 5/5'), 'step 5');
  t.false(plain.includes('Presenter notes'));
});

test('q during a run stops the run (the runner saves its progress) before the workshop closes', async (t) => {
  const { services, ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('a');
  await waitForFrame(frame, () => services.runs.length === 1, 'a run');
  const run = services.runs[0]!;
  t.is(run.options.fromStep, 2);
  t.is(run.options.toStep, undefined);
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 2, stepId: 'gateway', kind: 'apply', title: 'Two HTTPS listeners on 443' });
  await waitForFrame(frame, (f) => f.includes('Running step 3'), 'the run');
  ui.stdin.write('q');
  await waitForFrame(frame, () => run.stopped, 'the run to be stopped');
  t.true(run.stopped);
});

test('a run that fails before any step (e.g. no cluster) says why in the status line', async (t) => {
  const services = fakeServices({
    runLesson: () => ({ done: Promise.reject(new Error('the embedded cluster did not start')), stop: async () => {} }),
  });
  const ui = render(<App services={services} initialStack={lessonStack} />);
  t.teardown(() => ui.unmount());
  const frame = () => plainText(ui.lastFrame() ?? '');
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.enter);
  const failed = await waitForFrame(frame, (f) => f.includes('The run stopped'), 'the error');
  t.regex(failed, /✘ The run stopped: the embedded cluster did not start/);
});

test('after a probe step ends well its verdict stays in view until the learner moves (↓)', async (t) => {
  const { services, ui, frame } = openLesson();
  t.teardown(() => ui.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 4/5'), 'the probe step');
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, () => services.runs.length === 1, 'a run');
  const run = services.runs[0]!;
  const request = sniLesson.steps[3]!.probe!;
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 3, stepId: sniLesson.steps[3]!.id, kind: 'probe', title: sniLesson.steps[3]!.title });
  run.emit({ type: 'probe-result', lessonId: 'sni-matching', index: 3, ...fakeVerdict(3, request) });
  run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 3, status: 'ok', ms: 5 });
  run.emit({ type: 'lesson-end', lessonId: 'sni-matching', status: 'ok', ms: 6, failedSteps: [] });
  run.finish();
  const done = await waitForFrame(frame, (f) => f.includes('↓ next step'), 'the verdict kept in view');
  t.regex(done, /step 4\/5/);
  t.regex(done, /Observed vs expected/);
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 5/5'), 'the learner moves on');
});
