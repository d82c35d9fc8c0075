// PATCH bodies by content type, through the patch module (strategic merge
// with the real merge keys, JSON merge, JSON patch, apply). Loaded on the
// first PATCH so the cluster process starts lean.
import { ApiError } from '../apiserver/api-error.js';
import { mediaType } from '../apiserver/http-util.js';
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';

const ALL_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Checks the media type against the kind (strategic merge only for built-ins → 415 otherwise) before any work. */
export function checkPatchType(contentType: string | undefined, resource: ResourceType): string {
  const type = mediaType(contentType);
  const accepted = ALL_PATCH_TYPES.filter((t) => resource.strategicMerge || t !== 'application/strategic-merge-patch+json');
  if (!accepted.includes(type)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }
  return type;
}

export async function patchObject(original: KubeObject, body: Buffer, contentType: string, resource: ResourceType): Promise<KubeObject> {
  const { applyPatch } = await import('./index.js');
  return applyPatch(original, body, contentType, resource);
}
