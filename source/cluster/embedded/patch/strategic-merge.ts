// Strategic merge patch as the API server applies it
// (k8s.io/apimachinery/pkg/util/strategicpatch, server options:
// MergeParallelList and IgnoreUnmatchedNulls). Maps merge; null deletes a
// key; lists with a merge key (patch-meta.ts) merge element by element and
// keep the order the patch implies; other lists are replaced. Directives:
//   `$patch: replace | delete`          on a map, or as a list element
//   `$retainKeys: [..]`                 drop the map's keys not listed
//   `$setElementOrder/<list>: [..]`     the order of the merged list
//   `$deleteFromPrimitiveList/<list>`   values to remove from a list of scalars
import { clone, isObject, jsonEqual, setOwn, unprocessable, type Json, type JsonObject } from './json-value.js';
import type { FieldMeta, StructMeta } from './patch-meta.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

function fieldMeta(meta: StructMeta | undefined, key: string): FieldMeta {
  return meta && Object.hasOwn(meta, key) ? meta[key] : {};
}

function isMergeList(field: FieldMeta): boolean {
  return field.strategy === 'merge' || field.strategy === 'merge,retainKeys';
}

/** Applies a strategic merge patch to `original` (not modified) under the kind's patch metadata. */
export function strategicMergePatch(original: unknown, patch: unknown, meta: StructMeta): Json {
  if (!isObject(patch)) throw unprocessable('a strategic merge patch must be a JSON object');
  const target = isObject(original) ? clone(original) : {};
  return mergeMap(target, clone(patch), meta);
}

/** The patch value with directives and nulls removed: what a new field or element becomes. */
function strip(value: Json, meta: StructMeta | undefined): Json {
  if (Array.isArray(value)) {
    return value
      .filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete'))
      .filter((v) => !(isObject(v) && v[DIRECTIVE] !== undefined && Object.keys(v).length === 1))
      .map((v) => strip(v, meta));
  }
  if (!isObject(value)) return value;
  if (value[DIRECTIVE] !== undefined) {
    const directive = value[DIRECTIVE];
    if (directive !== 'replace' && directive !== 'delete') throw unprocessable(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(value)}`);
  }
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (child === null) continue;
    setOwn(out, key, strip(child, fieldMeta(meta, key).of));
  }
  return out;
}

function mergeMap(original: JsonObject, patch: JsonObject, meta: StructMeta | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return strip(patch, meta) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw unprocessable(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, meta);
  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey.startsWith(SET_ELEMENT_ORDER)) continue;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const key = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const current = original[key];
      if (!Array.isArray(current)) continue;
      if (!Array.isArray(patchValue)) throw unprocessable(`${rawKey} must be a list`);
      original[key] = current.filter((item) => !patchValue.some((gone) => jsonEqual(gone, item)));
      continue;
    }
    const key = rawKey;
    const field = fieldMeta(meta, key);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const current = Object.hasOwn(original, key) ? original[key] : undefined;
    if (current === undefined || current === null || Array.isArray(current) !== Array.isArray(patchValue) || isObject(current) !== isObject(patchValue)) {
      setOwn(original, key, strip(patchValue, field.of));
      continue;
    }
    if (isObject(current) && isObject(patchValue)) {
      original[key] = field.strategy === 'replace' ? (strip(patchValue, field.of) as JsonObject) : mergeMap(current, patchValue, field.of);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      original[key] = isMergeList(field) ? mergeList(current, patchValue, field) : (strip(patchValue, field.of) as Json[]);
    } else {
      setOwn(original, key, patchValue);
    }
  }
  return original;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw unprocessable(`${RETAIN_KEYS} must be a list of field names`);
  const keep = new Set(retain.filter((k): k is string => typeof k === 'string'));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!keep.has(key)) throw unprocessable(`doesn't match retainKeys list: the patch has field ${JSON.stringify(key)} not listed in ${RETAIN_KEYS}`);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/** `$setElementOrder/<list>`: merge that list now and put its elements in the given order. */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, meta: StructMeta | undefined): void {
  for (const rawKey of Object.keys(patch)) {
    if (!rawKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[rawKey];
    const key = rawKey.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(order)) throw unprocessable(`${rawKey} must be a list`);
    const field = fieldMeta(meta, key);
    const current = original[key];
    const patchList = patch[key];
    const hasOriginal = Array.isArray(current);
    const hasPatch = Array.isArray(patchList);
    // `<list>: null` deletes the list; the main loop does that, no order to keep.
    if ((!hasOriginal && !hasPatch) || patchList === null) continue;
    if (patchList !== undefined && patchList !== null && !hasPatch) throw unprocessable(`${key} must be a list to be ordered by ${rawKey}`);
    if (hasPatch) checkPatchFollowsOrder(patchList as Json[], order, field.mergeKey, rawKey);
    const serverOrder = hasOriginal ? (current as Json[]) : [];
    let merged: Json[];
    if (hasOriginal && hasPatch) merged = isMergeList(field) ? mergeList(serverOrder, patchList as Json[], field) : strip(patchList as Json[], field.of) as Json[];
    else if (hasPatch) merged = strip(patchList as Json[], field.of) as Json[];
    else merged = serverOrder;
    const [inOrder, serverOnly] = partition(merged, order, field.mergeKey);
    original[key] = normalizeOrder(inOrder, serverOnly, order, serverOrder, field.mergeKey);
    delete patch[key];
  }
}

/**
 * strategicpatch.validatePatchWithSetOrderList: the list's patch entries must
 * appear in `$setElementOrder` in the same relative order (deletions aside).
 */
function checkPatchFollowsOrder(patchList: Json[], order: Json[], mergeKey: string | undefined, directive: string): void {
  const entries = patchList.filter((item) => !(isObject(item) && Object.hasOwn(item, DIRECTIVE)));
  let p = 0;
  for (let o = 0; p < entries.length && o < order.length; o++) {
    if (jsonEqual(keyOf(entries[p], mergeKey), keyOf(order[o], mergeKey))) p++;
  }
  if (p < entries.length) {
    throw unprocessable(`The order in patch list ${JSON.stringify(patchList)} doesn't match ${directive} list ${JSON.stringify(order)}`);
  }
}

function keyOf(item: Json, mergeKey: string | undefined): Json | undefined {
  if (!mergeKey) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: Json[], item: Json, mergeKey: string | undefined): number {
  const key = keyOf(item, mergeKey);
  return list.findIndex((candidate) => !(isObject(candidate) && candidate[DIRECTIVE] !== undefined) && jsonEqual(keyOf(candidate, mergeKey), key));
}

function partition(merged: Json[], patchList: Json[], mergeKey: string | undefined): [Json[], Json[]] {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const item of merged) (indexIn(patchList, item, mergeKey) >= 0 ? inPatch : serverOnly).push(item);
  return [inPatch, serverOnly];
}

