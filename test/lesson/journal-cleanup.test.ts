// The runner's journal and cleanup, against an in-memory cluster: what a
// lesson creates is journaled before it exists, cleanup deletes exactly that
// (newest first), restores what the lesson changed, and is safe to repeat
// and after a crash. Probes are not run here (they need a real gateway).
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupLesson, createRunner, loadLesson, type RunnerEvent } from '../../source/lesson/index.js';
import { LessonState } from '../../source/lesson/state.js';
import { parseManifest } from '../../source/lesson/manifests.js';
import { packageRoot } from '../../source/lesson/load.js';
import type { KubeObject } from '../../source/cluster/client.js';
import { FakeCluster } from './fake-cluster.js';

const NS = 'agentgateway-system';

function setupObjects(): KubeObject[] {
  const dir = path.join(packageRoot(), 'manifests', 'lessons', 'setup');
  return ['namespace.yaml', 'default-gateway.yaml', 'mock-openai.yaml', 'backend.yaml', 'route.yaml'].flatMap((f) =>
    parseManifest(fs.readFileSync(path.join(dir, f), 'utf8').replaceAll('${NAMESPACE}', NS), f, NS),
  );
}

/** A cluster as `cluster up` + setup leave it: kube-system (whose uid names the cluster) and a Service with an allocated address. */
function setupCluster(clusterUid = 'cluster-a', clusterIP = '127.7.96.10'): FakeCluster {
  const cluster = new FakeCluster();
  cluster.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: clusterUid } }]);
  cluster.seed(
    setupObjects().map((o) => (o.kind === 'Service' ? { ...o, spec: { ...(o.spec as object), clusterIP, clusterIPs: [clusterIP] } } : o)),
  );
  return cluster;
}

async function fixture() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-journal-'));
  const cluster = setupCluster();
  const lesson = await loadLesson('sni-matching');
  const firstProbe = lesson.steps.findIndex((s) => s.kind === 'probe');
  const options = { lessonId: 'sni-matching', home, clientFactory: () => cluster, skipClusterStart: true, toStep: firstProbe };
  return { home, cluster, lesson, firstProbe, options, workDir: path.join(home, 'work', 'sni-matching') };
}

async function run(options: Parameters<typeof createRunner>[0]) {
  const events: RunnerEvent[] = [];
  const runner = createRunner(options);
  runner.on((e) => events.push(e));
  const status = await runner.run();
  return { status, events };
}

const gatewayRef = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'agentgateway-proxy', namespace: NS };
const route = (name: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name, namespace: NS });
const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', name, namespace: NS });

test('sni-matching up to its probes: objects and files journaled, keys 0600, setup route detached, baz route not accepted', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  const { status, events } = await run(f.options);
  t.is(status, 'ok', JSON.stringify(events.filter((e) => e.type === 'step-end' && e.status !== 'ok')));
  for (const name of ['glootest.com', 'mock-openai-foo.glootest.com', 'mock-openai-bar.glootest.com']) {
    t.is(fs.statSync(path.join(f.workDir, `${name}.key`)).mode & 0o777, 0o600, `${name}.key`);
    t.true(fs.existsSync(path.join(f.workDir, `${name}.crt`)));
  }
  const gateway = await f.cluster.get(gatewayRef);
  t.deepEqual((gateway!.spec as { listeners: { name: string }[] }).listeners.map((l) => l.name), ['foo', 'bar']);
  const state = await LessonState.open('sni-matching', f.home);
  const objects = state.entries.flatMap((e) => (e.type === 'object' ? [`${e.existedBefore ? 'changed' : 'created'} ${e.object.kind}/${e.object.name}`] : []));
  t.deepEqual(objects, [
    'changed Deployment/mock-gpt-4o',
    'changed Service/mock-gpt-4o-svc',
    'changed AgentgatewayBackend/mock-openai',
    'created Secret/foo',
    'created Secret/bar',
    'changed Gateway/agentgateway-proxy',
    'created HTTPRoute/mock-openai-foo-route',
    'created HTTPRoute/mock-openai-bar-route',
    'created HTTPRoute/mock-openai-baz-route',
  ]);
  // Two wait steps show a route's status: the setup lab's route (scoped to a listener this Gateway lacks), then baz's.
  const statusOf = (stepId: string) => {
    const index = f.lesson.steps.findIndex((s) => s.id === stepId);
    const found = events.find((e) => e.type === 'output' && e.index === index && e.text.startsWith('status:'));
    return found?.type === 'output' ? found.text : '';
  };
  t.regex(statusOf('setup-route-detached'), /NoMatchingParent/);
  t.regex(statusOf('baz-not-accepted'), /NoMatchingListenerHostname/);
  const commands = events.flatMap((e) => (e.type === 'command' ? [e.command] : []));
  t.true(commands.some((c) => c.includes('create -n agentgateway-system secret tls foo --key=')));
});

