import test from 'ava';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../source/tui/app/App.js';
import { fakeServices } from './helpers/fixtures.js';
import type { LessonSummary } from '../../source/tui/model.js';
import { keys, plainText, waitForFrame } from './helpers/render.js';

test('home lists the lessons with progress and status, the cluster in use and the gateway readiness', async (t) => {
  const ui = render(<App services={fakeServices()} />);
  t.teardown(() => ui.unmount());
  const frame = plainText(await waitForFrame(ui.lastFrame, (f) => f.includes('SNI matching') && f.includes('Gateway'), 'the home screen'));
  t.regex(frame, /Setup: cluster, gateway and a first request\s+\[#{10}\] 5\/5\s+done/);
  t.regex(frame, /SNI matching: two names, one port\s+\[#{4}-{6}\] 2\/5\s+in progress/);
  t.regex(frame, /Cluster\s+● embedded cluster at https:\/\/127\.0\.0\.1:6443/);
  t.regex(frame, /Gateway\s+● ready GatewayClass enterprise-agentgateway Accepted/);
  // Keys at the bottom.
  t.regex(frame.trimEnd().split('\n').slice(-2).join('\n'), /⏎ open.*\? help.*q quit/s);
});

test('home shows a cluster that cannot be reached and a gateway that is not ready', async (t) => {
  const services = fakeServices({
    clusterStatus: async () => ({ kind: 'context', description: 'kube context kind-workshop', reachable: false, gateway: { ready: false, detail: 'no GatewayClass is Accepted' } }),
  });
  const ui = render(<App services={services} />);
  t.teardown(() => ui.unmount());
  const frame = plainText(await waitForFrame(ui.lastFrame, (f) => f.includes('kind-workshop'), 'the cluster line'));
  t.regex(frame, /○ kube context kind-workshop \(not reachable\)/);
  t.regex(frame, /○ not ready no GatewayClass is Accepted/);
});

test('home: ↓ and ⏎ open the chosen lesson, Esc comes back', async (t) => {
  const ui = render(<App services={fakeServices()} />);
  t.teardown(() => ui.unmount());
  // At first the next lesson to take is chosen (setup is done).
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('› SNI matching'), 'the next lesson chosen');
  ui.stdin.write(keys.up);
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('› Setup'), 'the first lesson chosen');
  ui.stdin.write(keys.down);
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('› SNI matching'), 'the second lesson chosen');
  ui.stdin.write(keys.enter);
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('step 3/5'), 'the lesson screen on its first open step');
  ui.stdin.write(keys.escape);
  const frame = plainText(await waitForFrame(ui.lastFrame, (f) => f.includes('2/5') && f.includes('Cluster'), 'home again with its lessons'));
  t.true(frame.includes('› SNI matching'));
});

test('home shows the whole workshop: lessons and steps done, and the next lesson by prerequisites', async (t) => {
  const lessons: LessonSummary[] = [
    { id: 'setup', title: 'Setup', stepCount: 13, completedSteps: 13, status: 'done', prerequisites: [] },
    { id: 'sni-matching', title: 'SNI matching', stepCount: 17, completedSteps: 0, status: 'not-started', prerequisites: ['setup', 'jwt-auth'] },
    { id: 'jwt-auth', title: 'JWT auth', stepCount: 30, completedSteps: 0, status: 'not-started', prerequisites: ['setup'] },
  ];
  const ui = render(<App services={fakeServices({ listLessons: async () => lessons })} />);
  t.teardown(() => ui.unmount());
  const frame = plainText(await waitForFrame(ui.lastFrame, (f) => f.includes('Workshop'), 'the workshop line'));
  t.regex(frame, /Workshop \[###-------\] 1\/3 lessons done · 13\/60 steps/);
  t.regex(frame, /Next\s+JWT auth \(its prerequisite setup is done\)/);
  t.regex(frame, /› JWT auth/, 'the next lesson is the one chosen');
});

test('home says when the frame with the lessons is out (the app loads the lesson screens then), also when listing failed', async (t) => {
  const { HomeScreen } = await import('../../source/tui/home/HomeScreen.js');
  const { ServicesProvider } = await import('../../source/tui/app/services-context.js');
  const { KeyRouter } = await import('../../source/tui/common/use-keys.js');
  const nav = { push: () => undefined, back: () => undefined, openLesson: () => undefined, home: () => undefined, toggleHelp: () => undefined, quit: () => undefined };
  for (const listLessons of [fakeServices().listLessons, async () => Promise.reject(new Error('no lessons here'))]) {
    const framesWhenListed: string[] = [];
    let listed: () => void = () => undefined;
    const listedOnce = new Promise<void>((resolve) => (listed = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const services = fakeServices({ listLessons: async () => (await gate, listLessons()) });
    const ui = render(
      <ServicesProvider value={services}>
        <KeyRouter>
          <HomeScreen nav={nav} size={{ columns: 80, rows: 23 }} onListed={() => (framesWhenListed.push(ui.lastFrame() ?? ''), listed())} />
        </KeyRouter>
      </ServicesProvider>,
    );
    t.teardown(() => ui.unmount());
    await waitForFrame(ui.lastFrame, (f) => f.includes('Loading lessons'), 'home before its lessons');
    release();
    await listedOnce;
    t.is(framesWhenListed.length, 1);
    t.false(framesWhenListed[0]!.includes('Loading lessons'), 'called after the frame with the lessons (or the error)');
  }
});
