// The two first labs end to end, with the real CLI against one embedded
// cluster (own AGW_WORKSHOP_HOME): run, observe on the wire, clean up twice,
// replay, and survive a kill -9. Real kubectl and curl check what the runner
// says. Tests run in order (serial) because they share the cluster.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startTestCluster, run, requireTool, cliPath, type TestCluster } from '../helpers/cluster.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { runFailures as failures, runnerEvents as events } from '../helpers/runner-events.js';
import { renderCurlVerbose } from '../../source/probe/render-curl.js';

type ProbeEvent = Extract<RunnerEvent, { type: 'probe-result' }>;
const NS = 'agentgateway-system';
let cluster: TestCluster;

test.before(async () => {
  await requireTool('curl');
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

function probes(list: RunnerEvent[], lessonId: string): ProbeEvent[] {
  return list.filter((e): e is ProbeEvent => e.type === 'probe-result' && e.lessonId === lessonId);
}

/** The last probe result of each step, by step id. */
function probesByStep(list: RunnerEvent[], lessonId: string): Map<string, ProbeEvent> {
  const ids = new Map<number, string>();
  for (const e of list) if (e.type === 'step-start' && e.lessonId === lessonId) ids.set(e.index, e.stepId);
  return new Map(probes(list, lessonId).map((p) => [ids.get(p.index) ?? String(p.index), p]));
}

async function kubectlGet(args: string[]): Promise<string> {
  const r = await cluster.kubectl(['get', '-n', NS, ...args]);
  return r.code === 0 ? r.stdout.trim() : `(error ${r.code}: ${r.stderr.trim()})`;
}

/**
 * A listener change rolls the proxy Deployment to a new pod after the lesson's
 * probes already passed on the old one (which hot-reloads); single probes
 * without the runner's settling wait for that rollout to finish first.
 */
async function proxyRolledOut(t: { is(a: unknown, b: unknown, m?: string): void }): Promise<void> {
  const r = await cluster.kubectl(['rollout', 'status', 'deployment/agentgateway-proxy', '-n', NS, '--timeout=60s']);
  t.is(r.code, 0, `proxy rollout: ${r.stdout}${r.stderr}`);
}

const workDir = () => path.join(cluster.home, 'work', 'sni-matching');

test.serial('run setup --json: the first chat completion through the gateway is observed', async (t) => {
  const result = await cluster.cli(['run', 'setup', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  const [completion] = probes(list, 'setup');
  t.truthy(completion);
  t.is(completion!.result.outcome, 'established');
  t.is(completion!.result.http?.status, 200);
  t.regex(completion!.result.http?.body ?? '', /mock-gpt-4o/);
  t.true(completion!.verdicts.every((v) => v.ok));
  const end = list.at(-1);
  t.is(end?.type, 'lesson-end');
  t.is(end?.type === 'lesson-end' ? end.status : undefined, 'ok');
});

test.serial('run sni-matching --json: foo and bar answer with their certificates over h2, baz is closed after the ClientHello', async (t) => {
  const report = path.join(cluster.home, 'sni-report.md');
  const result = await cluster.cli(['run', 'sni-matching', '--json', '--report', report]);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  const byStep = probesByStep(list, 'sni-matching');
  const [foo, bar, baz] = ['probe-foo', 'probe-bar', 'probe-baz'].map((id) => byStep.get(id));
  for (const [probe, name, org] of [
    [foo, 'foo', 'mock-openai organization'],
    [bar, 'bar', 'solo.io'],
  ] as const) {
    t.is(probe!.result.outcome, 'established', name);
    t.is(probe!.result.tls?.peerChain[0]?.subject, `CN=mock-openai-${name}.glootest.com; O=${org}`);
    t.is(probe!.result.tls?.peerChain[0]?.issuer, 'O=Solo.io; CN=glootest.com');
    t.true(probe!.result.tls?.verification.trusted, `${name}: verified with --cacert, no -k`);
    t.is(probe!.result.tls?.alpn, 'h2');
    t.is(probe!.result.http?.version, '2');
    t.is(probe!.result.http?.status, 200);
  }
  t.true(['closed-after-client-hello', 'reset-after-client-hello'].includes(baz!.result.outcome), baz!.result.outcome);
  t.is(baz!.result.curlExitCode, 35);
  t.is(baz!.result.clientHello?.sni, 'mock-openai-baz.glootest.com');
  t.false(baz!.result.records.some((r) => r.direction === 'in' && r.what === 'ServerHello'), 'no ServerHello came back');
  t.is(baz!.result.tls?.peerChain.length ?? 0, 0, 'no certificate was sent');
  t.is(baz!.explanation?.id, 'sni-no-listener');
  // The name check curl would print: foo's name found in its SAN, bar's (the lab text's CN-only certificate) in its CN.
  const fooTrace = renderCurlVerbose(foo!.result);
  const barTrace = renderCurlVerbose(bar!.result);
  t.regex(fooTrace, /^\*  subjectAltName: host "mock-openai-foo\.glootest\.com" matched cert's "mock-openai-foo\.glootest\.com"$/m, fooTrace);
  t.regex(barTrace, /^\*  common name: mock-openai-bar\.glootest\.com \(matched\)$/m, barTrace);
  t.notRegex(barTrace, /subjectAltName/);
  t.deepEqual(bar!.result.tls?.peerChain[0]?.subjectAltNames, []);
  // The listener's hostname must match the Host too: the other listener's name 421, no listener's 404.
  const other = byStep.get('probe-host-other-listener');
  const none = byStep.get('probe-host-no-listener');
  t.is(other?.result.tls?.peerChain[0]?.subject, 'CN=mock-openai-foo.glootest.com; O=mock-openai organization');
  t.is(other?.result.http?.status, 421);
  t.is(other?.explanation?.id, 'misdirected-request-421');
  t.is(none?.result.http?.status, 404);
  t.is(none?.explanation?.id, 'no-route-404');
  // This lab's routes serve its requests: the setup lab's catch-all is scoped to its own listener (sectionName: http).
  t.regex(await kubectlGet(['httproute', 'mock-openai', '-o', 'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].reason}']), /NoMatchingParent/);
  const log = (await cluster.kubectlOk(['logs', '-n', NS, 'deploy/agentgateway-proxy'])).split('\n');
  const served = log.filter((l) => / sni=mock-openai-foo\.glootest\.com .*host=mock-openai-foo\.glootest\.com .*status=200 /.test(l));
  t.true(served.length > 0, log.slice(-20).join('\n'));
  t.true(served.every((l) => l.includes(' route=agentgateway-system/mock-openai-foo-route/')), served.join('\n'));
  t.true(log.some((l) => / host=mock-openai-bar\.glootest\.com .*status=421 flags=MR/.test(l) && l.includes('sni=mock-openai-foo.glootest.com')), log.slice(-20).join('\n'));
  t.true(log.some((l) => / host=mock-openai-baz\.glootest\.com .*status=404 flags=NR/.test(l) && l.includes('sni=mock-openai-foo.glootest.com')), log.slice(-20).join('\n'));
  const md = fs.readFileSync(report, 'utf8');
  t.regex(md, /# SNI matching/);
  t.regex(md, /\| outcome \| closed-after-client-hello or reset-after-client-hello \|/);
  t.regex(await kubectlGet(['httproute', 'mock-openai-baz-route', '-o', 'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].reason}']), /NoMatchingListenerHostname/);
});

test.serial('the curl commands the lesson shows give the same results typed by hand', async (t) => {
  const curls = events((await cluster.cli(['run', 'sni-matching', '--json', '--step', 'probe-foo'])).stdout).filter(
    (e): e is Extract<RunnerEvent, { type: 'command' }> => e.type === 'command' && e.tool === 'curl',
  );
  t.is(curls.length, 5);
  await proxyRolledOut(t);
  const answers = [];
  const errors: string[] = [];
  for (const c of curls) {
    const r = await run('bash', ['-c', `${c.command} -sS -o /dev/null -w '%{http_code}'`], { timeoutMs: 30_000 });
    answers.push(`${r.code} ${r.stdout.trim()}`);
    errors.push(r.stderr.trim());
  }
  t.deepEqual(answers, ['0 200', '0 200', '35 000', '0 421', '0 404'], `real curl: foo and bar verified with --cacert, baz fails with exit 35, Host bar on foo's connection 421, Host baz 404\n${errors.join('\n')}`);
  // Real curl with OpenSSL falls back to the CN for bar's certificate (no SAN), and says so.
  const verbose = await run('bash', ['-c', `${curls[1]!.command} -sS -o /dev/null`], { timeoutMs: 30_000 });
  t.is(verbose.code, 0, verbose.stderr);
  t.regex(verbose.stderr, /^\*  common name: mock-openai-bar\.glootest\.com \(matched\)$/m);
});

test.serial('playground: the baz probe with SNI foo completes the handshake with the foo certificate', async (t) => {
  const { runProbeStep } = await import('../../source/lesson/index.js');
  await proxyRolledOut(t);
  const report = await runProbeStep({ lessonId: 'sni-matching', step: 'probe-baz', home: cluster.home, kubeconfig: cluster.kubeconfig, edits: { sni: 'mock-openai-foo.glootest.com' } });
  t.is(report.result.clientHello?.sni, 'mock-openai-foo.glootest.com');
  t.is(report.result.outcome, 'established');
  t.is(report.result.tls?.peerChain[0]?.subject, 'CN=mock-openai-foo.glootest.com; O=mock-openai organization');
  // The Host (baz, from the URL) must match the listener too, as the presenter note says: no listener has it.
  t.is(report.result.http?.status, 404);
  t.false(report.ok, 'the step expected a closed connection');
  t.false(report.verdicts.find((v) => v.field === 'outcome')!.ok);
  t.regex(report.curl, /--resolve .*mock-openai-foo\.glootest\.com:443:/);
});

test.serial('Ctrl-C during run stops cleanly: state saved, lesson-end interrupted, exit 130', async (t) => {
  const env: NodeJS.ProcessEnv = { ...process.env, AGW_WORKSHOP_HOME: cluster.home };
  delete env.KUBECONFIG;
  const child = spawn(process.execPath, [cliPath, 'run', 'sni-matching', '--json', '--step', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  let sent = false; // once: a second Ctrl-C means "quit now"
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    if (!sent && events(buffer).some((e) => e.type === 'step-start' && e.stepId === 'certs')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.is(code, 130);
  const last = events(buffer).at(-1);
  t.is(last?.type === 'lesson-end' ? last.status : last?.type, 'interrupted');
  const progress = JSON.parse(fs.readFileSync(path.join(cluster.home, 'lessons', 'sni-matching', 'progress.json'), 'utf8')) as { status: string };
  t.is(progress.status, 'interrupted');
});

test.serial('cleanup sni-matching twice: routes, secrets and certificate files gone, default Gateway back', async (t) => {
  for (let i = 0; i < 2; i++) {
    const result = await cluster.cli(['cleanup', 'sni-matching', '--yes', '--json']);
    t.is(result.code, 0, `cleanup #${i + 1}: ${failures(events(result.stdout))}\n${result.stderr}`);
  }
  t.is(await kubectlGet(['httproute', '-o', 'name']), 'httproute.gateway.networking.k8s.io/mock-openai', 'only the setup route is left');
  t.regex(await kubectlGet(['secret', 'foo']), /NotFound|not found/);
  t.regex(await kubectlGet(['secret', 'bar']), /NotFound|not found/);
  t.false(fs.existsSync(workDir()), 'certificate files removed');
  t.is(await kubectlGet(['gateway', 'agentgateway-proxy', '-o', 'jsonpath={.spec.listeners[*].name}:{.spec.listeners[*].port}']), 'http:8080');
  t.regex(await kubectlGet(['deployment', 'mock-gpt-4o', '-o', 'name']), /mock-gpt-4o/, 'the setup lab keeps its mock server');
});

test.serial('replay sni-matching works after cleanup', async (t) => {
  const result = await cluster.cli(['replay', 'sni-matching', '--yes', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  t.is(probes(list, 'sni-matching').filter((p) => p.ok).length, 5);
});

test.serial('catch-up sni-matching:probe-foo runs every step before the probes, then run continues there', async (t) => {
  t.is((await cluster.cli(['cleanup', 'sni-matching', '--yes'])).code, 0);
  const caught = await cluster.cli(['catch-up', 'sni-matching:probe-foo', '--json']);
  const list = events(caught.stdout);
  t.is(caught.code, 0, `${failures(list)}\n${caught.stderr}`);
  t.is(probes(list, 'sni-matching').length, 0, 'no probe ran');
  const { loadLesson } = await import('../../source/lesson/index.js');
  const stepIds = (await loadLesson('sni-matching')).steps.map((s) => s.id);
  const firstProbe = stepIds.indexOf('probe-foo');
  t.true(list.some((e) => e.type === 'step-end' && e.lessonId === 'sni-matching' && e.index === stepIds.indexOf('baz-not-accepted') && e.status === 'ok'), 'the baz status step ran');
  const listed = JSON.parse((await cluster.cli(['list', '--json'])).stdout) as { id: string; progress: { completedSteps: number } }[];
  t.is(listed.find((l) => l.id === 'sni-matching')?.progress.completedSteps, firstProbe);
  const rest = await cluster.cli(['run', 'sni-matching', '--json']);
  const start = events(rest.stdout).find((e) => e.type === 'lesson-start');
  t.is(start?.type === 'lesson-start' ? start.fromStep : -1, firstProbe, 'run continues at the first probe');
  t.is(rest.code, 0);
});

test.serial('kill -9 during run: run resumes where it stopped, and cleanup works', async (t) => {
  t.is((await cluster.cli(['cleanup', 'sni-matching', '--yes'])).code, 0);
  const env: NodeJS.ProcessEnv = { ...process.env, AGW_WORKSHOP_HOME: cluster.home };
  delete env.KUBECONFIG;
  const child = spawn(process.execPath, [cliPath, 'run', 'sni-matching', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killedAt = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('the run never reached the gateway step'))), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const started = events(buffer).find((e) => e.type === 'step-start' && e.stepId === 'gateway');
      if (started) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve('gateway');
      }
    });
    child.on('exit', () => clearTimeout(timer));
  });
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  t.is(child.signalCode, 'SIGKILL');
  const journal = JSON.parse(fs.readFileSync(path.join(cluster.home, 'lessons', 'sni-matching', 'journal.json'), 'utf8')) as { entries: { type: string; object?: { name: string } }[] };
  t.true(journal.entries.some((e) => e.object?.name === 'foo'), 'the Secret made before the kill is journaled');

  const resumed = await cluster.cli(['run', 'sni-matching', '--json']);
  const list = events(resumed.stdout);
  t.is(resumed.code, 0, `${failures(list)}\n${resumed.stderr}`);
  const start = list.find((e) => e.type === 'lesson-start' && e.lessonId === 'sni-matching');
  t.true(start?.type === 'lesson-start' && start.fromStep > 0, `resumed at step ${start?.type === 'lesson-start' ? start.fromStep + 1 : '?'} after the kill at ${killedAt}`);

  const cleaned = await cluster.cli(['cleanup', 'sni-matching', '--yes', '--json']);
  t.is(cleaned.code, 0, cleaned.stderr);
  t.regex(await kubectlGet(['secret', 'foo']), /NotFound|not found/);
  t.is(await kubectlGet(['gateway', 'agentgateway-proxy', '-o', 'jsonpath={.spec.listeners[*].port}']), '8080');
});

