// The pure renderers under the screens: wrapping, markdown, YAML colouring,
// verdict cells, and the run reducer that folds runner events.
import test from 'ava';
import fc from 'fast-check';
import { lineText, wrapLine, hardWrap, type Line } from '../../source/tui/common/lines.js';
import { markdownToLines } from '../../source/tui/common/markdown.js';
import { highlightYaml } from '../../source/tui/common/yaml-highlight.js';
import { wrapCell } from '../../source/tui/common/verdict-lines.js';
import { initialRunState, runReducer } from '../../source/tui/lesson/run-state.js';
import { sniLesson } from './helpers/fixtures.js';

const texts = (lines: Line[]) => lines.map(lineText);

test('word wrap keeps words whole, never exceeds the width, and loses no characters', (t) => {
  t.deepEqual(texts(wrapLine([{ text: 'the gateway closed the connection' }], 12)), ['the gateway', 'closed the', 'connection']);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 8, max: 100 }), (text, width) => {
      const clean = text.replace(/[\n\r\t]/g, ' ');
      const out = texts(wrapLine([{ text: clean }], width));
      for (const line of out) if (line.length > width) return false;
      return out.join('').replace(/ /g, '') === clean.replace(/ /g, '');
    }),
  );
});

test('hard wrap marks continuation lines and keeps every character', (t) => {
  const out = texts(hardWrap([{ text: 'x'.repeat(25) }], 10, '↪ '));
  t.deepEqual(out, ['x'.repeat(10), `↪ ${'x'.repeat(8)}`, `↪ ${'x'.repeat(7)}`]);
});

test('markdown: headings underlined, bold and code marks removed with their roles, lists with hanging indent, fenced YAML highlighted', (t) => {
  const md = '# Title\nSome **bold** and `code` text.\n\n- a list item that is long enough to wrap around\n1. first\n\n```yaml\nkind: Gateway # c\n```';
  const lines = markdownToLines(md, 24);
  const plain = texts(lines);
  t.deepEqual(plain.slice(0, 2), ['Title', '═════']);
  t.true(plain.includes('Some bold and code text.'));
  const sentence = lines.find((l) => lineText(l).startsWith('Some'))!;
  t.is(sentence.find((s) => s.text === 'bold')?.role, 'bold');
  t.is(sentence.find((s) => s.text === 'code')?.role, 'code');
  t.deepEqual(plain.filter((l) => l.startsWith('• ') || l.startsWith('  ')).slice(0, 3), ['• a list item that is', '  long enough to wrap', '  around']);
  t.true(plain.includes('1. first'));
  const yaml = lines.find((l) => lineText(l).includes('kind'))!;
  t.is(yaml.find((s) => s.text === 'kind')?.role, 'yamlKey');
  t.is(yaml.find((s) => s.text === '# c')?.role, 'yamlComment');
});

test('presenter headings are banners', (t) => {
  const plain = texts(markdownToLines('## Why baz fails', 40, { presenter: true }));
  t.true(plain.some((l) => l.includes('WHY BAZ FAILS')));
  t.true(plain.some((l) => /^━{8,}$/.test(l)));
});

test('YAML: keys, values, strings, comments, list dashes; # inside quotes or block scalars is not a comment', (t) => {
  const lines = highlightYaml('metadata:\n  name: "a # b" # real\n  - item\nscript: |\n  echo # not a comment\nport: 443');
  const roles = (i: number) => lines[i]!.filter((s) => s.text.trim()).map((s) => `${s.role}:${s.text.trim()}`);
  t.deepEqual(roles(0), ['yamlKey:metadata', 'yamlPunct::']);
  t.deepEqual(roles(1), ['yamlKey:name', 'yamlPunct::', 'yamlString:"a # b"', 'yamlComment:# real']);
  t.deepEqual(roles(2), ['yamlPunct:-', 'yamlValue:item']);
  t.deepEqual(roles(4), ['yamlString:echo # not a comment']);
  t.deepEqual(roles(5), ['yamlKey:port', 'yamlPunct::', 'yamlValue:443']);
});

test('verdict cells break after hyphens and dots before cutting words', (t) => {
  t.deepEqual(wrapCell('closed-after-client-hello', 21), ['closed-after-client-', 'hello']);
  t.deepEqual(wrapCell('certificate.subject', 12), ['certificate.', 'subject']);
  t.deepEqual(wrapCell('x'.repeat(10), 4), ['xxxx', 'xxxx', 'xx']);
});

test('the run reducer folds runner events: running, output bounded, probe result, step end; a run that dies leaves no spinner', (t) => {
  let state = runReducer(initialRunState(sniLesson), { type: 'run-requested' });
  t.is(state.steps[0]!.status, 'ok');
  state = runReducer(state, { type: 'event', now: 1000, event: { type: 'step-start', lessonId: 'sni-matching', index: 2, stepId: 'gateway', kind: 'apply', title: 't' } });
  t.is(state.steps[2]!.status, 'running');
  t.is(state.steps[2]!.startedAt, 1000);
  for (let i = 0; i < 300; i++) state = runReducer(state, { type: 'event', now: 1001, event: { type: 'output', lessonId: 'sni-matching', index: 2, text: `line ${i}\n` } });
  t.is(state.steps[2]!.output.length, 200);
  t.is(state.steps[2]!.output.at(-1), 'line 299');
  // Events of another lesson (a prerequisite run) do not touch this one.
  t.is(runReducer(state, { type: 'event', now: 1, event: { type: 'step-end', lessonId: 'setup', index: 2, status: 'ok', ms: 1 } }), state);
  const dead = runReducer(state, { type: 'run-finished', error: 'cluster unreachable' });
  t.false(dead.running);
  t.is(dead.error, 'cluster unreachable');
  t.is(dead.steps[2]!.status, 'failed');
  t.is(dead.steps[2]!.error, 'cluster unreachable');
  state = runReducer(state, { type: 'event', now: 1500, event: { type: 'step-end', lessonId: 'sni-matching', index: 2, status: 'ok', ms: 500 } });
  t.is(state.steps[2]!.status, 'ok');
  t.deepEqual(state.lastEnded, { index: 2, status: 'ok' });
});

test('events of a prerequisite lesson during a run are shown as such, not mixed into the steps', (t) => {
  let state = runReducer(initialRunState(sniLesson), { type: 'run-requested' });
  state = runReducer(state, { type: 'event', now: 1, event: { type: 'lesson-start', lessonId: 'setup', title: 'Set up the workshop', stepCount: 13, fromStep: 0 } });
  state = runReducer(state, { type: 'event', now: 2, event: { type: 'step-start', lessonId: 'setup', index: 1, stepId: 'cluster', kind: 'cluster', title: 'Start the cluster' } });
  t.deepEqual(state.prerequisite, { lessonId: 'setup', title: 'Set up the workshop', step: 'Start the cluster', index: 1 });
  t.is(state.steps[1]!.status, 'ok');
  t.is(state.steps[2]!.status, 'pending');
  state = runReducer(state, { type: 'event', now: 3, event: { type: 'lesson-end', lessonId: 'setup', status: 'ok', ms: 2, failedSteps: [] } });
  t.is(state.prerequisite, undefined);
});

test('a number that starts a line inside a paragraph is prose, not a list', (t) => {
  const plain = texts(markdownToLines('keys are written with mode\n0600. Running it again reuses them.\n\n1. first\n2. second', 80));
  t.deepEqual(plain, ['keys are written with mode 0600. Running it again reuses them.', '', '1. first', '2. second']);
});
