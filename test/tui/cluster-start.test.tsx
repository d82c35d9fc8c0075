// A run that finds the embedded cluster stopped starts it (issue 15.17): the
// lesson screen says so while it starts, and the probe attempts that follow
// are shown as happening on a cluster just started, not as bare failures.
// The headless lines say the same.
import test from 'ava';
import React from 'react';
import { App } from '../../source/tui/app/App.js';
import { createHeadlessReporter } from '../../source/report/headless.js';
import { fakeServices, sniLesson } from './helpers/fixtures.js';
import { plainText, renderSized, waitForFrame } from './helpers/render.js';

test('while the run starts a stopped cluster the status line says so; the probe attempts after it say the cluster was just started', async (t) => {
  const services = fakeServices();
  const ui = renderSized(<App services={services} initialStack={[{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]} />, 100, 24);
  t.teardown(() => ui.instance.unmount());
  const frame = () => plainText(ui.lastFrame());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('\u001B[B');
  await waitForFrame(frame, (f) => f.includes('step 4/5'), 'the probe step');
  ui.stdin.write('\r');
  await waitForFrame(() => String(services.runs.length), (n) => n === '1', 'the run');
  const run = services.runs[0]!;
  const step = sniLesson.steps[3]!;
  run.emit({ type: 'lesson-start', lessonId: 'sni-matching', title: 'SNI matching', stepCount: 5, fromStep: 3 });
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 3, stepId: step.id, kind: step.kind, title: step.title });
  run.emit({ type: 'cluster-start', lessonId: 'sni-matching', phase: 'starting' });
  run.emit({ type: 'progress', lessonId: 'sni-matching', index: 3, message: 'waiting for kube-system/kube-proxy' });
  await waitForFrame(frame, (f) => f.includes('Starting the embedded cluster (it was stopped) · waiting for kube-system/kube-proxy'), 'the cluster start on the status line');
  run.emit({ type: 'cluster-start', lessonId: 'sni-matching', phase: 'ready', ms: 4200 });
  run.emit({ type: 'progress', lessonId: 'sni-matching', index: 3, message: 'attempt 1: outcome refused; probing again' });
  await waitForFrame(frame, (f) => f.includes('Running step 4 (cluster just started; its gateway may need a few seconds) · attempt 1'), 'the attempts explained');
  run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 3, status: 'ok', ms: 5000 });
  run.emit({ type: 'lesson-end', lessonId: 'sni-matching', status: 'ok', ms: 5000, failedSteps: [] });
  run.finish();
  // Step 4 ends without a probe verdict, so the cursor moves on to step 5 (use-lesson-screen.ts);
  // "Step 4 done" is on the status line only between those two frames, so wait for the tick instead.
  await waitForFrame(frame, (f) => f.includes('✔ 4 curl foo') && f.includes('step 5/5'), 'the step done');
  t.false(frame().includes('cluster just started'));
});

test('headless: the cluster start is said, with how long it took', (t) => {
  let text = '';
  const report = createHeadlessReporter({ write: (s) => (text += s) });
  report({ type: 'cluster-start', lessonId: 'setup', phase: 'starting' });
  report({ type: 'cluster-start', lessonId: 'setup', phase: 'ready', ms: 4200 });
  t.regex(text, /the embedded cluster is not running: starting it \(agw-workshop cluster up\)/);
  t.regex(text, /the embedded cluster answers \(started in 4\.2 s\); the gateway's pods may take a few seconds more/);
});
