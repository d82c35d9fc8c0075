// PATCH bodies by Content-Type, as kube-apiserver accepts them:
//   application/json-patch+json            RFC 6902 (every kind)
//   application/merge-patch+json           RFC 7386 (every kind)
//   application/strategic-merge-patch+json built-in kinds only (415 otherwise)
//   application/apply-patch+yaml           server-side apply
//
// Server-side apply here merges the applied configuration into the live
// object: strategic merge for built-in kinds (lists with merge keys merge by
// key, like SSA's listType=map), JSON merge otherwise. managedFields and
// field ownership are NOT tracked: a field dropped from a later apply stays
// (a real server would remove it when only that manager owned it), and
// conflicts between managers are never reported. Creating through apply
// (no live object) is the caller's job: the applied object is then the
// object to create.
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';
import { applyJsonPatch } from './json-patch.js';
import { jsonMergePatch } from './json-merge.js';
import { strategicMergePatch } from './strategic-merge.js';
import { patchMetaFor } from './patch-meta.js';
import { checkDepth, isObject, parseJsonBody, setOwn, unprocessable } from './json-value.js';

export { applyJsonPatch } from './json-patch.js';
export { jsonMergePatch } from './json-merge.js';
export { strategicMergePatch } from './strategic-merge.js';
export { patchMetaFor } from './patch-meta.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** The media types a kind accepts for PATCH (what 415 lists, and what discovery/OpenAPI can advertise). */
export function acceptedPatchTypes(resource: ResourceType): string[] {
  const types: string[] = [PATCH_TYPES.json, PATCH_TYPES.merge];
  if (resource.strategicMerge) types.push(PATCH_TYPES.strategic);
  types.push(PATCH_TYPES.apply);
  return types;
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function unsupported(resource: ResourceType): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchTypes(resource).join(', ')}`,
  );
}

/** Parses an apply body: YAML or JSON (JSON is YAML), one document, an object. Malformed → 400. */
export function parseApplyBody(body: unknown): Record<string, unknown> {
  let value: unknown = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) value = Buffer.from(body).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = parseYaml(value, { maxAliasCount: 100, logLevel: 'error' });
    } catch (error) {
      throw ApiError.badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
  }
  if (!isObject(value)) throw ApiError.badRequest('the applied configuration must be an object');
  checkDepth(value);
  return value;
}

function asObject(result: unknown, original: KubeObject): KubeObject {
  if (!isObject(result)) throw unprocessable('the patched object is not a JSON object');
  const object = result as unknown as KubeObject;
  if (!isObject(object.metadata)) throw unprocessable('the patched object has no metadata');
  if (object.kind !== original.kind) {
    throw ApiError.badRequest(`the patch changes the kind of the object from ${JSON.stringify(original.kind)} to ${JSON.stringify(object.kind)}`);
  }
  return object;
}

/**
 * Applies a PATCH body to the stored object. Returns a new object (the input
 * is untouched); validation and system metadata (uid, resourceVersion, ...)
 * are the caller's. Throws ApiError: 415 for a media type the kind does not
 * take, 400 for a body that does not parse, 422 for one that cannot apply.
 */
export function applyPatch(original: KubeObject, patchBody: unknown, contentType: string, resource: ResourceType): KubeObject {
  const type = mediaType(contentType);
  switch (type) {
    case PATCH_TYPES.json: {
      const operations = parseJsonBody(patchBody);
      checkDepth(operations);
      return asObject(applyJsonPatch(original, operations), original);
    }
    case PATCH_TYPES.merge: {
      const patch = parseJsonBody(patchBody);
      checkDepth(patch);
      if (!isObject(patch)) throw unprocessable('a merge patch for an object must be a JSON object');
      return asObject(jsonMergePatch(original, patch), original);
    }
    case PATCH_TYPES.strategic: {
      if (!resource.strategicMerge) throw unsupported(resource);
      const patch = parseJsonBody(patchBody);
      checkDepth(patch);
      return asObject(strategicMergePatch(original, patch, patchMetaFor(resource.group, resource.kind)), original);
    }
    case PATCH_TYPES.apply: {
      const applied = parseApplyBody(patchBody);
      if (applied.kind !== undefined && applied.kind !== original.kind) {
        throw ApiError.badRequest(`the applied configuration is a ${JSON.stringify(applied.kind)}, the object is a ${original.kind}`);
      }
      const configuration = withoutDirectives(applied);
      const merged = resource.strategicMerge
        ? strategicMergePatch(original, configuration, patchMetaFor(resource.group, resource.kind))
        : jsonMergePatch(original, configuration);
      return asObject(merged, original);
    }
    default:
      throw unsupported(resource);
  }
}

/**
 * An applied configuration is plain data: `$patch`-style keys are not
 * directives in SSA, and a null (as in `creationTimestamp: null` of
 * `kubectl create --dry-run -o yaml`) states nothing, so both are dropped.
 */
function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$') || child === null) continue;
    setOwn(out, key, withoutDirectives(child));
  }
  return out;
}
