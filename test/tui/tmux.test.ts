// Deadlines are generous (30 s, helpers/tmux.ts): a loaded 2-core CI box can take seconds to load Ink.
// The real binary in a real terminal (tmux, 80x24): the home screen, `?` help,
// `q` quits cleanly with status 0; NO_COLOR really removes colour on the wire.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTmux, TmuxSession } from './helpers/tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'source', 'cli.js');

function prepare(t: import('ava').ExecutionContext, label: string) {
  requireTmux();
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `agw-tui-${label}-`));
  const session = new TmuxSession(label);
  t.teardown(() => {
    session.kill();
    fs.rmSync(home, { recursive: true, force: true });
  });
  // NO_COLOR and KUBECONFIG are cleared and CI unset (below), so the binary sees a learner's
  // interactive colour terminal even when this suite runs in CI.
  const env = { AGW_WORKSHOP_HOME: home, NO_COLOR: '', TERM: 'tmux-256color', KUBECONFIG: '' };
  return { session, home, env };
}

/** The command: CI variables removed (any value of CI, even "false", makes chalk drop colour). */
function workshop(): string[] {
  return ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', process.execPath, cli];
}

test('in tmux at 80x24 the workshop opens on home, ? shows the help, q quits with status 0 and says the cluster keeps running', async (t) => {
  const { session, env } = prepare(t, 'keys');
  session.start(workshop(), env);
  const home = await session.waitForText(/Cluster\s+○[\s\S]*Lessons[\s\S]*SNI matching/);
  t.regex(home, /Cluster\s+○ embedded cluster, not started yet/);
  t.regex(home, /q quit/);
  for (const line of home.split('\n')) t.true(line.length <= 80);
  session.sendKeys('?');
  const help = await session.waitForText('Help: every key');
  t.regex(help, /Home \(this screen\)/);
  t.regex(help, /Esc\/\? close/);
  session.sendKeys('Escape');
  await session.waitForText('Lessons');
  // A real resize reflows the frame: the SIGWINCH reaches Ink and our size hook.
  session.resize(60, 20);
  const narrow = await session.waitFor(() => {
    const screen = session.capture();
    return /^\s+lesson starts it\)/m.test(screen) && screen.includes('q quit') ? screen : undefined;
  }, 'the cluster line to wrap at 60 columns');
  for (const line of narrow.split('\n')) t.true(line.length <= 60, line);
  session.sendKeys('q');
  const status = await session.waitFor(() => session.exitStatus(), 'the workshop to exit');
  t.is(status, 0);
  t.regex(session.capture(false, true), /Workshop closed\. A started cluster keeps running[\s\S]*agw-workshop cluster down/);
});

test('in tmux, NO_COLOR=1 leaves no colour on the terminal, while without it the screen is coloured', async (t) => {
  const coloured = prepare(t, 'colour');
  const plain = prepare(t, 'nocolor');
  coloured.session.start(workshop(), coloured.env);
  plain.session.start(workshop(), { ...plain.env, NO_COLOR: '1' });
  await coloured.session.waitForText(/Gateway\s+○/);
  await plain.session.waitForText(/Gateway\s+○/);
  // SGR colour parameters: 30-37/90-97 foreground, 38;… extended, 40-47 background.
  const colour = /\u001B\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7]|4[0-7])(?:;[0-9;]*)?m/;
  t.regex(coloured.session.capture(true), colour);
  t.notRegex(plain.session.capture(true), colour);
  coloured.session.sendKeys('q');
  plain.session.sendKeys('q');
  t.is(await coloured.session.waitFor(() => coloured.session.exitStatus(), 'exit'), 0);
  t.is(await plain.session.waitFor(() => plain.session.exitStatus(), 'exit'), 0);
});
