// JSON Merge Patch (RFC 7386): objects merge recursively, null deletes a
// member, anything else (arrays included) replaces.
import { clone, isObject, setOwn, type Json } from './json-value.js';

export function jsonMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return clone(patch as Json);
  const result: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, jsonMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}
