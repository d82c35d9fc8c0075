// JSON patch (RFC 6902), JSON merge patch (RFC 7386), server-side apply and
// the media-type rules of PATCH, through applyPatch as the API server calls it.
import test from 'ava';
import { applyPatch, jsonMergePatch } from '../../../source/cluster/embedded/patch/index.js';
import { builtinResources, findResource } from '../../../source/cluster/embedded/resources/catalog.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const gateways = findResource(builtinResources, 'gateway.networking.k8s.io', 'v1', 'gateways')!;
const deployments = findResource(builtinResources, 'apps', 'v1', 'deployments')!;
const backends = findResource(builtinResources, 'agentgateway.dev', 'v1alpha1', 'agentgatewaybackends')!;

function gateway(): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'agentgateway-proxy', namespace: 'agentgateway-system', labels: { 'a/b': 'c' } },
    spec: {
      gatewayClassName: 'enterprise-agentgateway',
      listeners: [
        { name: 'foo', port: 443, protocol: 'HTTPS', hostname: 'mock-openai-foo.glootest.com' },
        { name: 'bar', port: 443, protocol: 'HTTPS', hostname: 'mock-openai-bar.glootest.com' },
      ],
    },
  };
}

const listeners = (o: KubeObject) => (o.spec as any).listeners as any[];

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

test('json patch: add, remove, replace, move, copy and test apply in order', (t) => {
  const ops = [
    { op: 'test', path: '/spec/listeners/0/name', value: 'foo' },
    { op: 'add', path: '/spec/listeners/-', value: { name: 'http', port: 8080, protocol: 'HTTP' } },
    { op: 'replace', path: '/spec/listeners/1/port', value: 8443 },
    { op: 'remove', path: '/spec/listeners/0' },
    { op: 'copy', from: '/spec/gatewayClassName', path: '/metadata/annotations' },
    { op: 'move', from: '/metadata/annotations', path: '/spec/description' },
    { op: 'add', path: '/metadata/labels/x~1y', value: 'z' },
  ];
  const result = applyPatch(gateway(), JSON.stringify(ops), JSON_PATCH, gateways);
  t.deepEqual(listeners(result).map((l) => `${l.name}:${l.port}`), ['bar:8443', 'http:8080']);
  t.is((result.spec as any).description, 'enterprise-agentgateway');
  t.is(result.metadata.annotations, undefined);
  t.deepEqual(result.metadata.labels, { 'a/b': 'c', 'x/y': 'z' });
});

test('json patch: a copy bomb (22 doubling copies, under 2 KB) is 413 within the 3 MiB bound, fast, not gigabytes', (t) => {
  const ops: unknown[] = [{ op: 'add', path: '/metadata/annotations', value: { a: 'x'.repeat(64) } }, { op: 'add', path: '/spec/b', value: [] }];
  ops.push({ op: 'add', path: '/spec/b/-', value: 'y'.repeat(64) });
  for (let i = 0; i < 22; i++) ops.push({ op: 'copy', from: '/spec/b', path: '/spec/b/-' });
  const body = JSON.stringify(ops);
  t.true(body.length < 2048, `patch of ${body.length} bytes`);
  const started = performance.now();
  const error = t.throws(() => applyPatch(gateway(), body, JSON_PATCH, gateways)) as Error & { status?: number; code?: number };
  const ms = performance.now() - started;
  t.is(error.status ?? error.code, 413);
  t.regex(error.message, /accumulated size increase of copy is \d+, exceeding the limit 3145728/);
  t.true(ms < 2000, `answered in ${ms.toFixed(0)} ms`);
});

test('json patch: a failed test op aborts the whole patch with 422 and leaves the object alone', (t) => {
  const original = gateway();
  const ops = [
    { op: 'replace', path: '/spec/gatewayClassName', value: 'other' },
    { op: 'test', path: '/spec/listeners/0/port', value: 80 },
  ];
  t.is(codeOf(() => applyPatch(original, ops, JSON_PATCH, gateways)), 422);
  t.is((original.spec as any).gatewayClassName, 'enterprise-agentgateway');
});

