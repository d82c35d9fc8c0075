// OpenAPI v3, as little as `kubectl apply` needs: a root naming one document
// per group-version, and per kind a PATCH operation tagged with its
// group-version-kind and a `fieldValidation` parameter. With that kubectl skips
// client-side schema validation and sends fieldValidation=Strict, so the server
// validates. /openapi/v2 stays a 404 (kubectl would want protobuf there).
import crypto from 'node:crypto';
import { groups } from './discovery.js';
import type { ResourceType } from '../resources/types.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openapiDocument(types: ResourceType[], group: string, version: string) {
  const selected = types.filter((t) => t.group === group && t.versions.includes(version));
  if (!selected.length) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of selected) {
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}/{name}`;
    const gvk = { group, version, kind: t.kind };
    paths[base] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-group-version-kind': gvk,
        'x-kubernetes-action': 'patch',
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

export function openapiRoot(types: ResourceType[]) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of groups(types)) {
    for (const version of g.versions) {
      const doc = openapiDocument(types, g.name, version);
      const hash = crypto.createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
      paths[gvPath(g.name, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(g.name, version)}?hash=${hash}` };
    }
  }
  return { paths };
}