function sortBy(items: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  return items
    .map((item, position) => ({ item, position, rank: indexIn(order, item, mergeKey) }))
    .sort((a, b) => (a.rank >= 0 && b.rank >= 0 ? a.rank - b.rank : a.position - b.position))
    .map((entry) => entry.item);
}

/** strategicpatch.normalizeElementOrder: patch items in patch order, server-only items where the server had them. */
function normalizeOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string | undefined): Json[] {
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], field: FieldMeta): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const scalars = [...original, ...patch].every((v) => !isObject(v) && !Array.isArray(v));
  if (scalars) {
    const merged: Json[] = [];
    for (const item of [...original, ...patch]) if (!merged.some((m) => jsonEqual(m, item))) merged.push(item);
    const [inPatch, serverOnly] = partition(merged, patch, undefined);
    return normalizeOrder(inPatch, serverOnly, patch, original, undefined);
  }
  const mergeKey = field.mergeKey;
  if (!mergeKey) throw unprocessable('cannot merge lists without merge key');
  let base = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const element of patch) {
    if (!isObject(element)) throw unprocessable(`list elements of ${JSON.stringify(patch).slice(0, 80)} must be objects with merge key ${JSON.stringify(mergeKey)}`);
    if (!Object.hasOwn(element, DIRECTIVE)) {
      plain.push(element);
      continue;
    }
    const directive = element[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(element, mergeKey)) throw unprocessable(`map: ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`);
      base = base.filter((item) => !(isObject(item) && jsonEqual(item[mergeKey], element[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw unprocessable('merging lists cannot yet be specified in the patch');
    } else {
      throw unprocessable(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(element)}`);
    }
  }
  if (replace) return plain.map((element) => strip(element, field.of));
  const merged = [...base];
  for (const element of plain) {
    if (!Object.hasOwn(element, mergeKey)) throw unprocessable(`map: ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`);
    const at = merged.findIndex((item) => isObject(item) && jsonEqual(item[mergeKey], element[mergeKey]));
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, element, field.of);
    else merged.push(strip(element, field.of));
  }
  const [inPatch, serverOnly] = partition(merged, plain, mergeKey);
  return normalizeOrder(inPatch, serverOnly, plain, original, mergeKey);
}
