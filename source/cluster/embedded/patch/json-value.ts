// Small helpers over plain JSON values shared by the patch formats.
import { ApiError } from '../apiserver/api-error.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

// Bodies nest as deep as the objects they patch; this keeps a hostile body
// from exhausting the stack (the result is a 4xx, not a crash).
export const MAX_DEPTH = 100;

export function checkDepth(value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw ApiError.badRequest(`the patch nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) for (const v of value) checkDepth(v, depth + 1);
  else if (isObject(value)) for (const v of Object.values(value)) checkDepth(v, depth + 1);
}

/** Parses a JSON request body (Buffer, string, or an already-parsed value). Malformed → 400. */
export function parseJsonBody(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) body = Buffer.from(body).toString('utf8');
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw ApiError.badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** 422 with the wording kube-apiserver uses when a patch cannot be applied. */
export function unprocessable(detail: string): ApiError {
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${detail}`);
}