test('running again is idempotent: certificates reused, objects unchanged, journal unchanged', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  const crt = fs.readFileSync(path.join(f.workDir, 'mock-openai-foo.glootest.com.crt'), 'utf8');
  const journal = (await LessonState.open('sni-matching', f.home)).entries.length;
  const { status, events } = await run({ ...f.options, fromStep: 0 });
  t.is(status, 'ok');
  t.is(fs.readFileSync(path.join(f.workDir, 'mock-openai-foo.glootest.com.crt'), 'utf8'), crt);
  t.is((await LessonState.open('sni-matching', f.home)).entries.length, journal);
  const outputs = events.flatMap((e) => (e.type === 'output' ? [e.text] : []));
  t.true(outputs.some((o) => o.includes('(reused: still valid)')));
  t.true(outputs.some((o) => o.includes('secret/foo -n agentgateway-system unchanged')));
  t.true(outputs.some((o) => o === 'httproute/mock-openai-foo-route -n agentgateway-system unchanged'));
});

test('cleanup deletes what the lesson created, restores the default Gateway, keeps setup objects, and is safe twice', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  const events: RunnerEvent[] = [];
  t.is(await cleanupLesson('sni-matching', (e) => events.push(e), { home: f.home, clientFactory: () => f.cluster, skipClusterStart: true }), 'ok');
  for (const name of ['mock-openai-foo-route', 'mock-openai-bar-route', 'mock-openai-baz-route']) t.is(await f.cluster.get(route(name)), undefined, name);
  t.is(await f.cluster.get(secret('foo')), undefined);
  t.is(await f.cluster.get(secret('bar')), undefined);
  const gateway = await f.cluster.get(gatewayRef);
  t.deepEqual((gateway!.spec as { listeners: unknown[] }).listeners, [{ name: 'http', port: 8080, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }]);
  t.truthy(await f.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'mock-gpt-4o', namespace: NS }));
  t.truthy(await f.cluster.get({ apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayBackend', name: 'mock-openai', namespace: NS }));
  t.false(fs.existsSync(f.workDir));
  // newest first: the routes go before the secrets and the Gateway
  const titles = events.flatMap((e) => (e.type === 'step-start' ? [e.title] : []));
  t.true(titles.indexOf('delete httproute/mock-openai-baz-route -n agentgateway-system') < titles.indexOf('delete secret/foo -n agentgateway-system'));
  t.is((await LessonState.open('sni-matching', f.home)).entries.length, 0);
  t.is((await LessonState.open('sni-matching', f.home)).status, 'not-started');

  const callsBefore = f.cluster.calls.length;
  t.is(await cleanupLesson('sni-matching', () => {}, { home: f.home, clientFactory: () => f.cluster, skipClusterStart: true }), 'ok');
  t.deepEqual(f.cluster.calls.slice(callsBefore), ['replace Gateway/agentgateway-proxy'], 'a second cleanup only re-applies the default Gateway');
});

test('a crash mid-step leaves a journal that cleanup replays', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  const routesStep = f.lesson.steps.findIndex((s) => s.id === 'routes');
  t.is((await run({ ...f.options, toStep: routesStep })).status, 'ok');
  // The second route's apply "crashes": its journal entry was written before the call.
  f.cluster.failOnMutation = f.cluster.mutationCount + 2;
  const crashed = await run({ ...f.options, toStep: routesStep + 1 });
  t.is(crashed.status, 'failed');
  const failed = crashed.events.find((e) => e.type === 'step-end' && e.status === 'failed');
  t.regex(failed?.type === 'step-end' ? failed.error ?? '' : '', /simulated crash during apply HTTPRoute\/mock-openai-bar-route/);
  f.cluster.failOnMutation = undefined;
  const journaled = (await LessonState.open('sni-matching', f.home)).entries.flatMap((e) => (e.type === 'object' ? [e.object.name] : []));
  t.true(journaled.includes('mock-openai-bar-route'), 'the route being applied at the crash is journaled');
  t.truthy(await f.cluster.get(route('mock-openai-foo-route')));
  t.is(await cleanupLesson('sni-matching', () => {}, { home: f.home, clientFactory: () => f.cluster, skipClusterStart: true }), 'ok');
  t.is(await f.cluster.get(route('mock-openai-foo-route')), undefined);
  t.is(await f.cluster.get(secret('foo')), undefined);
});

