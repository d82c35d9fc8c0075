// Property tests: validators, pruning, defaults and CRD registration never
// throw, whatever shape a client sends (the HTTP layer turns causes into a
// Status; an exception here would be a 500).
import test from 'ava';
import fc from 'fast-check';
import { builtinResources } from '../../../source/cluster/embedded/resources/catalog.js';
import { resourceFromCrd } from '../../../source/cluster/embedded/resources/crd.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

const key = fc.constantFrom(
  'apiVersion', 'kind', 'metadata', 'name', 'namespace', 'labels', 'annotations', 'spec', 'status', 'listeners', 'port',
  'protocol', 'tls', 'certificateRefs', 'rules', 'matches', 'path', 'value', 'type', 'containers', 'ports', 'image',
  'selector', 'matchLabels', 'template', 'data', 'stringData', 'ai', 'provider', 'openai', 'policies', 'issuerRef',
  'secretName', 'validation', 'targetRefs', 'strategy', 'volumes', 'group', 'versions', 'names', 'plural', 'scope',
  '__proto__', 'constructor', 'toString', 'x',
);
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('HTTPS', 'Terminate', 'kubernetes.io/tls', 'v1', '/'));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 6 }),
})).node;

test('validate, prune, applyDefaults and table cells of every built-in kind never throw and return causes with messages', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...builtinResources), value, value, fc.boolean(), (resource, spec, metadata, strict) => {
      const apiVersion = resource.group ? `${resource.group}/${resource.versions[0]}` : resource.versions[0];
      const object = { apiVersion, kind: resource.kind, metadata, spec, data: spec } as unknown as KubeObject;
      const causes = resource.validate!(object, { strict });
      resource.prune?.(object);
      resource.applyDefaults?.(object);
      // Table cells read stored objects (metadata is an object there) and must not throw either.
      const stored = { ...object, metadata: { name: 'x' }, status: spec } as unknown as KubeObject;
      for (const column of resource.table ?? []) column.cell(stored);
      return Array.isArray(causes) && causes.every((c) => typeof c.message === 'string' && c.message.length > 0);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('resourceFromCrd and the kinds it returns never throw on random CRDs and objects', (t) => {
  const schema = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.record({ type: fc.constantFrom('object', 'array', 'string', 'integer', 'number', 'boolean') }),
      fc.record({ type: fc.constant('object'), properties: fc.dictionary(key, tie('node'), { maxKeys: 4 }), required: fc.array(key, { maxLength: 2 }) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('array'), items: tie('node'), maxItems: fc.nat(3) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('string'), pattern: fc.constantFrom('^[a-z]+$', '(', '[', '\\'), enum: fc.array(leaf, { maxLength: 3 }), default: leaf }, { requiredKeys: ['type'] }),
      fc.record({ 'x-kubernetes-preserve-unknown-fields': fc.boolean(), additionalProperties: fc.oneof(fc.boolean(), tie('node')) }),
      fc.record({ 'x-kubernetes-int-or-string': fc.constant(true) }),
    ),
  })).node;
  fc.assert(
    fc.property(schema, value, value, (openAPIV3Schema, spec, names) => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'things.example.com' },
        spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing', ...(typeof names === 'object' && names && !Array.isArray(names) ? names : {}) }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }] },
      } as unknown as KubeObject;
      for (const resource of resourceFromCrd(crd)) {
        const object = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' }, spec } as KubeObject;
        resource.validate!(object, { strict: true });
        resource.prune!(object);
        resource.applyDefaults!(object);
        for (const column of resource.table ?? []) column.cell(object);
      }
      resourceFromCrd({ ...crd, spec } as KubeObject);
      return true;
    }),
    { numRuns: 1500 },
  );
  t.pass();
});
