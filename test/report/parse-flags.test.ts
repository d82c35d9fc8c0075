// A mistyped flag gets a message a learner can act on: the flag named, the
// nearest known flag suggested, the usage, exit 2 (as an unknown command) —
// never node:util's raw parser message.
import test from 'ava';
import { nearestFlag, parseFlags, UsageError } from '../../source/report/parse-flags.js';
import { cliPath, run } from '../helpers/cluster.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

test('nearestFlag suggests a flag one or two typos away, and nothing for an unrelated word', (t) => {
  const known = ['step', 'yes', 'json', 'report', 'context', 'kubeconfig', 'namespace', 'help'];
  t.is(nearestFlag('--stepp', known), '--step');
  t.is(nearestFlag('--kubconfig', known), '--kubeconfig');
  t.is(nearestFlag('--jsn', known), '--json');
  t.is(nearestFlag('--frobnicate', known), undefined);
});

test('parseFlags throws a UsageError naming the flag, with the usage', (t) => {
  const config = { args: ['--stepp', '2'], options: { step: { type: 'string' as const } }, allowPositionals: true };
  const error = t.throws(() => parseFlags('agw-workshop run <lesson> [--step N]', config), { instanceOf: UsageError });
  t.is(error!.message, 'unknown option --stepp — did you mean --step?');
  t.is(error!.usage, 'agw-workshop run <lesson> [--step N]');
  const missing = t.throws(() => parseFlags('u', { args: ['--step'], options: { step: { type: 'string' as const } } }), { instanceOf: UsageError });
  t.is(missing!.message, '--step needs a value');
  t.deepEqual(parseFlags('u', { args: ['--step', '3'], options: { step: { type: 'string' as const } } }).values, { step: '3' });
});

for (const [args, pattern] of [
  [['run', 'sni-matching', '--stepp', '2'], /^agw-workshop: unknown option --stepp — did you mean --step\?\nusage: agw-workshop run <lesson>/],
  [['cleanup', 'sni-matching', '--yess'], /^agw-workshop: unknown option --yess — did you mean --yes\?\nusage: agw-workshop cleanup/],
  [['list', '--jsno'], /^agw-workshop: unknown option --jsno — did you mean --json\?\nusage: agw-workshop list/],
  [['--presentr'], /^agw-workshop: unknown option --presentr — did you mean --presenter\?\nusage: agw-workshop \[--presenter\]/],
] as const) {
  test(`agw-workshop ${args.join(' ')}: clear message, did-you-mean, usage, exit 2`, async (t) => {
    if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: npm run build first`);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-flags-'));
    t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
    const result = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, AGW_WORKSHOP_HOME: home }, timeoutMs: 30_000 });
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, pattern);
    t.notRegex(result.stderr, /positional argument|ERR_PARSE_ARGS/);
    t.is(result.stdout, '');
  });
}

test('cluster status exits 3 (not 0) when the cluster is not running, and says how to start it', async (t) => {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: npm run build first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-status-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const env = { ...process.env, AGW_WORKSHOP_HOME: home };
  const plain = await run(process.execPath, [cliPath, 'cluster', 'status'], { env });
  t.is(plain.code, 3, plain.stderr);
  t.regex(plain.stdout, /not running.*agw-workshop cluster up/);
  const json = await run(process.execPath, [cliPath, 'cluster', 'status', '--json'], { env });
  t.is(json.code, 3);
  t.false((JSON.parse(json.stdout) as { running: boolean }).running);
});

test('catch-up says where it left you, with or without a step', async (t) => {
  const { caughtUpLine } = await import('../../source/commands/catch-up.js');
  const lesson = { id: 'sni-matching', steps: [{ title: 'a' }, { title: 'b' }] };
  t.is(caughtUpLine(lesson, 1), 'caught up: sni-matching is ready at step 2 (b)');
  t.regex(caughtUpLine(lesson, undefined), /^caught up: every step of sni-matching has run/);
});

test('a declined confirmation (run answered n) says that nothing was done, not silence', async (t) => {
  const { PassThrough } = await import('node:stream');
  const { confirm } = await import('../../source/commands/command-support.js');
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let said = '';
  output.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const answer = confirm('Run "SNI matching"? Continue?', {}, { input, output });
  input.write('n\n');
  t.false(await answer);
  t.regex(said, /Run "SNI matching"\? Continue\? \[Y\/n\] /);
  t.regex(said, /Nothing done \(answered "n"\); nothing was changed\./);
  t.true(await confirm('Without a terminal?', {}, { input: new PassThrough(), output: new PassThrough() }), 'no TTY: it proceeds');
});
