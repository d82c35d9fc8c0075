// 80x24 and resize: nothing essential cut off, everything reflows.
import test from 'ava';
import React from 'react';
import { App } from '../../source/tui/app/App.js';
import { fakeServices, fakeVerdict, sniLesson } from './helpers/fixtures.js';
import { keys, plainText, renderSized, waitForFrame } from './helpers/render.js';

function lines(frame: string): string[] {
  return plainText(frame).replace(/\n$/, '').split('\n');
}

function assertFits(t: import('ava').ExecutionContext, frame: string, columns: number, rows: number) {
  const all = lines(frame);
  t.true(all.length <= rows, `${all.length} rows > ${rows}:\n${frame}`);
  for (const line of all) t.true([...line].length <= columns, `line longer than ${columns}: "${line}"`);
}

test('home at 80x24 fits, with the lesson titles, the cluster line and the keys', async (t) => {
  const ui = renderSized(<App services={fakeServices()} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('2/5') && f.includes('Gateway'), 'home');
  assertFits(t, frame, 80, 24);
  const text = plainText(frame);
  t.regex(text, /SNI matching: two names, one port/);
  t.regex(text, /q quit/);
});

test('verdicts at 80 columns wrap inside their cells and PgDn reaches the explanation', async (t) => {
  const fakes = fakeServices();
  const ui = renderSized(<App services={fakes} initialStack={[{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(ui.lastFrame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write(keys.down);
  ui.stdin.write(keys.down);
  await waitForFrame(ui.lastFrame, (f) => f.includes('step 5/5'), 'step 5');
  ui.stdin.write(keys.enter);
  await waitForFrame(ui.lastFrame, () => fakes.runs.length === 1, 'a run');
  const run = fakes.runs[0]!;
  const verdict = fakeVerdict(4, sniLesson.steps[4]!.probe!);
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 4, stepId: 'probe-baz', kind: 'probe', title: 'curl baz fails' });
  run.emit({ type: 'probe-result', lessonId: 'sni-matching', index: 4, ...verdict });
  run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 4, status: 'ok', ms: 3 });
  run.finish();
  const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('Observed vs expected') && f.includes('done in'), 'the verdicts');
  assertFits(t, frame, 80, 24);
  const text = plainText(frame);
  t.regex(text, /✔ outcome/);
  // Every part of the long values is on screen, wrapped inside the cell (46 columns of pane).
  t.regex(text, /closed-after-/);
  for (let i = 0; i < 6 && !plainText(ui.lastFrame()).includes('Fix:'); i++) {
    const before = ui.lastFrame();
    ui.stdin.write(keys.pageDown);
    await waitForFrame(ui.lastFrame, (f) => f !== before, 'the pane to scroll');
  }
  const explained = await waitForFrame(ui.lastFrame, (f) => f.includes('Fix:'), 'the explanation');
  assertFits(t, explained, 80, 24);
  t.regex(plainText(explained), /q quit/);
});

test('a resize reflows every screen: narrower text wraps, the step list comes back when wide again', async (t) => {
  const ui = renderSized(<App services={fakeServices()} initialStack={[{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  const wide = await waitForFrame(ui.lastFrame, (f) => f.includes('step 3/5'), 'the lesson');
  t.regex(plainText(wide), /○ 4 curl foo/);
  ui.stdout.resize(50, 20);
  const narrow = await waitForFrame(ui.lastFrame, (f) => !plainText(f).includes('○ 4 curl foo'), 'the narrow layout');
  assertFits(t, narrow, 50, 20);
  t.regex(plainText(narrow), /Step 3 · Two HTTPS listeners on 443/);
  ui.stdout.resize(120, 30);
  const back = await waitForFrame(ui.lastFrame, (f) => plainText(f).includes('○ 4 curl foo'), 'the wide layout');
  assertFits(t, back, 120, 30);
  t.regex(plainText(back), /Two HTTPS listeners on 443\s+│/);
});
