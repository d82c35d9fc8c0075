// OpenAPI v3, as little as `kubectl apply` needs: a root naming one document
// per group-version, and per kind a PATCH operation tagged with its
// group-version-kind and a `fieldValidation` parameter. With that kubectl skips
// client-side schema validation and sends fieldValidation=Strict, so the server
// validates. kubectl asks /openapi/v2 only for what v3 names no PATCH for:
// a `kind: List` file (`kubectl get -o yaml` writes one). There it validates
// each item client-side against v2's definitions and skips kinds it finds
// none for, so a v2 document without definitions lets the items through to
// the server, which validates each one as it is created or patched.
import crypto from 'node:crypto';
import { groups } from './discovery.js';
import type { ResourceType } from '../resources/types.js';

const OPENAPI_INFO = { title: 'Kubernetes', version: 'v1.32.0' };

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
  return { openapi: '3.0.0', info: OPENAPI_INFO, paths, components: { schemas: {} } };
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

/** OpenAPI v2 without definitions, as JSON. */
export function openapiV2Json() {
  return { swagger: '2.0', info: OPENAPI_INFO, paths: {}, definitions: {} };
}

/** The same in the protobuf kubectl asks for (gnostic's openapi_v2.Document: swagger = 1, info = 2 {title = 1, version = 2}). */
export function openapiV2Protobuf(): Buffer {
  const field = (number: number, bytes: Buffer) => Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
  const text = (number: number, value: string) => field(number, Buffer.from(value, 'utf8'));
  return Buffer.concat([text(1, '2.0'), field(2, Buffer.concat([text(1, OPENAPI_INFO.title), text(2, OPENAPI_INFO.version)]))]);
}
