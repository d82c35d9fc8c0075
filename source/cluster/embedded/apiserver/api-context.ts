// What every API handler works with, and the per-request facts about the
// addressed resource (kind, version, namespace) resolved once.
import { ApiError } from './api-error.js';
import type { ResourceRegistry } from './registry.js';
import type { MemoryStore } from '../store/store.js';
import type { KubeObject, ResourceKey } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';

export interface ApiContext {
  store: MemoryStore;
  registry: ResourceRegistry;
  /** Directory of pod logs (`<ns>_<pod>.log`), written by the kubelet. */
  podLogDir: string;
  log: (line: string) => void;
  bookmarkIntervalMs?: number;
}

export interface ResourceTarget {
  type: ResourceType;
  key: ResourceKey;
  version: string;
  apiVersion: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  warnings: string[];
}

export const NAMESPACE_KEY: ResourceKey = { group: '', resource: 'namespaces' };

export function resolveTarget(
  ctx: ApiContext,
  r: { group: string; version: string; plural: string; namespace?: string; name?: string; subresource?: string },
): ResourceTarget {
  const type = ctx.registry.find(r.group, r.version, r.plural);
  if (!type) throw ApiError.noSuchResource({ group: r.group, kind: r.plural });
  if (!type.namespaced && r.namespace !== undefined) throw ApiError.noSuchResource();
  if (type.namespaced && r.namespace === undefined && r.name !== undefined) throw ApiError.noSuchResource();
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  const warnings: string[] = [];
  if (type.deprecatedVersions?.includes(r.version)) {
    const preferred = type.versions.find((v) => !type.deprecatedVersions?.includes(v));
    warnings.push(`${apiVersion} ${type.kind} is deprecated${preferred ? `; use ${r.group ? `${r.group}/` : ''}${preferred} ${type.kind}` : ''}`);
  }
  return {
    type,
    key: { group: type.group, resource: type.plural },
    version: r.version,
    apiVersion,
    namespace: r.namespace,
    name: r.name,
    subresource: r.subresource,
    warnings,
  };
}

/** An object as the client asked for it: in the requested version. */
export function present(target: ResourceTarget, object: KubeObject): KubeObject {
  const { apiVersion: _stored, kind: _kind, ...rest } = object;
  return { apiVersion: target.apiVersion, kind: target.type.kind, ...rest };
}

export function notFound(target: ResourceTarget, name: string): ApiError {
  return ApiError.notFound(target.type.plural, name, target.type.group);
}
