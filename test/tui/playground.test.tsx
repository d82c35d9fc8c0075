import test from 'ava';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../source/tui/app/App.js';
import { fakeServices } from './helpers/fixtures.js';
import { keys, plainText, settle, waitForFrame } from './helpers/render.js';

const stack = [{ name: 'home' as const }, { name: 'lesson' as const, lessonId: 'sni-matching' }];

/** The result pane scrolls: page down until `text` shows (bounded). */
async function pageUntil(ui: { stdin: { write(data: string): void } }, frame: () => string, text: string) {
  for (let i = 0; i < 8 && !frame().includes(text); i++) {
    const before = frame();
    ui.stdin.write(keys.pageDown);
    await waitForFrame(frame, (f) => f !== before, 'the pane to scroll');
  }
}

async function openPlaygroundOnBaz() {
  const services = fakeServices();
  const ui = render(<App services={services} initialStack={stack} />);
  const frame = () => plainText(ui.lastFrame() ?? '');
  await waitForFrame(frame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 4/5'), 'step 4');
  ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => f.includes('step 5/5'), 'step 5');
  ui.stdin.write('p');
  await waitForFrame(frame, (f) => f.includes('Probe playground'), 'the playground');
  await settle();
  return { services, ui, frame };
}

test('the playground starts from the step probe: SNI, Host, path, CA, ALPN and the command to type', async (t) => {
  const { ui, frame } = await openPlaygroundOnBaz();
  t.teardown(() => ui.unmount());
  const text = frame();
  t.regex(text, /› SNI\s+mock-openai-baz\.glootest\.com/);
  t.regex(text, /Host header\s+mock-openai-baz\.glootest\.com/);
  t.regex(text, /Path\s+\/v1\/chat\/completions/);
  t.regex(text, /Client cert\s+\(none\)/);
  t.regex(text, /CA file\s+\/work\/example_certs\/glootest\.com\.crt/);
  t.regex(text, /ALPN\s+h2, http\/1\.1/);
  t.regex(text, /\$ agw-workshop probe --resolve mock-openai-baz\.glootest\.com:443:127\.0\.200\.1/);
  t.regex(text, /r run.*Esc back/s);
});

test('run on baz shows the handshake ending in EOF, no certificate, and why; editing SNI to foo and running again shows foo answering', async (t) => {
  const { services, ui, frame } = await openPlaygroundOnBaz();
  t.teardown(() => ui.unmount());
  ui.stdin.write('r');
  const baz = await waitForFrame(frame, (f) => f.includes('run 1 from the playground'), 'the first probe');
  t.is(services.probes.length, 1);
  t.is(services.probes[0]!.stepIndex, 4);
  // Nothing edited yet: the runner sends the lesson's own request.
  t.deepEqual(services.probes[0]!.edits, {});
  t.regex(baz, /✔ outcome\s+closed-after-client-/);
  t.regex(baz, /Why: No listener matches this SNI/);
  t.regex(baz, /✔ as the lesson expects/);
  await pageUntil(ui, frame, 'none received');
  const bazDetails = frame();
  t.regex(bazDetails, /→ ClientHello SNI mock-openai-baz\.glootest\.com/);
  t.regex(bazDetails, /← EOF before any server byte/);
  t.regex(bazDetails, /Certificate\s+none received/);
  ui.stdin.write(keys.home);

  // Edit the SNI: ⏎ opens an empty text input (the old value as placeholder); the lesson's
  // names complete in grey, so "mock-openai-f" and ⏎ gives foo's name.
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, (f) => f.includes('Editing SNI'), 'the editor');
  ui.stdin.write('mock-openai-f');
  await waitForFrame(frame, (f) => /SNI\s+mock-openai-foo\.glootest\.com/.test(f), 'the completion');
  ui.stdin.write(keys.enter);
  // The command wraps between arguments with ` \` continuations (pasteable), so --sni and its value may sit on two lines.
  const edited = await waitForFrame(frame, (f) => /--sni\s+(?:\\\s+)?mock-openai-foo\.glootest\.com/.test(f), 'the command to follow the SNI');
  t.regex(edited, /› SNI\s+mock-openai-foo\.glootest\.com/);
  ui.stdin.write('r');
  const foo = await waitForFrame(frame, (f) => f.includes('run 2 from the playground') && f.includes('What the probe saw'), 'the second probe');
  t.is(services.probes[1]!.request.sni, 'mock-openai-foo.glootest.com');
  t.deepEqual(services.probes[1]!.edits, { sni: 'mock-openai-foo.glootest.com' });
  t.regex(foo, /✘ outcome\s+closed-after-client-(hello)?\s+established/);
  t.regex(foo, /✘ not what the lesson expects/);
  t.false(foo.includes('Why: No listener matches this SNI'));
  await pageUntil(ui, frame, 'Subject');
  const details = await waitForFrame(frame, (f) => f.includes('Subject') && f.includes('Issuer'), 'the certificate facts');
  t.regex(details, /Subject\s+CN=mock-openai-foo\.glootest\.com; O=mock-openai-foo organization/);
  t.regex(details, /Issuer\s+O=Solo\.io; CN=glootest\.com/);
  t.regex(details, /HTTP\s+200/);
});

test('c clears the SNI (no server_name sent), ALPN is chosen from a list, x resets to the lesson request', async (t) => {
  const { services, ui, frame } = await openPlaygroundOnBaz();
  t.teardown(() => ui.unmount());
  ui.stdin.write('c');
  await waitForFrame(frame, (f) => f.includes('(none: no server_name sent)'), 'the SNI cleared');
  // Down to ALPN (the 7th field), ⏎ opens the list, ↓↓ then ⏎ picks "http/1.1 only".
  for (let i = 0; i < 6; i++) ui.stdin.write(keys.down);
  await waitForFrame(frame, (f) => /› ALPN/.test(f), 'the ALPN field');
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, (f) => f.includes('none (no ALPN extension)'), 'the ALPN list');
  await settle();
  ui.stdin.write(keys.down);
  ui.stdin.write(keys.down);
  ui.stdin.write(keys.enter);
  await waitForFrame(frame, (f) => /ALPN\s+http\/1\.1 only/.test(f) && f.includes('--http1.1'), 'the ALPN choice');
  ui.stdin.write('r');
  await waitForFrame(frame, (f) => f.includes('run 1 from the playground'), 'the probe');
  t.is(services.probes[0]!.request.sni, null);
  t.deepEqual(services.probes[0]!.request.alpn, ['http/1.1']);
  t.deepEqual(services.probes[0]!.edits, { sni: null, alpn: ['http/1.1'] });
  ui.stdin.write('x');
  const reset = await waitForFrame(frame, (f) => /ALPN\s+h2, http\/1\.1/.test(f), 'the fields reset');
  t.regex(reset, /SNI\s+mock-openai-baz\.glootest\.com/);
});

test('sending again shows the new result from its top, not at the old scroll position', async (t) => {
  const { ui, frame } = await openPlaygroundOnBaz();
  t.teardown(() => ui.unmount());
  ui.stdin.write('r');
  await waitForFrame(frame, (f) => f.includes('Observed vs expected') && f.includes('(run 1 from the playground)'), 'the first result');
  await pageUntil(ui, frame, 'What the probe saw');
  t.false(frame().includes('Observed vs expected'), 'scrolled past the top of the result');
  ui.stdin.write('r');
  const text = await waitForFrame(frame, (f) => f.includes('(run 2 from the playground)') && f.includes('Observed vs expected'), 'the second result from its top', 3000);
  t.regex(text, /Observed vs expected/);
});
