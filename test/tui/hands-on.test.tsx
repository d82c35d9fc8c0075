// Hands-on mode in the lesson screen, with a fake HandsOnServices: the step
// ticks when a watch reports a change and the check then holds; hints come
// one at a time; copy goes through the service (OSC 52 live); the real tool's
// output shows beside our probe's verdict; cleanup asks first; a prediction is
// judged when the effect is seen. 80x24 throughout.
import test from 'ava';
import React from 'react';
import { App } from '../../source/tui/app/App.js';
import type { HandsOnServices, StepCheckView, ToolRunView, WatchSource } from '../../source/tui/hands-on/model.js';
import { verboseLines } from '../../source/tui/hands-on/hands-on-lines.js';
import { osc52 } from '../../source/tui/services/hands-on-services.js';
import { fakeServices } from './helpers/fixtures.js';
import { keys, plainText, renderSized, waitForFrame } from './helpers/render.js';

const lessonStack = [{ name: 'home' as const }, { name: 'lesson' as const, lessonId: 'sni-matching' }];

function check(index: number, stepId: string, holds: boolean, message: string, extra: Partial<StepCheckView> = {}): StepCheckView {
  return { index, stepId, status: holds ? 'ok' : 'missing', holds, message, findings: [], ...extra };
}

function fakeHandsOn() {
  let state: StepCheckView[] = [
    check(0, 'intro', true, 'nothing to do: read it', { status: 'nothing' }),
    check(1, 'certs', true, 'example_certs/glootest.com.crt: O=Solo.io; CN=glootest.com'),
    check(2, 'gateway', false, 'Gateway agentgateway-system/agentgateway-proxy not found', { findings: [{ ok: false, subject: 'Gateway agentgateway-system/agentgateway-proxy', expected: 'exists', observed: 'not found', message: 'not found' }] }),
    check(3, 'probe-foo', false, 'the gateway has not seen a request with SNI mock-openai-foo.glootest.com on port 443 yet (run the curl command shown)', {
      findings: [{ ok: false, subject: 'the gateway', expected: 'SNI mock-openai-foo.glootest.com on port 443', observed: 'no request', message: 'none' }],
    }),
    check(4, 'probe-baz', false, 'the gateway has not seen a request with SNI mock-openai-baz.glootest.com on port 443 yet', { findings: [{ ok: false, subject: 'the gateway', observed: 'no request', message: 'none' }] }),
  ];
  let notify: ((source: WatchSource, detail: string) => void) | undefined;
  const copied: string[] = [];
  const cleanups: string[] = [];
  const toolRuns: string[][] = [];
  let watchers = 0;
  const service: HandsOnServices = {
    steps: async () => [
      { hints: [] },
      { hints: [] },
      { hints: ['The Gateway keeps its name.', 'One kubectl apply is enough.'] },
      { hints: [] },
      { hints: [], predict: { question: 'What will curl see for baz?', choices: ['HTTP 404', 'Closed after the ClientHello (exit 35)'] } },
    ],
    check: async () => state,
    watch: (_lessonId, onChange) => {
      watchers++;
      notify = onChange;
      return () => {
        watchers--;
        notify = undefined;
      };
    },
    runTool: async (commands): Promise<ToolRunView> => {
      toolRuns.push(commands.map((c) => c.command));
      return { command: commands.map((c) => c.command).join('\n'), tool: 'curl', exitCode: 35, stdout: '', stderr: '* Connected to mock-openai-baz.glootest.com (127.0.200.1) port 443\n* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n* OpenSSL SSL_connect: SSL_ERROR_SYSCALL\ncurl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL', ms: 42 };
    },
    judgePrediction: async (_l, _i, answer) => ({ matching: [1], right: answer === 1, observed: 'SNI mock-openai-baz.glootest.com, port 443: closed before ServerHello (no listener for SNI mock-openai-baz.glootest.com)' }),
    cleanup: async (lessonId) => {
      cleanups.push(lessonId);
      return 'cleanup ok (including 3 objects you made by hand)';
    },
    copy: (text) => copied.push(text),
  };
  return {
    service,
    copied,
    cleanups,
    toolRuns,
    get watchers() {
      return watchers;
    },
    /** The learner's command took effect: the next check sees it, and the watch says something changed. */
    change(index: number, next: StepCheckView, source: WatchSource, detail: string) {
      state = state.map((c, i) => (i === index ? next : c));
      notify?.(source, detail);
    },
  };
}