test('json patch: missing paths and bad indexes are 422, malformed operations 400', (t) => {
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'remove', path: '/spec/nothing' }], JSON_PATCH, gateways)), 422);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'replace', path: '/spec/listeners/7', value: {} }], JSON_PATCH, gateways)), 422);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'add', path: 'spec', value: 1 }], JSON_PATCH, gateways)), 422);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'frobnicate', path: '/spec' }], JSON_PATCH, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'add', path: '/spec/x' }], JSON_PATCH, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), { op: 'add' }, JSON_PATCH, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), '[{"op":', JSON_PATCH, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'replace', path: '/kind', value: 'HTTPRoute' }], JSON_PATCH, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), [{ op: 'remove', path: '/metadata' }], JSON_PATCH, gateways)), 422);
});

test('merge patch follows the examples of RFC 7386 appendix A', (t) => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, expected] of cases) t.deepEqual(jsonMergePatch(target, patch), expected, JSON.stringify({ target, patch }));
});

test('merge patch on a custom kind replaces lists (no merge keys) and deletes nulls', (t) => {
  const result = applyPatch(gateway(), { spec: { listeners: [{ name: 'only', port: 80, protocol: 'HTTP' }] }, metadata: { labels: null } }, MERGE, gateways);
  t.deepEqual(listeners(result), [{ name: 'only', port: 80, protocol: 'HTTP' }]);
  t.is(result.metadata.labels, undefined);
});

test('strategic merge patch on a custom kind is 415 naming the accepted types', (t) => {
  const error = t.throws(() => applyPatch(gateway(), '{}', 'application/strategic-merge-patch+json', gateways));
  t.is((error as any).code, 415);
  t.regex(error!.message, /application\/merge-patch\+json/);
  t.is(codeOf(() => applyPatch(gateway(), '{}', 'text/plain', gateways)), 415);
});

test('media types are matched without parameters and case-insensitively', (t) => {
  const result = applyPatch(gateway(), '{"spec":{"gatewayClassName":"x"}}', 'Application/Merge-Patch+JSON; charset=utf-8', gateways);
  t.is((result.spec as any).gatewayClassName, 'x');
});

test('server-side apply on a built-in kind merges lists by key (a container kept, its image changed)', (t) => {
  const live: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n', uid: 'u-1' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'old', ports: [{ containerPort: 80 }] }] } },
    },
    status: { replicas: 1 },
  };
  const applied = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: new\n';
  const result = applyPatch(live, applied, APPLY, deployments);
  const c = (result.spec as any).template.spec.containers;
  t.deepEqual(c, [{ name: 'c', image: 'new', ports: [{ containerPort: 80 }] }]);
  t.is(result.metadata.uid, 'u-1');
  t.deepEqual(result.status, { replicas: 1 });
});

test('server-side apply on a custom kind is a JSON merge (kubectl sends JSON as YAML)', (t) => {
  const live: KubeObject = {
    apiVersion: 'agentgateway.dev/v1alpha1',
    kind: 'AgentgatewayBackend',
    metadata: { name: 'mock-openai', namespace: 'agentgateway-system' },
    spec: { ai: { provider: { openai: { model: 'mock-gpt-4o' }, host: 'a', port: 8000 } } },
  };
  const body = Buffer.from(JSON.stringify({ apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayBackend', metadata: { name: 'mock-openai' }, spec: { ai: { provider: { port: 9000 } } } }));
  const result = applyPatch(live, body, APPLY, backends);
  t.deepEqual((result.spec as any).ai.provider, { openai: { model: 'mock-gpt-4o' }, host: 'a', port: 9000 });
});

test('server-side apply rejects malformed YAML (400) and another kind (400)', (t) => {
  t.is(codeOf(() => applyPatch(gateway(), 'spec: [unclosed', APPLY, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), '- a list', APPLY, gateways)), 400);
  t.is(codeOf(() => applyPatch(gateway(), 'kind: HTTPRoute\n', APPLY, gateways)), 400);
});

test('server-side apply ignores nulls in the applied configuration (kubectl create --dry-run -o yaml | kubectl apply --server-side)', (t) => {
  const secrets = findResource(builtinResources, '', 'v1', 'secrets')!;
  const live: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai-secret', namespace: 'gloo-system', creationTimestamp: '2026-01-01T00:00:00Z' }, data: { Authorization: 'QQ==' } };
  const applied = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai-secret\n  namespace: gloo-system\n  creationTimestamp: null\ndata:\n  Authorization: Qg==\n';
  const result = applyPatch(live, applied, APPLY, secrets);
  t.is(result.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
  t.deepEqual(result.data, { Authorization: 'Qg==' });
});