test('an aborted run ends interrupted, saves progress, and resumes at the unfinished step', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  const controller = new AbortController();
  const runner = createRunner({ ...f.options, signal: controller.signal });
  const events: RunnerEvent[] = [];
  runner.on((e) => {
    events.push(e);
    if (e.type === 'step-start' && e.stepId === 'secrets') controller.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
  });
  t.is(await runner.run(), 'interrupted');
  const end = events.at(-1)!;
  t.is(end.type, 'lesson-end');
  t.is(end.type === 'lesson-end' ? end.status : '', 'interrupted');
  const stopped = events.find((e) => e.type === 'step-end' && e.index === f.lesson.steps.findIndex((s) => s.id === 'secrets'));
  t.is(stopped?.type === 'step-end' ? stopped.status : '', 'interrupted', 'the stopped step is paused, not failed');
  const state = await LessonState.open('sni-matching', f.home);
  t.is(state.status, 'interrupted');
  t.false(state.completedSteps.includes('gateway'));

  const resumed = await run({ ...f.options });
  const start = resumed.events.find((e) => e.type === 'lesson-start');
  const secretsIndex = f.lesson.steps.findIndex((s) => s.id === 'secrets');
  t.is(start?.type === 'lesson-start' ? start.fromStep : -1, secretsIndex);
  t.is(resumed.status, 'ok');
});

test('the events iterator sees every event and ends with lesson-end', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  const runner = createRunner({ ...f.options, toStep: 3 });
  const seen: string[] = [];
  const consume = (async () => {
    for await (const e of runner.events) seen.push(e.type);
  })();
  t.is(await runner.run(), 'ok');
  await consume;
  t.is(seen[0], 'lesson-start');
  t.is(seen.at(-1), 'lesson-end');
  t.is(seen.filter((s) => s === 'step-end').length, 3);
});

test('a work directory outside the home keeps the learner\'s own files at cleanup', async (t) => {
  const f = await fixture();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-own-dir-'));
  t.teardown(() => (fs.rmSync(f.home, { recursive: true, force: true }), fs.rmSync(outside, { recursive: true, force: true })));
  const certsStep = f.lesson.steps.findIndex((s) => s.kind === 'certs');
  t.is((await run({ ...f.options, workDir: outside, fromStep: certsStep, toStep: certsStep + 1 })).status, 'ok');
  fs.writeFileSync(path.join(outside, 'notes.txt'), 'mine');
  t.is(await cleanupLesson('sni-matching', () => {}, { home: f.home, workDir: outside, clientFactory: () => f.cluster, skipClusterStart: true }), 'ok');
  t.deepEqual(fs.readdirSync(outside), ['notes.txt']);
});

test('journal and progress are 0600 and the home 0700, also when an older version left them open', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  fs.chmodSync(f.home, 0o755); // as `run --kubeconfig` used to leave a new home
  const secretsStep = f.lesson.steps.findIndex((s) => s.id === 'secrets');
  t.is((await run({ ...f.options, toStep: secretsStep + 1 })).status, 'ok');
  const dir = path.join(f.home, 'lessons', 'sni-matching');
  const journalText = fs.readFileSync(path.join(dir, 'journal.json'), 'utf8');
  t.regex(journalText, /"existedBefore"/, 'the journal holds saved objects');
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  t.is(mode(f.home), 0o700);
  t.is(mode(path.join(f.home, 'lessons')), 0o700);
  t.is(mode(dir), 0o700);
  t.is(mode(path.join(dir, 'journal.json')), 0o600);
  t.is(mode(path.join(dir, 'progress.json')), 0o600);
  // A journal an older version wrote 0644 is narrowed as soon as it is opened.
  fs.chmodSync(path.join(dir, 'journal.json'), 0o644);
  await LessonState.open('sni-matching', f.home);
  t.is(mode(path.join(dir, 'journal.json')), 0o600);
});