function open() {
  const fake = fakeHandsOn();
  const services = fakeServices({ handsOn: fake.service });
  const ui = renderSized(<App services={services} initialStack={lessonStack} />, 80, 24);
  const frame = () => plainText(ui.lastFrame());
  return { fake, services, ui, frame };
}

test('m turns hands-on mode on: the check says what is missing; the step ticks the moment its effect appears', async (t) => {
  const { fake, ui, frame } = open();
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson at its first open step');
  ui.stdin.write('m');
  let text = await waitForFrame(frame, (f) => f.includes('Not yet: Gateway') && f.includes('agentgateway-system/agentgateway-proxy not found'), 'the check of step 3');
  t.regex(text, /Hands-on/);
  t.regex(text, /expected exists/);
  t.regex(text, /observed not found/);
  t.regex(text, /✘ 3 Two HTTPS listeners|○ 3 Two HTTPS listeners/);
  t.is(fake.watchers, 1, 'the mode watches while it is on');
  fake.change(2, check(2, 'gateway', true, 'Gateway agentgateway-system/agentgateway-proxy exists as written (Programmed=True)'), 'cluster', 'ADDED Gateway agentgateway-proxy');
  text = await waitForFrame(frame, (f) => f.includes('Seen: Gateway') && f.includes('agentgateway-proxy exists as'), 'the tick');
  t.regex(text, /✔ 3 Two HTTPS listeners/);
  t.regex(text, /last seen: cluster: ADDED Gateway agentgateway-pro/);
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => !f.includes('Hands-on'), 'the mode off');
  t.is(fake.watchers, 0, 'leaving the mode stops the watches');
});

test('hints one at a time; c copies the shown commands through OSC 52', async (t) => {
  const { fake, ui, frame } = open();
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => f.includes('Not yet:'), 'the check');
  ui.stdin.write('h');
  let text = await waitForFrame(frame, (f) => f.includes('Hint 1/2: The Gateway keeps its name.'), 'hint 1');
  t.notRegex(text, /Hint 2\/2/);
  ui.stdin.write('h');
  text = await waitForFrame(frame, (f) => f.includes('Hint 2/2: One kubectl apply is enough.'), 'hint 2');
  ui.stdin.write('h');
  await waitForFrame(frame, (f) => f.includes('all 2 hints shown'), 'no more hints');
  ui.stdin.write('c');
  await waitForFrame(frame, (f) => f.includes('copied 1 command to the clipboard'), 'copy notice');
  t.deepEqual(fake.copied, ['kubectl apply -f manifests/sni-matching/gateway.yaml']);
  t.is(osc52('kubectl get gw'), '\u001b]52;c;a3ViZWN0bCBnZXQgZ3c=\u0007');
});

test('a prediction before the baz probe is judged once the gateway saw the request; x shows the real curl beside it', async (t) => {
  const { fake, ui, frame } = open();
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 5/5'), 'the baz step');
  ui.stdin.write('m');
  let text = await waitForFrame(frame, (f) => f.includes('What will curl see for baz?'), 'the question');
  t.regex(text, /press 1-2 before you run the command/);
  ui.stdin.write('2');
  await waitForFrame(frame, (f) => f.includes('your answer') && f.includes('waiting for the real observation'), 'the answer');
  fake.change(4, check(4, 'probe-baz', true, 'We saw your request: SNI mock-openai-baz.glootest.com, port 443: closed before ServerHello (no listener for SNI mock-openai-baz.glootest.com)', { findings: [{ ok: true, subject: 'the gateway', expected: 'outcome closed-after-client-hello', observed: 'outcome closed-after-client-hello', message: 'ok' }] }), 'gateway', 'time=… sni=mock-openai-baz.glootest.com flags=NS');
  text = await waitForFrame(frame, (f) => f.includes('Right.'), 'the verdict');
  t.regex(text, /✔ 5 curl baz fails/);
  ui.stdin.write('x');
  text = await waitForFrame(frame, (f) => f.includes('Real curl: exit 35'), 'the real tool');
  t.regex(text, /curl: \(35\) OpenSSL SSL_connect/);
  t.deepEqual(fake.toolRuns, [['curl -v --resolve mock-openai-baz.glootest.com:443:127.0.200.1 https://mock-openai-baz.glootest.com/v1/chat/completions']]);
});

