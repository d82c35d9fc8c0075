// Property tests: whatever a client sends as a PATCH body, applyPatch either
// returns an object or throws an ApiError with a 4xx code — never another
// exception, never a 5xx.
import test from 'ava';
import fc from 'fast-check';
import { applyPatch } from '../../../source/cluster/embedded/patch/index.js';
import { builtinResources, findResource } from '../../../source/cluster/embedded/resources/catalog.js';
import { isApiError } from '../../../source/cluster/embedded/apiserver/api-error.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

const deployments = findResource(builtinResources, 'apps', 'v1', 'deployments')!;
const gateways = findResource(builtinResources, 'gateway.networking.k8s.io', 'v1', 'gateways')!;
const TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'n', labels: { app: 'd' }, finalizers: ['x'] },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'd' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'd' } },
      spec: {
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }],
        volumes: [{ name: 'v', secret: { secretName: 's' } }],
      },
    },
  },
};

// Keys that reach the interesting branches: the kind's fields, merge keys, directives.
const key = fc.constantFrom(
  'metadata', 'spec', 'status', 'labels', 'finalizers', 'template', 'containers', 'ports', 'env', 'volumes', 'name',
  'containerPort', 'image', 'strategy', 'kind', 'apiVersion', '$patch', '$retainKeys', '$setElementOrder/containers',
  '$setElementOrder/ports', '$deleteFromPrimitiveList/finalizers', 'x', '',
);
const leaf = fc.oneof(
  fc.constantFrom('replace', 'delete', 'merge', 'c', 'd', 'Deployment'),
  fc.integer({ min: -2, max: 100 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 6 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
})).node;

function expectOnly4xx(run: () => unknown): boolean {
  try {
    const result = run() as KubeObject;
    return typeof result === 'object' && result !== null && typeof result.metadata === 'object';
  } catch (error) {
    if (!isApiError(error)) throw error;
    if (error.code < 400 || error.code > 499) throw new Error(`expected a 4xx, got ${error.code}: ${error.message}`);
    return true;
  }
}

test('random patch bodies of every type yield an object or a 4xx ApiError', (t) => {
  fc.assert(
    fc.property(value, fc.constantFrom(...TYPES), fc.boolean(), (body, type, asText) => {
      const payload = asText ? JSON.stringify(body) : body;
      return expectOnly4xx(() => applyPatch(deployment, payload, type, deployments)) && expectOnly4xx(() => applyPatch(deployment, payload, type, gateways));
    }),
    { numRuns: 1500 },
  );
  t.pass();
});

const pointer = fc.array(fc.constantFrom('metadata', 'spec', 'template', 'containers', '0', '1', '-', 'ports', 'name', 'labels', 'a~1b', '~', 'x'), { maxLength: 6 })
  .map((tokens) => `/${tokens.join('/')}`);
const operation = fc.record(
  {
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'nope'),
    path: fc.oneof(pointer, fc.constant(''), fc.string({ maxLength: 5 })),
    from: pointer,
    value,
  },
  { requiredKeys: ['op'] },
);

test('random JSON patch operation lists yield an object or a 4xx ApiError', (t) => {
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 6 }), (ops) => expectOnly4xx(() => applyPatch(deployment, ops, 'application/json-patch+json', deployments))),
    { numRuns: 1500 },
  );
  t.pass();
});

test('random bytes as a patch body yield an object or a 4xx ApiError', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...TYPES), (bytes, type) => expectOnly4xx(() => applyPatch(deployment, Buffer.from(bytes), type, deployments))),
    { numRuns: 800 },
  );
  t.pass();
});

test('a deeply nested body is a 4xx, not a stack overflow', (t) => {
  const text = `${'{"spec":'.repeat(5000)}1${'}'.repeat(5000)}`;
  for (const type of TYPES) t.true(expectOnly4xx(() => applyPatch(deployment, text, type, deployments)));
});

test('patching never modifies the stored object', (t) => {
  const snapshot = JSON.stringify(deployment);
  fc.assert(
    fc.property(value, fc.constantFrom(...TYPES), (body, type) => {
      expectOnly4xx(() => applyPatch(deployment, body, type, deployments));
      return JSON.stringify(deployment) === snapshot;
    }),
    { numRuns: 500 },
  );
  t.pass();
});
