// Every command the TUI shows, pasted as shown, runs as the command it stands
// for: folded only between arguments (` \` continuations), never inside a word.
// For every lesson and step, at the lesson pane's widths on 80- and 120-column
// terminals and a narrow one: `bash -n` accepts the pasted text, and with
// kubectl/curl/openssl/agw-workshop replaced by functions that print their
// arguments (and stdin), the pasted text and the unfolded command print the
// same. ${GATEWAY_IP} expands (never single-quoted). The certificate commands
// of sni-matching then run for real with openssl.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lessonIds, loadLesson } from '../../source/lesson/load.js';
import { stepCommands } from '../../source/lesson/step-commands.js';
import { displayedProbeRequest } from '../../source/lesson/probe-display.js';
import { foldCommand } from '../../source/lesson/shell-wrap.js';
import { commandLines } from '../../source/tui/lesson/step-detail.js';
import { probeCommand } from '../../source/probe/command-line.js';
import { run } from '../helpers/cluster.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-paste-'));
test.after.always(() => fs.rmSync(home, { recursive: true, force: true }));

/** Detail-pane widths: 80x24 (52), 120x40 (79), and a narrow pane. */
const WIDTHS = [36, 52, 79];

/** What a learner copies from the screen: the lines as shown, without the `$ ` prompt. */
function pasted(command: string, width: number): string {
  return commandLines([{ tool: 'shell', command }], width)
    .map((line) => line.map((s) => s.text).join(''))
    .join('\n')
    .replace(/^\$ /, '');
}

const STUBS = [
  "for tool in kubectl curl openssl agw-workshop mkdir cd; do eval \"$tool() { printf '%s|' $tool \\\"\\$@\\\"; echo; [ -t 0 ] || [ \\\"\\$1\\\" = apply ] && cat; return 0; }\"; done",
].join('\n');

// `cd` is stubbed, so a command's relative writes (e.g. `> bob.jwt`) land in bash's cwd: keep that a scratch directory, never the repository.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-paste-cwd-'));
test.after.always(() => fs.rmSync(scratch, { recursive: true, force: true }));

function bash(script: string, timeoutMs = 10_000): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['-c', script], { cwd: scratch, encoding: 'utf8', env: { ...process.env, GATEWAY_IP: '127.0.0.99', PATH: process.env.PATH }, timeout: timeoutMs, input: '' });
  if (result.error) throw new Error(`bash could not run: ${result.error.message}`);
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the command with the tools stubbed; prints what each tool was given and GATEWAY_IP after. */
function effect(command: string): string {
  const out = bash(`${STUBS}\n${command}\nprintf 'GATEWAY_IP=%s\\n' "$GATEWAY_IP"`);
  if (out.code !== 0) throw new Error(`bash exited ${out.code}: ${out.stderr}\n${command}`);
  return out.stdout;
}

async function everyShownCommand(): Promise<{ where: string; command: string }[]> {
  const out: { where: string; command: string }[] = [];
  for (const id of await lessonIds()) {
    const lesson = await loadLesson(id);
    for (const step of lesson.steps) {
      for (const { command } of stepCommands(lesson, step, { home })) out.push({ where: `${id}/${step.id}`, command });
      if (step.kind === 'probe') {
        const workDir = path.join(home, 'work', id);
        const request = displayedProbeRequest(step.probe, workDir, (text) => text.replace(/\$\{NAMESPACE\}/g, lesson.namespace).replace(/\$\{WORK_DIR\}/g, workDir));
        out.push({ where: `${id}/${step.id} (playground)`, command: probeCommand(request) });
      }
    }
  }
  return out;
}

/**
 * Runs many scripts in one bash: for each, `bash -n` on its file, then its effect with the tools stubbed
 * (in a subshell, so one cannot disturb the next). One process instead of hundreds keeps the test quick.
 */
