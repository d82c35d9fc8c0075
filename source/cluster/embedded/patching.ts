// PATCH bodies by content type. The full implementation (strategic merge with
// the real merge keys, JSON patch, apply) is the patch module; until it loads,
// a plain RFC 7386 merge stands in so the server still answers.
import { ApiError } from './api-error.js';
import { mediaType } from './http-util.js';
import { parseJson } from './request-body.js';
import type { KubeObject } from './store-types.js';
import type { ResourceType } from './resources/types.js';

type ApplyPatch = (original: KubeObject, patchBody: Buffer | string, contentType: string, resource: ResourceType) => KubeObject;
let loaded: Promise<ApplyPatch | undefined> | undefined;

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/apply-patch+json',
];

function loadPatchModule(): Promise<ApplyPatch | undefined> {
  const specifier = './patch/index.js';
  loaded ??= import(specifier).then(
    (m: { applyPatch?: ApplyPatch }) => m.applyPatch,
    () => undefined,
  );
  return loaded;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Checks the media type against the kind (strategic merge only for built-ins → 415 otherwise) before any work. */
export function checkPatchType(contentType: string | undefined, resource: ResourceType): string {
  const type = mediaType(contentType);
  if (!PATCH_TYPES.includes(type)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
  if (type === 'application/strategic-merge-patch+json' && !resource.strategicMerge) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - strategic merge patch is not supported for ${resource.kind}.${resource.group}; use application/merge-patch+json`);
  }
  return type;
}

export async function patchObject(original: KubeObject, body: Buffer, contentType: string, resource: ResourceType): Promise<KubeObject> {
  const applyPatch = await loadPatchModule();
  if (applyPatch) return applyPatch(original, body, contentType, resource);
  if (contentType === 'application/json-patch+json') throw new ApiError(415, 'UnsupportedMediaType', 'JSON patch is not available yet');
  const patch = contentType.startsWith('application/apply-patch') ? (await import('./request-body.js')).parseYamlBody(body) : parseJson(body);
  return mergePatch(original, patch) as KubeObject;
}
