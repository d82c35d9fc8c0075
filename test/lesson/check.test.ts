// Check by effect, per step kind, without a cluster: a FakeCluster holds the
// objects, certificate files are real files in a temp dir, and the gateway's
// access log is given as text (lines as the data plane formats them).
import test from 'ava';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatAccessLog, type AccessLogEntry } from '../../gateway/dataplane/access-log.js';
import { checkSteps, createCheckEnvironment, parseAccessLines } from '../../source/lesson/check/index.js';
import { judgePrediction } from '../../source/lesson/check/prediction.js';
import { observationOf } from '../../source/lesson/check/gateway-log.js';
import { parseLesson } from '../../source/lesson/parse.js';
import { issueCertificate, writeCertificateFiles, type IssuedCertificate } from '../../source/pki/index.js';
import type { Lesson, Step } from '../../source/lesson/types.js';
import { FakeCluster } from './fake-cluster.js';

const NS = 'lab';
const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com', usage: 'ca' });
const foo = issueCertificate({ subject: '/CN=foo.test/O=Org', subjectAltNames: ['foo.test'], issuer: ca, usage: 'server' });
const bar = issueCertificate({ subject: '/CN=bar.test/O=Org', subjectAltNames: ['bar.test'], issuer: ca, usage: 'server' });
const noSan = issueCertificate({ subject: '/CN=foo.test/O=Org', issuer: ca, usage: 'server' });

function base(id: string, kind: Step['kind']) {
  return { id, kind, title: id, text: '', source: `test:${id}` };
}