test('cleanup deletes only paths inside the lesson\'s work directory, whatever the journal says', async (t) => {
  const f = await fixture();
  const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-victim-'));
  t.teardown(() => (fs.rmSync(f.home, { recursive: true, force: true }), fs.rmSync(victim, { recursive: true, force: true })));
  const certsStep = f.lesson.steps.findIndex((s) => s.kind === 'certs');
  t.is((await run({ ...f.options, fromStep: certsStep, toStep: certsStep + 1 })).status, 'ok');
  fs.writeFileSync(path.join(victim, 'precious.txt'), 'keep me');
  fs.mkdirSync(path.join(victim, 'sub'));
  fs.writeFileSync(path.join(f.home, 'sibling.txt'), 'not the lesson\'s');
  // A link inside the work directory that points out must not lead the deletion out either.
  fs.symlinkSync(victim, path.join(f.workDir, 'link'));
  const journalFile = path.join(f.home, 'lessons', 'sni-matching', 'journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8'));
  let seq = 1000;
  const planted = [
    { type: 'file', path: path.join(victim, 'precious.txt') },
    { type: 'dir', path: path.join(victim, 'sub') },
    { type: 'dir', path: victim },
    { type: 'file', path: path.join(f.workDir, '..', '..', 'sibling.txt') },
    { type: 'file', path: path.join(f.workDir, 'link', 'precious.txt') },
  ];
  for (const entry of planted) journal.entries.push({ seq: seq++, at: new Date().toISOString(), stepId: 'planted', ...entry });
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  const said: string[] = [];
  t.is(await cleanupLesson('sni-matching', (e) => void (e.type === 'output' && said.push(e.text)), { home: f.home, clientFactory: () => f.cluster, skipClusterStart: true }), 'ok');
  t.deepEqual(fs.readdirSync(victim).sort(), ['precious.txt', 'sub']);
  t.true(fs.existsSync(path.join(f.home, 'sibling.txt')));
  t.is(said.filter((text) => text.includes('kept (outside the lesson\'s work directory')).length, planted.length);
  t.false(fs.existsSync(f.workDir), 'the lesson\'s own work directory is gone');
});

test('resume re-checks the effect of the steps it skips: a step recorded done whose object was lost runs again', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  const routesStep = f.lesson.steps.findIndex((s) => s.id === 'routes');
  t.is((await run({ ...f.options, toStep: routesStep })).status, 'ok');
  const creator = (await LessonState.open('sni-matching', f.home)).entries.find((e) => e.type === 'object' && e.object.kind === 'Secret' && e.object.name === 'foo');
  t.truthy(creator, 'the Secret foo is journaled by the step that created it');
  t.is(await f.cluster.delete(secret('foo')), 'deleted'); // lost, as to a kill -9 of an unsynced store
  const resumed = await run({ ...f.options });
  const start = resumed.events.find((e) => e.type === 'lesson-start');
  t.is(start?.type === 'lesson-start' ? start.fromStep : -1, f.lesson.steps.findIndex((s) => s.id === creator!.stepId));
  t.is(resumed.status, 'ok');
  t.truthy(await f.cluster.get(secret('foo')), 'the lost Secret is back');
});

test('a saved copy holds nothing the server assigned: no clusterIP(s), nodePort, uid, resourceVersion or status', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  const entry = (await LessonState.open('sni-matching', f.home)).entries.find((e) => e.type === 'object' && e.object.kind === 'Service');
  const saved = entry?.type === 'object' ? entry.saved : undefined;
  t.truthy(saved, 'the setup Service the lesson changes is saved');
  const spec = saved!.spec as Record<string, unknown>;
  t.false('clusterIP' in spec || 'clusterIPs' in spec, JSON.stringify(spec));
  t.true((spec.ports as Record<string, unknown>[]).every((p) => !('nodePort' in p)));
  t.deepEqual(Object.keys(saved!.metadata as object).sort(), ['labels', 'name', 'namespace'].filter((k) => k in (saved!.metadata as object)).sort());
  t.false('status' in saved!);
});

