import test from 'ava';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../source/tui/app/App.js';
import { fakeServices } from './helpers/fixtures.js';
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
  await waitForFrame(ui.lastFrame, (f) => f.includes('› Setup'), 'the first lesson chosen');
  ui.stdin.write(keys.down);
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('› SNI matching'), 'the second lesson chosen');
  ui.stdin.write(keys.enter);
  await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('step 3/5'), 'the lesson screen on its first open step');
  ui.stdin.write(keys.escape);
  const frame = plainText(await waitForFrame(ui.lastFrame, (f) => f.includes('2/5') && f.includes('Cluster'), 'home again with its lessons'));
  t.true(frame.includes('› SNI matching'));
});
