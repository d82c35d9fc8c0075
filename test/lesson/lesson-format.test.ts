// Lessons are data: the shipped lessons load, and a malformed lesson is
// rejected with an error naming its file, line and field.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listLessons, loadLesson, LessonError, stepCommands } from '../../source/lesson/index.js';
import { parseLesson } from '../../source/lesson/parse.js';

const GOOD = `id: demo
title: Demo
summary: A small lesson.
namespace: demo-ns
steps:
  - id: intro
    kind: explain
    title: Hello
    text: Some *markdown*.
  - id: certs
    kind: certs
    title: Certificates
    certificates:
      - name: ca
        subject: /O=Demo/CN=demo-ca
      - name: leaf
        subject: /CN=leaf.demo.test
        subjectAltNames: [leaf.demo.test]
        signer: ca
  - id: gateway
    kind: apply
    title: Apply
    manifest: gateway.yaml
  - id: probe
    kind: probe
    title: Probe
    probe:
      url: https://leaf.demo.test/
      resolve: ["leaf.demo.test:443:\${GATEWAY_IP}"]
      cacert: ca
    expect:
      outcome: established
      status: 200
`;

function tempRoot(lessonYaml: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-lesson-format-'));
  fs.mkdirSync(path.join(root, 'lessons', 'demo'), { recursive: true });
  fs.mkdirSync(path.join(root, 'manifests', 'lessons', 'demo'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  fs.writeFileSync(path.join(root, 'lessons', 'demo', 'lesson.yaml'), lessonYaml);
  fs.writeFileSync(path.join(root, 'manifests', 'lessons', 'demo', 'gateway.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
  return root;
}

function parse(text: string) {
  const root = tempRoot(text);
  try {
    return parseLesson(text, { root, file: 'lessons/demo/lesson.yaml' });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('the shipped lessons load and validate', async (t) => {
  const lessons = await listLessons({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'agw-home-')) });
  // The list is lessons/order.txt, in its order.
  const order = fs.readFileSync(new URL('../../lessons/order.txt', import.meta.url), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  t.deepEqual(lessons.map((l) => l.id), order);
  t.deepEqual(order.slice(0, 2), ['setup', 'sni-matching']);
  const sni = await loadLesson('sni-matching');
  t.deepEqual(sni.prerequisites, ['setup']);
  const kinds = new Set(sni.steps.map((s) => s.kind));
  for (const kind of ['explain', 'cluster', 'certs', 'secret', 'apply', 'wait', 'probe'] as const) t.true(kinds.has(kind), kind);
  t.is(sni.cleanup[0]?.kind, 'restore');
  const baz = sni.steps.find((s) => s.id === 'probe-baz');
  t.is(baz?.kind === 'probe' ? baz.explanation : undefined, 'sni-no-listener');
  // The listener hostname must match the Host too: another listener's name gets 421, no listener's 404.
  const byHost = sni.steps.filter((s) => s.kind === 'probe' && s.probe.headers?.some(([name]) => name.toLowerCase() === 'host'));
  t.deepEqual(byHost.map((s) => (s.kind === 'probe' ? [s.probe.url, s.probe.headers?.find(([n]) => n.toLowerCase() === 'host')?.[1], s.expect.status, s.explanation] : [])), [
    ['https://mock-openai-foo.glootest.com:443/', 'mock-openai-bar.glootest.com', 421, 'misdirected-request-421'],
    ['https://mock-openai-foo.glootest.com:443/', 'mock-openai-baz.glootest.com', 404, 'no-route-404'],
  ]);
  // The setup lab's catch-all route is scoped to its listener, so this lab's routes serve its requests.
  const setupRoute = fs.readFileSync(new URL('../../manifests/lessons/setup/route.yaml', import.meta.url), 'utf8');
  t.regex(setupRoute, /sectionName: http\n/);
  const detached = sni.steps.find((s) => s.id === 'setup-route-detached');
  t.deepEqual(detached?.kind === 'wait' ? [detached.object.name, detached.condition] : [], ['mock-openai', { type: 'Accepted', status: 'False', reason: 'NoMatchingParent' }]);
});

test('forward-proxy-sessions: restart steps, CA-bundle ConfigMaps and runtime-dependent expectations load', async (t) => {
  const lesson = await loadLesson('forward-proxy-sessions');
  const restarts = lesson.steps.filter((s) => s.kind === 'restart');
  t.is(restarts.length, 5);
  t.true(restarts.every((s) => s.kind === 'restart' && s.selector === 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy'));
  const secrets = lesson.steps.find((s) => s.kind === 'secret');
  t.deepEqual(secrets?.kind === 'secret' ? secrets.configMaps.map((x) => x.name) : [], ['api-ca', 'console-ca']);
  const failing = lesson.steps.filter((s) => s.kind === 'probe' && s.whereSessionsBoundToNames);
  t.deepEqual(failing.map((s) => s.id), ['shared-console-fails', 'shared-api-fails']);
  for (const step of failing) {
    if (step.kind !== 'probe') continue;
    t.is(step.expect.status, 503);
    t.is(step.whereSessionsBoundToNames?.expect.status, 200);
  }
});

test('every step of the shipped lessons shows equivalent commands where it acts', async (t) => {
  for (const id of fs.readFileSync(new URL('../../lessons/order.txt', import.meta.url), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) {
    const lesson = await loadLesson(id);
    for (const step of lesson.steps) {
      const commands = stepCommands(lesson, step, { home: '/tmp/agw-home' });
      if (step.kind === 'explain') continue;
      t.true(commands.length > 0, `${id}/${step.id} has no equivalent command`);
    }
  }
  const sni = await loadLesson('sni-matching');
  const certs = stepCommands(sni, sni.steps.find((s) => s.kind === 'certs')!, { home: '/tmp/agw-home' }).map((c) => c.command);
  t.true(certs.some((c) => c.includes(`-subj '/O=Solo.io/CN=glootest.com'`)));
  t.true(certs.some((c) => c.includes('-set_serial 0') && c.includes('-copy_extensions copy')));
  t.true(certs.some((c) => c.includes('subjectAltName=DNS:mock-openai-foo.glootest.com')));
  // bar is the lab text's certificate as written: the hostname only in the CN, to show curl's CN fallback.
  const barCommands = certs.filter((c) => c.includes('mock-openai-bar.glootest.com'));
  t.true(barCommands.length > 0);
  t.false(barCommands.some((c) => c.includes('subjectAltName') || c.includes('-copy_extensions')), barCommands.join('\n'));
  const probe = stepCommands(sni, sni.steps.find((s) => s.id === 'probe-foo')!, { home: '/tmp/agw-home' }).map((c) => c.command);
  t.true(probe.some((c) => c.startsWith('curl -v --resolve "mock-openai-foo.glootest.com:443:${GATEWAY_IP}" --cacert /tmp/agw-home/work/sni-matching/glootest.com.crt')));
});

test('mutual-tls: the lab text\'s listener is an apply the API server must refuse; the CA goes in a ConfigMap; every mode is probed three ways', async (t) => {
  const lesson = await loadLesson('mutual-tls');
  t.deepEqual(lesson.prerequisites, ['setup']);
  const refused = lesson.steps.find((s) => s.id === 'lab-text-gateway');
  t.is(refused?.kind === 'apply' ? refused.rejectedWith : undefined, 'tls mode must be Terminate for protocol HTTPS');
  const secrets = lesson.steps.find((s) => s.kind === 'secret');
  t.deepEqual(secrets?.kind === 'secret' ? [secrets.secrets.map((s) => s.name), secrets.configMaps.map((c) => c.name)] : [], [['gateway-tls', 'mtls-backend-tls'], ['mtls-client-ca']]);
  const commands = (id: string) => stepCommands(lesson, lesson.steps.find((s) => s.id === id)!, { home: '/tmp/agw-home' }).map((c) => c.command);
  t.true(commands('secrets').some((c) => c.endsWith('create -n agentgateway-system configmap mtls-client-ca --from-file=ca.crt=/tmp/agw-home/work/mutual-tls/ca.crt')));
  const certs = commands('certs');
  // The lab text's `openssl req -new -key client.key` corrected: the key is made with the request, the name given without prompts.
  t.true(certs.some((c) => c.startsWith('openssl req -out client.csr -newkey rsa:2048 -nodes -keyout client.key') && c.includes('-subj "/CN=learner/O=workshop"') && c.includes('extendedKeyUsage=clientAuth')));
  t.true(certs.some((c) => c.includes('-CA rogue-ca.crt -CAkey rogue-ca.key') && c.includes('-out rogue-client.crt')));
  const expected: Record<string, [string, string | undefined]> = {};
  for (const step of lesson.steps) {
    if (step.kind !== 'probe') continue;
    const outcome = step.expect.outcome;
    expected[step.id] = [Array.isArray(outcome) ? outcome.join('|') : String(outcome), step.explanation];
  }
  t.deepEqual(expected, {
    'passthrough-with-cert': ['established', undefined],
    'passthrough-without-cert': ['client-certificate-required', 'mtls-certificate-required-after-handshake'],
    'passthrough-rogue-cert': ['client-certificate-rejected', 'mtls-unknown-ca'],
    'terminate-with-cert': ['established', undefined],
    'terminate-without-cert': ['client-certificate-required', 'mtls-certificate-required-after-handshake'],
    'terminate-rogue-cert': ['client-certificate-rejected', 'mtls-unknown-ca'],
    'fallback-without-cert': ['established', undefined],
    'fallback-rogue-cert': ['established', undefined],
  });
  t.true(commands('terminate-rogue-cert').some((c) => c.startsWith('curl -v --resolve "secure.example.com:8443:${GATEWAY_IP}" --cacert /tmp/agw-home/work/mutual-tls/ca.crt --cert /tmp/agw-home/work/mutual-tls/rogue-client.crt --key /tmp/agw-home/work/mutual-tls/rogue-client.key')));
  t.deepEqual(lesson.cleanup.map((s) => s.kind), ['restore']);
});

test('rejectedWith belongs to apply steps; a secret form is tls or ca-configmap', (t) => {
  const certs = `  - id: certs
    kind: certs
    title: c
    text: t
    certificates:
      - {name: ca, subject: /CN=ca, usage: ca}
`;
  const lessonWith = (step: string) => `id: demo\ntitle: Demo\nsummary: s\nnamespace: ns\nintro: i\nsteps:\n${certs}${step}cleanup: []\n`;
  t.throws(() => parse(lessonWith(`  - id: w\n    kind: delete\n    title: w\n    text: t\n    objects: [{apiVersion: v1, kind: ConfigMap, name: x}]\n    rejectedWith: nope\n`)), { message: /rejectedWith/ });
  t.throws(() => parse(lessonWith(`  - id: s\n    kind: secret\n    title: s\n    text: t\n    configMaps: [{name: x, certificate: ca, form: pkcs12}]\n`)), { message: /form/ });
  const ok = parse(lessonWith(`  - id: s\n    kind: secret\n    title: s\n    text: t\n    configMaps: [{name: x, certificate: ca}]\n`));
  const step = ok.steps[1];
  t.is(step?.kind === 'secret' ? step.configMaps[0]?.certificate : undefined, 'ca');
});

test('a valid lesson parses with its defaults', (t) => {
  const lesson = parse(GOOD);
  t.is(lesson.namespace, 'demo-ns');
  t.is(lesson.steps.length, 4);
  const certs = lesson.steps[1]!;
  t.is(certs.kind, 'certs');
  if (certs.kind === 'certs') {
    t.is(certs.certificates[0]!.usage, 'ca');
    t.is(certs.certificates[1]!.usage, 'server');
    t.is(certs.certificates[1]!.validityDays, 365);
  }
  t.is(lesson.steps[2]!.source, 'lessons/demo/lesson.yaml:20');
});

const MALFORMED: [string, (text: string) => string, RegExp][] = [
  ['unknown outcome', (s) => s.replace('outcome: established', 'outcome: sucess'), /^lessons\/demo\/lesson\.yaml:32: steps\[3\]\.expect\.outcome: unknown outcome "sucess"/],
  ['unknown step kind', (s) => s.replace('kind: apply', 'kind: aply'), /^lessons\/demo\/lesson\.yaml:21: steps\[2\]\.kind: unknown step kind "aply"/],
  ['missing title', (s) => s.replace('    title: Hello\n', ''), /^lessons\/demo\/lesson\.yaml:\d+: steps\[0\]\.title: is required/],
  ['typo in a field name', (s) => s.replace('    expect:', '    expcet:'), /^lessons\/demo\/lesson\.yaml:31: steps\[3\]\.expcet: unknown field/],
  ['unknown signer', (s) => s.replace('signer: ca', 'signer: nope'), /^lessons\/demo\/lesson\.yaml:19: steps\[1\]\.certificates\[1\]\.signer: unknown signer "nope"/],
  ['missing manifest file', (s) => s.replace('manifest: gateway.yaml', 'manifest: missing.yaml'), /^lessons\/demo\/lesson\.yaml:23: steps\[2\]\.manifest: manifest "manifests\/lessons\/demo\/missing\.yaml" not found/],
  ['unknown CA name in a probe', (s) => s.replace('cacert: ca', 'cacert: other'), /^lessons\/demo\/lesson\.yaml:\d+: steps\[3\]\.probe\.cacert: unknown certificate "other"/],
  ['status out of range', (s) => s.replace('status: 200', 'status: 2000'), /steps\[3\]\.expect\.status: must be at most 599/],
  ['id not matching the folder', (s) => s.replace('id: demo', 'id: other'), /^lessons\/demo\/lesson\.yaml:1: id: "other" must match its folder name "demo"/],
  ['broken YAML', (s) => s.replace('title: Demo', 'title: [Demo'), /^lessons\/demo\/lesson\.yaml:\d+: invalid YAML/],
  ['duplicate step id', (s) => s.replace('id: gateway', 'id: intro'), /steps\[2\]\.id: duplicate step id "intro"/],
];

for (const [name, mutate, expected] of MALFORMED) {
  test(`malformed lesson: ${name} → error naming file, line and field`, (t) => {
    const error = t.throws(() => parse(mutate(GOOD)), { instanceOf: LessonError });
    t.regex(error!.message, expected);
  });
}

test('loadLesson of an unknown id lists the lessons there are', async (t) => {
  await t.throwsAsync(() => loadLesson('nope'), { message: /no lesson "nope" \(lessons: setup, sni-matching[,)]/ });
});

test('a malformed manifest is reported with its own file and line at load', (t) => {
  const root = tempRoot(GOOD);
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.writeFileSync(path.join(root, 'manifests', 'lessons', 'demo', 'gateway.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nmetadata:\n  name: y\n');
  const error = t.throws(() => parseLesson(GOOD, { root, file: 'lessons/demo/lesson.yaml' }), { instanceOf: LessonError });
  t.is(error!.message, 'manifests/lessons/demo/gateway.yaml:6: kind: is required in every object of a manifest');
  fs.writeFileSync(path.join(root, 'manifests', 'lessons', 'demo', 'gateway.yaml'), 'apiVersion: v1\nkind: [ConfigMap\n');
  t.regex(t.throws(() => parseLesson(GOOD, { root, file: 'lessons/demo/lesson.yaml' }))!.message, /^manifests\/lessons\/demo\/gateway\.yaml:\d+: invalid YAML/);
});
