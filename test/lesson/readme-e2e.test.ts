// The README's second-terminal section runs as written from a clone (issue
// 15.5): after `run sni-matching`, its block is pasted into bash in the
// repository (aliases on, as in an interactive terminal), against a real
// embedded cluster, with the real kubectl and curl. The curl shows success
// (200 and a completion), the probe of baz shows the close after the ClientHello.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster, run, requireTool, repoRoot, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  await requireTool('curl');
  await requireTool('kubectl');
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

/** The README's shell block that starts the second terminal's commands. */
function secondTerminalBlock(): string {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes('export KUBECONFIG="$(agw-workshop cluster kubeconfig)"'));
  if (!block) throw new Error('the README has no second-terminal block with export KUBECONFIG');
  return block;
}

test.serial('the README second-terminal commands work from a clone: kubectl sees the lesson, curl gets 200 and a completion, the probe explains baz', async (t) => {
  const lesson = await cluster.cli(['run', 'sni-matching', '--yes']);
  t.is(lesson.code, 0, lesson.stdout.slice(-3000) + lesson.stderr);
  const block = secondTerminalBlock();
  t.regex(block, /^alias agw-workshop=|npm link/m, 'the block says how to reach agw-workshop from a clone');
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agw-readme-')), 'second-terminal.sh');
  t.teardown(() => fs.rmSync(path.dirname(script), { recursive: true, force: true }));
  // An interactive terminal expands aliases; a script must ask for it. Nothing else is added.
  fs.writeFileSync(script, `shopt -s expand_aliases\n${block}`);
  const env: NodeJS.ProcessEnv = { ...process.env, AGW_WORKSHOP_HOME: cluster.home };
  delete env.KUBECONFIG;
  const result = await run('bash', [script], { cwd: repoRoot, env, timeoutMs: 120_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  t.notRegex(output, /command not found|No such file or directory/, output);
  t.regex(result.stdout, /gateway\.networking\.k8s\.io\/agentgateway-proxy/, 'kubectl get lists the Gateway');
  t.regex(result.stderr, /< HTTP\/2 200/, 'curl -v shows 200');
  t.regex(result.stdout, /mock-gpt-4o/, 'and the completion');
  t.regex(output, /ClientHello/, 'the probe of baz says where the handshake stopped');
  t.is(result.code, 35, 'the last command is the baz probe, which exits as curl does (35)');
});

test.serial('a run that finds the embedded cluster stopped says it starts it (cluster-start starting, then ready), before any probe attempt', async (t) => {
  t.is((await cluster.cli(['cluster', 'down'])).code, 0);
  const result = await cluster.cli(['run', 'sni-matching', '--step', 'probe-foo', '--json']);
  const events = result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; phase?: string });
  t.is(result.code, 0, result.stdout.slice(-3000) + result.stderr);
  const starting = events.findIndex((e) => e.type === 'cluster-start' && e.phase === 'starting');
  const ready = events.findIndex((e) => e.type === 'cluster-start' && e.phase === 'ready');
  const firstProbe = events.findIndex((e) => e.type === 'probe-result');
  t.true(starting >= 0 && ready > starting, JSON.stringify(events.map((e) => e.type)));
  t.true(firstProbe > ready);
});