test('C asks before cleaning up; n cancels, y cleans up (hand-made objects included)', async (t) => {
  const { fake, ui, frame } = open();
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => f.includes('Not yet:'), 'the check');
  ui.stdin.write('C');
  await waitForFrame(frame, (f) => f.includes('Clean up sni-matching'), 'the question');
  ui.stdin.write('n');
  await waitForFrame(frame, (f) => f.includes('cancelled'), 'cancelled');
  t.deepEqual(fake.cleanups, []);
  ui.stdin.write('C');
  await waitForFrame(frame, (f) => f.includes('Clean up sni-matching'), 'the question again');
  ui.stdin.write('y');
  await waitForFrame(frame, (f) => f.includes('cleanup ok (including 3 objects you made by hand)'), 'the summary');
  t.deepEqual(fake.cleanups, ['sni-matching']);
});

test('g asks, then lets the workshop do the steps before this one (bring me to step N)', async (t) => {
  const { services, ui, frame } = open();
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('m');
  await waitForFrame(frame, (f) => f.includes('Not yet:'), 'the check');
  ui.stdin.write('g');
  await waitForFrame(frame, (f) => f.includes('do steps 1-2 and bring you to step 3? y/n'), 'the question');
  ui.stdin.write('y');
  await waitForFrame(frame, () => services.runs.length === 1, 'the run');
  t.like(services.runs[0]!.options, { fromStep: 0, toStep: 1 });
});

test("the real tool's -v lines are picked out of its stderr", (t) => {
  t.deepEqual(verboseLines('* Connected\nnoise\n> GET / HTTP/2\n< HTTP/2 200\ncurl: (60) SSL certificate problem'), ['* Connected', '> GET / HTTP/2', '< HTTP/2 200', 'curl: (60) SSL certificate problem']);
});

test('a missing tool is said plainly with how to install it; the real tool and our probe are compared', async (t) => {
  const { handsOnLines } = await import('../../source/tui/hands-on/hands-on-lines.js');
  const { lineText } = await import('../../source/tui/common/lines.js');
  const text = (lines: ReturnType<typeof handsOnLines>) => lines.map(lineText).join('\n');
  const missing = text(handsOnLines({ checking: false, hintsShown: 0, tool: { running: false, result: { command: 'curl x', tool: 'curl', missing: { tool: 'curl', hint: 'sudo apt-get install -y curl' }, stdout: '', stderr: '', ms: 1 } } }, 80));
  t.regex(missing, /✘ curl is not installed\. Install it: sudo apt-get install -y curl/);
  const probe = { ok: true, verdicts: [], result: { outcome: 'closed-after-client-hello', curlExitCode: 35 } } as never;
  const differ = text(handsOnLines({ checking: false, hintsShown: 0, probe, tool: { running: false, result: { command: 'curl x', tool: 'curl', exitCode: 60, stdout: '', stderr: 'curl: (60) SSL certificate problem', ms: 1 } } }, 80));
  t.regex(differ, /Real curl: exit 60/);
  t.regex(differ, /Our probe: ✔ as expected · closed-after-client-hello, curl exit 35/);
  t.regex(differ, /They differ: the real tool exited 60, the probe expects curl to exit 35\./);
});
