// NO_COLOR: with colour forced on for this process (as a colour terminal
// would), the screens carry escape codes; with NO_COLOR they carry none.
import test from 'ava';
import type React from 'react';

import chalk from 'chalk';

// Ink and @inkjs/ui colour through chalk, which decided at load time that a
// pipe gets no colour. Force full colour, as a 256-colour terminal would have.
chalk.level = 3;

const escape = /\u001B\[/;

async function load() {
  const [{ render }, ReactModule, { App }, fixtures, helpers, theme] = await Promise.all([
    import('ink-testing-library'),
    import('react'),
    import('../../source/tui/app/App.js'),
    import('./helpers/fixtures.js'),
    import('./helpers/render.js'),
    import('../../source/tui/common/theme.js'),
  ]);
  const h = ReactModule.createElement;
  function open(color: boolean, stack?: Parameters<typeof App>[0]['initialStack']) {
    const services = fixtures.fakeServices();
    const ui = render(h(App, { services, color, initialStack: stack }) as React.ReactElement);
    return { ui, services, frame: () => ui.lastFrame() ?? '' };
  }
  return { open, ...helpers, ...fixtures, colorFromEnv: theme.colorFromEnv };
}

test('NO_COLOR is read as no-color.org says: present and not empty', async (t) => {
  const { colorFromEnv } = await load();
  t.false(colorFromEnv({ NO_COLOR: '1' }));
  t.false(colorFromEnv({ NO_COLOR: 'true' }));
  t.true(colorFromEnv({ NO_COLOR: '' }));
  t.true(colorFromEnv({}));
});

test('with colour, the lesson screen is coloured (the check below can fail)', async (t) => {
  const { open, waitForFrame } = await load();
  const { ui, frame } = open(true, [{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]);
  t.teardown(() => ui.unmount());
  const text = await waitForFrame(frame, (f) => f.includes('apiVersion'), 'the YAML');
  t.regex(text, escape);
});

test('with NO_COLOR, home, lesson (YAML, verdicts), playground and help have no escape codes', async (t) => {
  const { open, waitForFrame, keys, fakeVerdict, sniLesson } = await load();
  const home = open(false);
  t.teardown(() => home.ui.unmount());
  const homeFrame = await waitForFrame(home.frame, (f) => f.includes('2/5') && f.includes('Gateway'), 'home');
  t.notRegex(homeFrame, escape);
  home.ui.stdin.write('?');
  t.notRegex(await waitForFrame(home.frame, (f) => f.includes('Help: every key'), 'help'), escape);

  const lesson = open(false, [{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]);
  t.teardown(() => lesson.ui.unmount());
  t.notRegex(await waitForFrame(lesson.frame, (f) => f.includes('apiVersion'), 'the YAML'), escape);
  lesson.ui.stdin.write(keys.down);
  lesson.ui.stdin.write(keys.down);
  await waitForFrame(lesson.frame, (f) => f.includes('step 5/5'), 'step 5');
  lesson.ui.stdin.write(keys.enter);
  await waitForFrame(lesson.frame, () => lesson.services.runs.length === 1, 'a run');
  const run = lesson.services.runs[0]!;
  run.emit({ type: 'step-start', lessonId: 'sni-matching', index: 4, stepId: 'probe-baz', kind: 'probe', title: 'curl baz fails' });
  t.notRegex(await waitForFrame(lesson.frame, (f) => f.includes('Running step 5'), 'the spinner'), escape);
  const verdict = fakeVerdict(4, sniLesson.steps[4]!.probe!);
  run.emit({ type: 'probe-result', lessonId: 'sni-matching', index: 4, ...verdict });
  run.emit({ type: 'step-end', lessonId: 'sni-matching', index: 4, status: 'ok', ms: 3 });
  run.finish();
  t.notRegex(await waitForFrame(lesson.frame, (f) => f.includes('Observed vs expected') && f.includes('done in'), 'the verdicts'), escape);
  lesson.ui.stdin.write('p');
  await waitForFrame(lesson.frame, (f) => f.includes('Probe playground'), 'the playground');
  lesson.ui.stdin.write('r');
  t.notRegex(await waitForFrame(lesson.frame, (f) => f.includes('run 1 from the playground'), 'a playground run'), escape);
  // The ALPN list (an @inkjs/ui Select) too.
  for (let i = 0; i < 6; i++) lesson.ui.stdin.write(keys.down);
  await waitForFrame(lesson.frame, (f) => /› ALPN/.test(f), 'the ALPN field');
  lesson.ui.stdin.write(keys.enter);
  t.notRegex(await waitForFrame(lesson.frame, (f) => f.includes('none (no ALPN extension)'), 'the ALPN list'), escape);
});
