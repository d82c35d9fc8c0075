// The headless commands that need no cluster: list, doctor, and usage errors,
// run through the built CLI with a fresh home.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, run } from '../helpers/cluster.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-commands-'));
const env: NodeJS.ProcessEnv = { ...process.env, AGW_WORKSHOP_HOME: home };
delete env.KUBECONFIG;
const cli = (args: string[]) => run(process.execPath, [cliPath, ...args], { env, timeoutMs: 30_000 });
test.after.always(() => fs.rmSync(home, { recursive: true, force: true }));

test('list --json: the lessons in order.txt\'s order, not started', async (t) => {
  const result = await cli(['list', '--json']);
  t.is(result.code, 0, result.stderr);
  const lessons = JSON.parse(result.stdout) as { id: string; stepCount: number; progress: { status: string } }[];
  const order = fs.readFileSync(new URL('../../lessons/order.txt', import.meta.url), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  t.deepEqual(lessons.map((l) => [l.id, l.progress.status]), order.map((id) => [id, 'not-started']));
  t.true(lessons.every((l) => l.stepCount > 5));
});

test('doctor --json: Node, loopback addressing, port 443 and the tools, with versions', async (t) => {
  const result = await cli(['doctor', '--json']);
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: { check: string; status: string; detail: string }[] };
  t.is(result.code, report.ok ? 0 : 1);
  const byName = Object.fromEntries(report.checks.map((c) => [c.check, c]));
  t.is(byName.node?.status, 'ok');
  t.regex(byName.node?.detail ?? '', new RegExp(process.versions.node.replace(/\./g, '\\.')));
  for (const name of ['cluster', 'loopback addressing', 'port 443', 'kubectl', 'curl', 'openssl']) t.truthy(byName[name], name);
  t.regex(byName.curl?.detail ?? '', /^curl \d/);
  t.is(byName.cluster?.status, 'warn', 'a fresh home has no cluster yet: a warning, not a failure');
});

test('usage errors: no lesson, unknown lesson, step out of range', async (t) => {
  t.is((await cli(['run'])).code, 2);
  const unknown = await cli(['run', 'nope', '--yes']);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no lesson "nope" \(lessons: setup, sni-matching[,)]/);
  const step = await cli(['catch-up', 'sni-matching:99']);
  t.regex(step.stderr, /sni-matching has steps 1 to 20, not 99/);
  t.is((await cli(['cleanup', '--all', '--yes'])).stdout.trim(), 'nothing to clean up');
});