const CERTS: Step = {
  ...base('certs', 'certs'),
  kind: 'certs',
  certificates: [
    { name: 'ca', subject: '/O=Solo.io/CN=glootest.com', subjectAltNames: [], usage: 'ca', validityDays: 365, keyType: 'rsa2048' },
    { name: 'foo', subject: '/CN=foo.test/O=Org', subjectAltNames: ['foo.test'], usage: 'server', signer: 'ca', validityDays: 365, keyType: 'rsa2048' },
  ],
};
const ROUTE_YAML = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: \${NAMESPACE}\nspec:\n  hostnames: ["foo.test"]\n  parentRefs: [{ name: gw }]\n`;
const GATEWAY = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'agentgateway-proxy', namespace: NS },
  spec: { gatewayClassName: 'c', listeners: [{ name: 'foo', port: 443, protocol: 'HTTPS', hostname: 'foo.test', tls: { certificateRefs: [{ name: 'foo' }] } }] },
};

function lesson(steps: Step[]): Lesson {
  return { id: 'unit', title: 'unit', summary: '', prerequisites: [], namespace: NS, intro: '', steps, cleanup: [], corrections: [], dir: '/nonexistent' };
}

function tlsSecret(name: string, issued: IssuedCertificate, key = issued.keyPem, type = 'kubernetes.io/tls') {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, type, data: { 'tls.crt': Buffer.from(issued.certPem).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') } };
}

function logLine(entry: Partial<AccessLogEntry>): string {
  return formatAccessLog({ time: new Date().toISOString(), port: 443, flags: [], ...entry });
}

async function checks(steps: Step[], cluster: FakeCluster, options: { log?: string; dirs?: string[] } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-check-work-'));
  const env = await createCheckEnvironment(
    { lessonId: 'unit', clientFactory: () => cluster, readLogs: async () => [{ pod: 'proxy-1', text: options.log ?? '' }], workDir: work, certificateDirs: options.dirs ?? [] },
    lesson(steps),
  );
  return checkSteps(env);
}

test('explain has nothing to check; cluster holds when the API answers', async (t) => {
  const [explain, cluster] = await checks([{ ...base('e', 'explain'), kind: 'explain' }, { ...base('c', 'cluster'), kind: 'cluster' }], new FakeCluster());
  t.is(explain!.status, 'nothing');
  t.true(explain!.holds);
  t.is(cluster!.status, 'ok');
  t.regex(cluster!.message, /Kubernetes v1\.32\.0-fake/);
});

test('apply: a missing object is named; a different field is named with both values; as written holds', async (t) => {
  const apply: Step = { ...base('routes', 'apply'), kind: 'apply', manifest: 'manifests/lessons/unit/r.yaml', yaml: ROUTE_YAML };
  const cluster = new FakeCluster();
  t.is((await checks([apply], cluster))[0]!.message, 'HTTPRoute lab/r not found');
  cluster.seed([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: NS }, spec: { hostnames: ['bar.test'], parentRefs: [{ name: 'gw', group: 'gateway.networking.k8s.io' }] } }]);
  const mismatch = (await checks([apply], cluster))[0]!;
  t.is(mismatch.status, 'mismatch');
  t.is(mismatch.message, 'HTTPRoute lab/r exists, but its spec.hostnames[0] is "bar.test"; the lesson wants "foo.test"');
  cluster.seed([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: NS }, spec: { hostnames: ['foo.test'], parentRefs: [{ name: 'gw', group: 'gateway.networking.k8s.io' }] } }]);
  t.is((await checks([apply], cluster))[0]!.status, 'ok', 'server defaults (group) do not count against it');
});

test('delete holds when the object is gone; an apply the delete undoes is superseded, not failed', async (t) => {
  const apply: Step = { ...base('routes', 'apply'), kind: 'apply', manifest: 'manifests/lessons/unit/r.yaml', yaml: ROUTE_YAML };
  const del: Step = { ...base('remove', 'delete'), kind: 'delete', objects: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'r' }] };
  const cluster = new FakeCluster();
  const [a, d] = await checks([apply, del], cluster);
  t.is(a!.status, 'superseded');
  t.is(d!.status, 'ok');
  cluster.seed([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: NS }, spec: { hostnames: ['foo.test'], parentRefs: [{ name: 'gw' }] } }]);
  const [, still] = await checks([apply, del], cluster);
  t.is(still!.message, 'HTTPRoute lab/r still exists; this step deletes it');
});

test('wait: the condition now, with what is seen instead', async (t) => {
  const wait: Step = { ...base('accepted', 'wait'), kind: 'wait', object: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'r' }, condition: { type: 'Accepted', status: 'True' }, timeoutSeconds: 5, showStatus: false };
  const cluster = new FakeCluster();
  const route = (status: string, reason: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: NS, generation: 1 }, spec: {}, status: { parents: [{ conditions: [{ type: 'Accepted', status, reason, observedGeneration: 1 }] }] } });
  t.is((await checks([wait], cluster))[0]!.message, 'HTTPRoute lab/r not found');
  cluster.objects.set('gateway.networking.k8s.io/v1|HTTPRoute|lab|r', route('False', 'NoMatchingListenerHostname'));
  t.is((await checks([wait], cluster))[0]!.message, 'HTTPRoute lab/r: Accepted=False (NoMatchingListenerHostname); the lesson waits for Accepted=True');
  cluster.objects.set('gateway.networking.k8s.io/v1|HTTPRoute|lab|r', route('True', 'Accepted'));
  t.is((await checks([wait], cluster))[0]!.status, 'ok');
});

test('secret: wrong certificate, swapped key, wrong type and the right one', async (t) => {
  const secret: Step = { ...base('secrets', 'secret'), kind: 'secret', secrets: [{ name: 'foo', certificate: 'foo' }], configMaps: [] };
  const steps = [CERTS, secret];
  const cluster = new FakeCluster();
  const judge = async () => (await checks(steps, cluster))[1]!;
  t.is((await judge()).message, 'Secret lab/foo not found');
  cluster.seed([tlsSecret('foo', bar)]);
  t.is((await judge()).message, 'the Secret `foo` exists but its certificate is for CN=bar.test; O=Org; the lesson wants /CN=foo.test/O=Org (the foo files)');
  cluster.seed([tlsSecret('foo', foo, bar.keyPem)]);
  t.regex((await judge()).message, /holds the right certificate, but tls\.key is the key of another certificate/);
  cluster.seed([tlsSecret('foo', noSan)]);
  t.regex((await judge()).message, /has no subjectAltName/);
  cluster.seed([tlsSecret('foo', foo, foo.keyPem, 'Opaque')]);
  t.regex((await judge()).message, /has type Opaque, not kubernetes\.io\/tls/);
  cluster.seed([tlsSecret('foo', foo)]);
  const ok = await judge();
  t.is(ok.status, 'ok');
  t.regex(ok.message, /issued by O=Solo\.io; CN=glootest\.com, key matches/);
});

test('certs: files found wherever they were written (two levels down), with SANs, signer signature and key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-check-certs-'));
  const nested = path.join(dir, 'example_certs');
  const judge = async () => (await checks([CERTS], new FakeCluster(), { dirs: [dir] }))[0]!;
  t.regex((await judge()).message, /no certificate with subject \/O=Solo\.io\/CN=glootest\.com in /);
  await writeCertificateFiles(nested, 'ca', ca);
  await writeCertificateFiles(nested, 'foo', noSan);
  t.regex((await judge()).message, /foo\.crt has subject CN=foo\.test; O=Org, but it has no subjectAltName/);
  // Same names, another CA key: the signature no longer verifies.
  const otherCa = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com', usage: 'ca' });
  await writeCertificateFiles(nested, 'foo', issueCertificate({ subject: '/CN=foo.test/O=Org', subjectAltNames: ['foo.test'], issuer: otherCa, usage: 'server' }));
  t.regex((await judge()).message, /its signature does not verify with/);
  await writeCertificateFiles(nested, 'foo', foo);
  fs.rmSync(path.join(nested, 'foo.key'));
  t.regex((await judge()).message, /no private key for it was found/);
  await writeCertificateFiles(nested, 'foo', foo);
  const ok = await judge();
  t.is(ok.status, 'ok', ok.message);
  fs.rmSync(dir, { recursive: true, force: true });
});

const PROBE_FOO: Step = {
  ...base('probe-foo', 'probe'),
  kind: 'probe',
  probe: { url: 'https://foo.test:443/', resolve: ['foo.test:443:${GATEWAY_IP}'] },
  expect: { outcome: 'established', status: 200, httpVersion: '2', alpn: 'h2', certificate: { subject: '/CN=foo.test/O=Org', issuer: '/O=Solo.io/CN=glootest.com' }, bodyContains: 'x' },
};
const PROBE_FOO_HOST_BAR: Step = {
  ...base('probe-foo-host-bar', 'probe'),
  kind: 'probe',
  probe: { url: 'https://foo.test:443/', resolve: ['foo.test:443:${GATEWAY_IP}'], headers: [['Host', 'bar.test']] },
  expect: { outcome: 'established', status: 421 },
};
const PROBE_BAZ: Step = {
  ...base('probe-baz', 'probe'),
  kind: 'probe',
  probe: { url: 'https://baz.test/' },
  expect: { outcome: ['closed-after-client-hello', 'reset-after-client-hello'], curlExitCode: 35 },
};

test('probe: judged from the access log: no request yet, a request that differs, the one that matches', async (t) => {
  const cluster = new FakeCluster();
  cluster.seed([GATEWAY, tlsSecret('foo', foo)]);
  const judge = async (log: string) => (await checks([CERTS, PROBE_FOO, PROBE_BAZ], cluster, { log })).slice(1);
  const [none, noneBaz] = await judge('');
  t.is(none!.message, 'the gateway has not seen a request with SNI foo.test on port 443 yet (run the curl command shown)');
  t.is(noneBaz!.status, 'missing');
  // A step whose Host differs from its SNI: a request for foo.test with its own Host is not that step's, and the message names the Host it waits for.
  const [, , hostOther] = await checks([CERTS, PROBE_FOO, PROBE_BAZ, PROBE_FOO_HOST_BAR], cluster, { log: logLine({ sni: 'foo.test', listener: 'foo', proto: 'HTTP/2', method: 'POST', host: 'foo.test', path: '/', status: 200 }) }).then((all) => all.slice(1));
  t.is(hostOther!.status, 'missing');
  t.is(hostOther!.message, 'the gateway has not seen a request with SNI foo.test and Host bar.test on port 443 yet (run the curl command shown)');
  const http11 = logLine({ sni: 'foo.test', listener: 'foo', proto: 'HTTP/1.1', method: 'POST', host: 'foo.test', path: '/', status: 200 });
  const [differs] = await judge(http11);
  t.is(differs!.status, 'mismatch');
  t.regex(differs!.message, /^We saw your request: SNI foo\.test, port 443, listener foo: POST foo\.test\/ over HTTP\/1\.1 → 200; but HTTP version: expected 2, the gateway saw 1\.1$/);
  const h2 = logLine({ sni: 'foo.test', listener: 'foo', proto: 'HTTP/2', method: 'POST', host: 'foo.test', path: '/', status: 200 });
  const baz = logLine({ sni: 'baz.test', flags: ['NS'], message: 'no listener for SNI baz.test' });
  const other = logLine({ sni: 'bar.test', flags: ['NS'], message: 'no listener for SNI bar.test' });
  const [fooOk, bazOk] = await judge(['proxy starting', http11, other, h2, baz].join('\n'));
  t.is(fooOk!.status, 'ok', fooOk!.message);
  t.regex(fooOk!.message, /bodyContains: not visible to the gateway/);
  t.is(bazOk!.status, 'ok');
  t.is(bazOk!.message, 'We saw your request: SNI baz.test, port 443: closed before ServerHello (no listener for SNI baz.test)');
  // The listener's certificate is another one now: the certificate field no longer matches.
  cluster.seed([tlsSecret('foo', bar)]);
  const [wrongCert] = await judge(h2);
  t.regex(wrongCert!.message, /certificate subject: expected \/CN=foo\.test\/O=Org, the gateway saw CN=bar\.test; O=Org/);
});

test('probe: outcomes that never reach the gateway are reported as not observable, never as passed', async (t) => {
  const refused: Step = { ...base('refused', 'probe'), kind: 'probe', probe: { url: 'https://foo.test:9/' }, expect: { outcome: 'refused' } };
  const [result] = await checks([refused], new FakeCluster(), { log: logLine({ port: 9, sni: 'foo.test', flags: ['NS'] }) });
  t.is(result!.status, 'unobservable');
  t.false(result!.holds);
});

test('a handshake the client aborted after the certificate (curl exit 60) reads as verification-failed', (t) => {
  const [line] = parseAccessLines(logLine({ sni: 'foo.test', listener: 'foo', message: 'TLS handshake failed', error: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: tlsv1 alert unknown ca' }), 'p');
  const o = observationOf(line!);
  t.deepEqual(o.outcomes, ['verification-failed']);
  t.is(o.curlExitCode, 60);
});

test('predictions are judged against the observation, not a fixed key', (t) => {
  const prediction = {
    question: 'What will curl see for baz?',
    choices: [
      { text: '404', observed: { status: 404 } },
      { text: 'closed (35)', observed: { outcome: ['closed-after-client-hello', 'reset-after-client-hello'] as const, curlExitCode: 35 } },
    ],
  };
  const [closed] = parseAccessLines(logLine({ sni: 'baz.test', flags: ['NS'], message: 'no listener for SNI baz.test' }), 'p');
  const verdict = judgePrediction(prediction as never, 0, { from: 'gateway', observation: observationOf(closed!) });
  t.deepEqual(verdict.matching, [1]);
  t.false(verdict.right);
  t.regex(verdict.observed, /closed before ServerHello/);
  const [notFound] = parseAccessLines(logLine({ sni: 'baz.test', listener: 'l', proto: 'HTTP/2', status: 404, flags: ['NR'] }), 'p');
  t.true(judgePrediction(prediction as never, 0, { from: 'gateway', observation: observationOf(notFound!) }).right);
});

test('lesson.yaml: hints and predict are validated with file, line and field', (t) => {
  const lessonText = (extra: string) => `id: unit\ntitle: t\nsummary: s\nsteps:\n  - id: p\n    kind: probe\n    title: p\n    probe: { url: "https://a.test/" }\n    expect: { outcome: established, status: 200 }\n${extra}`;
  const parse = (extra: string) => parseLesson(lessonText(extra), { root: '/nonexistent', file: 'lessons/unit/lesson.yaml' });
  t.deepEqual(parse('    hints: [one, two]\n').steps[0]!.hints, ['one', 'two']);
  t.throws(() => parse('    hints: []\n'), { message: /lesson\.yaml:\d+: steps\[0\]\.hints: lists no hint/ });
  t.throws(() => parse('    predict: { question: q, choices: [{ text: a, observed: { status: 404 } }] }\n'), { message: /steps\[0\]\.predict\.choices: needs at least two choices/ });
  t.throws(() => parse('    predict: { question: q, choices: [{ text: a, observed: { status: 404 } }, { text: b, observed: { outcome: refused } }] }\n'), { message: /no choice agrees with the step's expect/ });
  t.throws(() => parse('    predict: { question: q, choices: [{ text: a, observed: { stauts: 404 } }, { text: b, observed: { status: 200 } }] }\n'), { message: /stauts/ });
  const ok = parse('    predict: { question: q, choices: [{ text: a, observed: { status: 404 } }, { text: b, observed: { status: 200 } }] }\n');
  t.is(ok.steps[0]!.kind === 'probe' ? ok.steps[0]!.predict?.choices.length : 0, 2);
});

test('access-log reading never throws on arbitrary bytes, and reads back what the data plane writes', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      const lines = parseAccessLines(text, 'p');
      return lines.every((l) => Number.isFinite(l.time));
    }),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: 100, max: 599 }), (sni, status) => {
      const [line] = parseAccessLines(logLine({ sni, status, proto: 'HTTP/2' }), 'p');
      return line !== undefined && line.fields.sni === sni && observationOf(line).status === status;
    }),
  );
  t.pass();
});
