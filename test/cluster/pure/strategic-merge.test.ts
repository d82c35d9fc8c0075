// Strategic merge patch against the patches kubectl's client-side apply
// computes (three-way diff of last-applied, new manifest and live object),
// and each directive on its own. Expected results are what kube-apiserver
// stores for the same patch.
import test from 'ava';
import { applyPatch } from '../../../source/cluster/embedded/patch/index.js';
import { builtinResources, findResource } from '../../../source/cluster/embedded/resources/catalog.js';
import { isApiError } from '../../../source/cluster/embedded/apiserver/api-error.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

const SMP = 'application/strategic-merge-patch+json';
const deployments = findResource(builtinResources, 'apps', 'v1', 'deployments')!;
const services = findResource(builtinResources, '', 'v1', 'services')!;
const pods = findResource(builtinResources, '', 'v1', 'pods')!;
const secrets = findResource(builtinResources, '', 'v1', 'secrets')!;

function mockDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mock-gpt-4o', namespace: 'agentgateway-system', labels: { app: 'mock-gpt-4o', tier: 'llm' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'mock-gpt-4o' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'mock-gpt-4o' } },
        spec: {
          containers: [
            {
              name: 'vllm-sim',
              image: 'ghcr.io/llm-d/llm-d-inference-sim:latest',
              args: ['--model', 'mock-gpt-4o', '--port', '8000'],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              ports: [
                { containerPort: 8000, name: 'http', protocol: 'TCP' },
                { containerPort: 9000, name: 'metrics', protocol: 'TCP' },
              ],
              volumeMounts: [{ name: 'certs', mountPath: '/certs' }],
            },
          ],
          volumes: [{ name: 'certs', secret: { secretName: 'foo' } }],
        },
      },
    },
    status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
  };
}

function mockService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'mock-gpt-4o-svc', namespace: 'agentgateway-system', labels: { app: 'mock-gpt-4o' } },
    spec: {
      selector: { app: 'mock-gpt-4o' },
      type: 'ClusterIP',
      clusterIP: '127.1.96.10',
      ports: [{ name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' }],
    },
  };
}

type Spec = Record<string, any>;
const spec = (o: KubeObject): Spec => o.spec as Spec;
const container = (o: KubeObject): Spec => spec(o).template.spec.containers[0];

test('kubectl apply: a removed container port is deleted by `$patch: delete`, the others stay', (t) => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'vllm-sim' }],
          containers: [{ '$setElementOrder/ports': [{ containerPort: 8000 }], name: 'vllm-sim', ports: [{ $patch: 'delete', containerPort: 9000 }] }],
        },
      },
    },
  };
  const result = applyPatch(mockDeployment(), JSON.stringify(patch), SMP, deployments);
  t.deepEqual(container(result).ports, [{ containerPort: 8000, name: 'http', protocol: 'TCP' }]);
  t.is(container(result).image, 'ghcr.io/llm-d/llm-d-inference-sim:latest');
  t.is(container(result).env.length, 2);
});

test('kubectl apply: a changed image merges into the container found by name; status is kept', (t) => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'vllm-sim' }], containers: [{ image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.5.0', name: 'vllm-sim' }] } } } };
  const original = mockDeployment();
  const result = applyPatch(original, JSON.stringify(patch), SMP, deployments);
  t.is(container(result).image, 'ghcr.io/llm-d/llm-d-inference-sim:v0.5.0');
  t.deepEqual(container(result).args, container(original).args);
  t.deepEqual(result.status, original.status);
  t.is(container(original).image, 'ghcr.io/llm-d/llm-d-inference-sim:latest', 'the original is not modified');
});

test('kubectl apply: args (no merge key) are replaced as a whole list', (t) => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'vllm-sim', args: ['--model', 'mock-gpt-4o-mini'] }] } } } };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(container(result).args, ['--model', 'mock-gpt-4o-mini']);
});

test('kubectl apply: an added port lands where $setElementOrder puts it', (t) => {
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'vllm-sim',
              '$setElementOrder/ports': [{ containerPort: 7000 }, { containerPort: 8000 }, { containerPort: 9000 }],
              ports: [{ containerPort: 7000, name: 'grpc' }],
            },
          ],
        },
      },
    },
  };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(container(result).ports.map((p: Spec) => p.containerPort), [7000, 8000, 9000]);
});

test('kubectl apply: an env var removed from the manifest is deleted, one changed is merged', (t) => {
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'vllm-sim',
              '$setElementOrder/env': [{ name: 'POD_NAME' }],
              env: [{ $patch: 'delete', name: 'POD_NAMESPACE' }, { name: 'POD_NAME', value: 'fixed', valueFrom: null }],
            },
          ],
        },
      },
    },
  };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(container(result).env, [{ name: 'POD_NAME', value: 'fixed' }]);
});

test('kubectl apply: volumeMounts merge by mountPath', (t) => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'vllm-sim', volumeMounts: [{ mountPath: '/certs', readOnly: true }, { mountPath: '/ca', name: 'ca' }] }] } } } };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(container(result).volumeMounts, [
    { name: 'certs', mountPath: '/certs', readOnly: true },
    { mountPath: '/ca', name: 'ca' },
  ]);
});