test('after the cluster is reset, cleanup does not write the old cluster\'s objects, and the lesson starts over', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  t.is((await LessonState.open('sni-matching', f.home)).cluster?.uid, 'cluster-a');
  // `cluster reset` + setup: a new cluster (new kube-system uid), the Service at another address.
  const fresh = setupCluster('cluster-b', '127.7.96.77');
  const events: RunnerEvent[] = [];
  t.is(await cleanupLesson('sni-matching', (e) => events.push(e), { home: f.home, clientFactory: () => fresh, skipClusterStart: true }), 'ok', JSON.stringify(events.filter((e) => e.type === 'step-end' && e.status !== 'ok')));
  t.false(fresh.calls.some((c) => c.startsWith('replace Service') || c.startsWith('replace Deployment')), fresh.calls.join(', '));
  t.true(events.some((e) => e.type === 'progress' && /about another cluster .*cluster-a.* now cluster-b/.test(e.message)));
  t.is(((await fresh.get({ apiVersion: 'v1', kind: 'Service', name: 'mock-gpt-4o-svc', namespace: NS }))?.spec as { clusterIP?: string } | undefined)?.clusterIP, '127.7.96.77');
  const state = await LessonState.open('sni-matching', f.home);
  t.is(state.status, 'not-started');
  t.is(state.cluster?.uid, 'cluster-b');
  t.false(fs.existsSync(f.workDir), 'files in the work dir are still journaled and removed');
});

test('a prerequisite completed on another cluster runs again', async (t) => {
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  const setupState = await LessonState.open('setup', f.home);
  await setupState.bindCluster({ uid: 'cluster-a', server: 'https://fake.invalid', embedded: true });
  await setupState.setStatus('completed');
  const fresh = setupCluster('cluster-b');
  const { events } = await run({ ...f.options, clientFactory: () => fresh, runPrerequisites: true, toStep: 1 });
  const starts = events.flatMap((e) => (e.type === 'lesson-start' ? [`${e.lessonId}@${e.fromStep}`] : []));
  t.deepEqual(starts[0], 'setup@0', 'setup was completed on the old cluster: it runs again');
});

test('cluster reset forgets the progress and journaled objects of lessons on the embedded cluster, not on a real one', async (t) => {
  const { forgetEmbeddedClusterState } = await import('../../source/lesson/state.js');
  const { listLessons } = await import('../../source/lesson/list.js');
  const f = await fixture();
  t.teardown(() => fs.rmSync(f.home, { recursive: true, force: true }));
  t.is((await run(f.options)).status, 'ok');
  const embedded = await LessonState.open('sni-matching', f.home);
  await embedded.bindCluster({ uid: 'cluster-a', server: 'https://127.0.0.1:6443', embedded: true });
  const real = await LessonState.open('setup', f.home);
  await real.bindCluster({ uid: 'kind-uid', server: 'https://127.0.0.1:40000', embedded: false });
  await real.stepFinished('intro', true);
  t.deepEqual(await forgetEmbeddedClusterState(f.home), ['sni-matching']);
  const after = await LessonState.open('sni-matching', f.home);
  t.is(after.status, 'not-started');
  t.false(after.entries.some((e) => e.type === 'object'));
  t.true(after.entries.some((e) => e.type === 'file'), 'files still exist and stay journaled');
  const listed = await listLessons({ home: f.home });
  t.deepEqual(listed.find((l) => l.id === 'sni-matching')?.progress, { completedSteps: 0, status: 'not-started' });
  t.is((await LessonState.open('setup', f.home)).completedSteps.length, 1);
});

test('a corrupt progress.json is named in the error, with how to start over', async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-corrupt-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const dir = path.join(home, 'lessons', 'setup');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'progress.json'), '{"lessonId":"setup"}');
  const error = await t.throwsAsync(LessonState.open('setup', home));
  t.true(error!.message.includes(path.join(dir, 'progress.json')), error!.message);
  fs.writeFileSync(path.join(dir, 'progress.json'), '{"lessonId":');
  t.regex((await t.throwsAsync(LessonState.open('setup', home)))!.message, /progress\.json: .*start this lesson's progress over/);
});