function checkAll(scripts: string[]): { syntax: string[]; effects: string[] } {
  const dir = fs.mkdtempSync(path.join(home, 'scripts-'));
  scripts.forEach((text, i) => fs.writeFileSync(path.join(dir, `${i}.sh`), `${text}\n`));
  const driver = `${STUBS}\nfor i in $(seq 0 ${scripts.length - 1}); do f=${JSON.stringify(dir)}/$i.sh; bash -n "$f" 2>"$f.syntax"; (. "$f"; printf 'GATEWAY_IP=%s\\n' "$GATEWAY_IP") >"$f.out" 2>"$f.err" </dev/null; done`;
  const out = bash(driver, 120_000);
  if (out.code !== 0) throw new Error(`driver failed: ${out.stderr}`);
  const read = (i: number, ext: string) => fs.readFileSync(path.join(dir, `${i}.sh.${ext}`), 'utf8');
  // bash names the script and the line of an error; folding moves lines, so only the message itself is compared.
  // Standard error is compared as a set of lines: the stages of a pipeline run at once, so their
  // complaints (a missing file, a function defined in another step) arrive in either order.
  const messages = (text: string) => text.replace(/^\S*\.sh: line \d+: /gm, '');
  const effect = (i: number) => `${messages(read(i, 'out'))}${messages(read(i, 'err')).split('\n').filter(Boolean).sort().map((line) => `stderr: ${line}\n`).join('')}`;
  return { syntax: scripts.map((_, i) => read(i, 'syntax')), effects: scripts.map((_, i) => effect(i)) };
}

test.serial('every shown command of every lesson, pasted at 36, 52 and 79 columns, parses and does exactly what the one-line command does', async (t) => {
  const commands = await everyShownCommand();
  t.true(commands.length > 20, `found ${commands.length} commands`);
  const cases = commands.flatMap(({ where, command }) => [{ where, width: 0, text: command }, ...WIDTHS.map((width) => ({ where, width, text: pasted(command, width) }))]);
  const { syntax, effects } = checkAll(cases.map((c) => c.text));
  let folded = 0;
  cases.forEach(({ where, width, text }, i) => {
    t.is(syntax[i], '', `${where} at ${width}: bash -n:\n${text}`);
    if (width === 0) {
      if (text.includes('GATEWAY_IP') && !text.startsWith('export')) {
        t.regex(effects[i]!, /127\.0\.0\.99/, `${where}: \${GATEWAY_IP} expands`);
        t.notRegex(effects[i]!, /\$\{GATEWAY_IP\}/, `${where}: \${GATEWAY_IP} is not quoted away`);
      }
      return;
    }
    const unfolded = effects[i - WIDTHS.indexOf(width) - 1]!;
    t.is(effects[i], unfolded, `${where} at ${width}:\n${text}`);
    const lines = text.split('\n');
    if (lines.length > 1) folded++;
    // Only a here-document's body may be wider than the pane.
    const heredoc = lines.findIndex((l) => /<<'?EOF'?$/.test(l));
    for (const [n, line] of lines.entries()) if (heredoc < 0 || n <= heredoc) t.true(line.length <= width, `${where} at ${width}: line ${n + 1} is ${line.length} wide: ${line}`);
  });
  t.true(folded > 10, 'long commands were folded');
});

test.serial('a word longer than the pane is split where the shell joins it again, inside single quotes too', (t) => {
  const command = `kubectl get svc -o jsonpath='{.items[*].status.loadBalancer.ingress[0].ip} {.items[*].metadata.name}' --selector=gateway.networking.k8s.io/gateway-name=agentgateway-proxy "a b  c"`;
  const expected = effect(command);
  for (const width of [20, 30, 45]) {
    const lines = foldCommand(command, width);
    t.true(lines.every((l) => l.length <= width), lines.join('\n'));
    t.is(effect(lines.join('\n')), expected, lines.join('\n'));
  }
});

test.serial('the certificate commands of sni-matching, pasted at 52 columns, make the certificates with real openssl', async (t) => {
  const lesson = await loadLesson('sni-matching');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-paste-certs-'));
  t.teardown(() => fs.rmSync(workDir, { recursive: true, force: true }));
  const steps = lesson.steps.filter((s) => s.kind === 'certs');
  t.true(steps.length > 0);
  const script = steps.flatMap((step) => stepCommands(lesson, step, { home, workDir }).map((c) => pasted(c.command, 52))).join('\n');
  t.true(script.includes(' \\\n'), 'the commands were folded');
  const result = await run('bash', ['-e', '-c', script], { timeoutMs: 60_000 });
  t.is(result.code, 0, result.stderr);
  const foo = await run('openssl', ['x509', '-in', path.join(workDir, 'mock-openai-foo.glootest.com.crt'), '-noout', '-subject', '-ext', 'subjectAltName']);
  t.is(foo.code, 0, foo.stderr);
  t.regex(foo.stdout, /mock-openai-foo\.glootest\.com/);
});
