// StatusCauses worded as kube-apiserver words them (field.Error.ErrorBody in
// k8s.io/apimachinery/pkg/util/validation/field), and the ApiError a set of
// causes turns into.
import { ApiError, type StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';

/** Marks a cause as an unknown field: the request fails to decode (400), before validation (422). */
export const UNKNOWN_FIELD = 'FieldValueUnknown';

/** A field path as kube prints it: `spec.listeners[0].port`, `metadata.labels[app]`. */
export class FieldPath {
  private constructor(private readonly parts: readonly string[]) {}
  static root(name?: string): FieldPath {
    return new FieldPath(name ? [name] : []);
  }
  child(name: string): FieldPath {
    return new FieldPath([...this.parts, this.parts.length === 0 ? name : `.${name}`]);
  }
  index(i: number): FieldPath {
    return new FieldPath([...this.parts, `[${i}]`]);
  }
  key(k: string): FieldPath {
    return new FieldPath([...this.parts, `[${k}]`]);
  }
  toString(): string {
    return this.parts.join('');
  }
}

/** String(v) that never throws (an object without a prototype has no toString). */
export function str(value: unknown): string {
  try {
    return String(value);
  } catch {
    return JSON.stringify(value) ?? '';
  }
}

/** Go's %q-like rendering of a value in "Invalid value: ..." (strings quoted, numbers bare, objects as JSON). */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[]interface {}{...}`;
  return `map[string]interface {}{...}`;
}

export function invalid(path: FieldPath | string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field: String(path), message: `Invalid value: ${renderValue(value)}: ${detail}` };
}

export function required(path: FieldPath | string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', field: String(path), message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function notSupported(path: FieldPath | string, value: unknown, allowed: readonly unknown[]): StatusCause {
  const list = allowed.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
  return { reason: 'FieldValueNotSupported', field: String(path), message: `Unsupported value: ${renderValue(value)}: supported values: ${list}` };
}

export function tooLong(path: FieldPath | string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', field: String(path), message: `Too long: may not be more than ${max} bytes` };
}

export function tooMany(path: FieldPath | string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', field: String(path), message: `Too many: ${actual}: must have at most ${max} items` };
}

export function forbidden(path: FieldPath | string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field: String(path), message: `Forbidden: ${detail}` };
}

export function unknownField(path: FieldPath | string): StatusCause {
  return { reason: UNKNOWN_FIELD, field: String(path), message: `unknown field "${String(path)}"` };
}

/** Drops repeated causes (schema validators report some twice) keeping the first. */
export function dedupe(causes: StatusCause[]): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.field ?? ''}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Unknown-field causes only, deduplicated and sorted by path (a stable message whatever the key order). */
export function unknownFieldsOnly(causes: StatusCause[]): StatusCause[] {
  return dedupe(causes.filter((c) => c.reason === UNKNOWN_FIELD)).sort((a, b) => String(a.field).localeCompare(String(b.field)));
}

/** All causes, deduplicated, unknown fields first (sorted by path), then the others in order. */
export function withUnknownFirst(causes: StatusCause[]): StatusCause[] {
  const unique = dedupe(causes);
  return [...unknownFieldsOnly(unique), ...unique.filter((c) => c.reason !== UNKNOWN_FIELD)];
}

/**
 * The error a request fails with given the causes of `validate`: unknown
 * fields fail decoding under fieldValidation=Strict (400, as kube's strict
 * decoder words it), anything else is 422 Invalid naming each field.
 * Returns undefined when there are no causes.
 */
export function rejection(object: KubeObject, causes: StatusCause[], group = ''): ApiError | undefined {
  if (causes.length === 0) return undefined;
  const unknown = causes.filter((c) => c.reason === UNKNOWN_FIELD);
  const version = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[1] : object.apiVersion;
  if (unknown.length > 0) {
    const list = unknown.map((c) => c.message).join(', ');
    return new ApiError(400, 'BadRequest', `${object.kind} in version "${version}" cannot be handled as a ${object.kind}: strict decoding error: ${list}`);
  }
  return ApiError.invalid(object.kind, object.metadata?.name ?? '', causes, group);
}
