// Patches captured from the real kubectl (v1.32, `kubectl apply -v=10`)
// re-applying a changed manifest: applied to the live object kubectl saw,
// the result must carry exactly what the new manifest says — lists in the
// manifest's order and length, removed entries gone — and keep what only
// the server set.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { applyPatch } from '../../../source/cluster/embedded/patch/index.js';
import { builtinResources, findResourceByKind } from '../../../source/cluster/embedded/resources/catalog.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

interface Case {
  name: string;
  contentType: string;
  live: KubeObject;
  patch: unknown;
  manifest: KubeObject;
}
const { cases } = JSON.parse(readFileSync(new URL('fixtures/kubectl-apply-patches.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Every field of `expected` is in `actual` with the same value; lists must match element for element. */
function assertCarries(actual: unknown, expected: unknown, path: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list`];
    if (actual.length !== expected.length) return [`${path}: ${actual.length} items, manifest has ${expected.length}`];
    return expected.flatMap((e, i) => assertCarries(actual[i], e, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [`${path}: expected an object`];
    return Object.entries(expected).flatMap(([k, v]) => assertCarries((actual as Record<string, unknown>)[k], v, `${path}.${k}`));
  }
  return actual === expected ? [] : [`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`];
}

for (const c of cases) {
  test(`kubectl apply (${c.name}): the patched object carries the new manifest`, (t) => {
    const resource = findResourceByKind(builtinResources, c.live.apiVersion, c.live.kind)!;
    const result = applyPatch(c.live, JSON.stringify(c.patch), c.contentType, resource);
    const { metadata: _, ...manifestBody } = c.manifest;
    t.deepEqual(assertCarries(result, manifestBody, c.live.kind), []);
    t.deepEqual(result.metadata.labels ?? {}, c.manifest.metadata.labels ?? {}, 'labels are exactly the manifest\'s');
    t.is(result.metadata.uid, c.live.metadata.uid);
    t.truthy(result.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
  });
}

test('kubectl apply (deploy-edit): the removed port, env var and label are gone, server fields kept', (t) => {
  const c = cases.find((x) => x.name === 'deploy-edit')!;
  const result = applyPatch(c.live, JSON.stringify(c.patch), c.contentType, findResourceByKind(builtinResources, 'apps/v1', 'Deployment')!);
  const container = (result.spec as any).template.spec.containers[0];
  t.deepEqual(container.ports.map((p: any) => p.containerPort), [8000]);
  t.deepEqual(container.env.map((e: any) => e.name), ['POD_NAME']);
  t.is(result.metadata.labels?.tier, undefined);
  t.deepEqual(result.status, c.live.status);
});

test('kubectl apply (deploy-reorder): $retainKeys drops rollingUpdate, volumes switch source, containers reorder', (t) => {
  const c = cases.find((x) => x.name === 'deploy-reorder')!;
  const result = applyPatch(c.live, JSON.stringify(c.patch), c.contentType, findResourceByKind(builtinResources, 'apps/v1', 'Deployment')!);
  const spec = result.spec as any;
  t.deepEqual(spec.strategy, { type: 'Recreate' });
  t.deepEqual(spec.template.spec.volumes, [{ name: 'certs', configMap: { name: 'ca' } }]);
  t.deepEqual(spec.template.spec.containers.map((x: any) => x.name), ['b', 'a']);
  t.deepEqual(spec.template.spec.containers[0].ports, [{ containerPort: 8443, name: 'https' }, { containerPort: 8080 }]);
});

test('kubectl apply (secret-edit): a removed key is deleted, a changed one replaced', (t) => {
  const c = cases.find((x) => x.name === 'secret-edit')!;
  const result = applyPatch(c.live, JSON.stringify(c.patch), c.contentType, findResourceByKind(builtinResources, 'v1', 'Secret')!);
  t.deepEqual(result.data, { a: 'Mw==' });
});