test('kubectl apply: a Service port renumbered is added and the old one deleted (merge key port)', (t) => {
  const patch = {
    spec: {
      '$setElementOrder/ports': [{ port: 8080 }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8000 }, { $patch: 'delete', port: 8000 }],
    },
  };
  const result = applyPatch(mockService(), patch, SMP, services);
  t.deepEqual(spec(result).ports, [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8000 }]);
  t.is(spec(result).clusterIP, '127.1.96.10', 'server-set fields survive');
});

test('kubectl apply: a label removed from the manifest is sent as null and deleted', (t) => {
  const result = applyPatch(mockDeployment(), { metadata: { labels: { tier: null } } }, SMP, deployments);
  t.deepEqual(result.metadata.labels, { app: 'mock-gpt-4o' });
});

test('directive $patch: replace on a map replaces it whole', (t) => {
  const result = applyPatch(mockService(), { spec: { selector: { $patch: 'replace', app: 'other', role: 'x' } } }, SMP, services);
  t.deepEqual(spec(result).selector, { app: 'other', role: 'x' });
});

test('directive $patch: delete on a map removes its contents', (t) => {
  const result = applyPatch(mockDeployment(), { spec: { strategy: { $patch: 'delete' } } }, SMP, deployments);
  t.deepEqual(spec(result).strategy, {});
});

test('directive $patch: replace as a list element replaces the merge list', (t) => {
  const patch = { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'echo', image: 'registry.k8s.io/gateway-api/conformance/echo-basic' }] } } } };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(spec(result).template.spec.containers, [{ name: 'echo', image: 'registry.k8s.io/gateway-api/conformance/echo-basic' }]);
});

test('directive $retainKeys drops the keys not listed (Deployment strategy → Recreate)', (t) => {
  const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(spec(result).strategy, { type: 'Recreate' });
});

test('directive $retainKeys on a volume switches its source', (t) => {
  const patch = { spec: { template: { spec: { volumes: [{ name: 'certs', $retainKeys: ['configMap', 'name'], configMap: { name: 'ca' } }] } } } };
  const result = applyPatch(mockDeployment(), patch, SMP, deployments);
  t.deepEqual(spec(result).template.spec.volumes, [{ name: 'certs', configMap: { name: 'ca' } }]);
});

test('directive $retainKeys rejects a patch field it does not list (422)', (t) => {
  const error = t.throws(() => applyPatch(mockDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } }, SMP, deployments));
  t.true(isApiError(error));
  t.is((error as any).code, 422);
});

test('directive $deleteFromPrimitiveList removes values from a merged list of scalars', (t) => {
  const result = applyPatch(mockDeployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, SMP, deployments);
  t.deepEqual(result.metadata.finalizers, ['b']);
});

test('a merged list of scalars (finalizers) is a union without duplicates', (t) => {
  const result = applyPatch(mockDeployment(), { metadata: { finalizers: ['b', 'c'] } }, SMP, deployments);
  t.deepEqual(result.metadata.finalizers, ['a', 'b', 'c']);
});

test('directive $setElementOrder reorders containers', (t) => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
  };
  const result = applyPatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }, SMP, pods);
  t.deepEqual(spec(result).containers.map((c: Spec) => c.name), ['b', 'a']);
});

test('directive $setElementOrder keeps a server-only element where the server had it', (t) => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'injected', image: 'z' }, { name: 'b', image: 'y' }] },
  };
  const result = applyPatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }, SMP, pods);
  t.deepEqual(spec(result).containers.map((c: Spec) => c.name), ['injected', 'b', 'a']);
});

test('conditions in status merge by type', (t) => {
  const result = applyPatch(mockDeployment(), { status: { conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] } }, SMP, deployments);
  t.deepEqual((result.status as Spec).conditions, [
    { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
    { type: 'Progressing', status: 'True' },
  ]);
});

test('a Secret data key set to null is deleted; maps merge', (t) => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'YQ==', b: 'Yg==' } };
  const result = applyPatch(secret, { data: { a: null, c: 'Yw==' } }, SMP, secrets);
  t.deepEqual(result.data, { b: 'Yg==', c: 'Yw==' });
});

test('malformed strategic merge patches are 4xx: bad JSON 400, unknown directive / missing merge key / merge-list directive 422', (t) => {
  const cases: [unknown, number][] = [
    ['{"spec":', 400],
    [{ spec: { strategy: { $patch: 'bogus' } } }, 422],
    [{ spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } }, 422],
    [{ spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }, 422],
    [{ spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, 422],
    [['not', 'an', 'object'], 422],
  ];
  for (const [patch, code] of cases) {
    const error = t.throws(() => applyPatch(mockDeployment(), typeof patch === 'string' ? patch : JSON.stringify(patch), SMP, deployments));
    t.true(isApiError(error), JSON.stringify(patch));
    t.is((error as any).code, code, JSON.stringify(patch));
  }
});

test('a list set to null is deleted even with a $setElementOrder for it', (t) => {
  const result = applyPatch(mockDeployment(), { spec: { template: { spec: { containers: [{ name: 'vllm-sim', '$setElementOrder/ports': [], ports: null }] } } } }, SMP, deployments);
  t.is(container(result).ports, undefined);
});

test('a patch list out of step with its $setElementOrder is rejected (422), as the server validates it', (t) => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b', image: 'y2' }, { name: 'a', image: 'x2' }] } };
  const error = t.throws(() => applyPatch(pod, patch, SMP, pods));
  t.is((error as any).code, 422);
  t.regex(error!.message, /doesn't match \$setElementOrder\/containers/);
});
