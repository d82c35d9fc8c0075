// Guards for reading untrusted API objects: each returns a well-typed value or
// a safe default, so a malformed object yields a condition, never a throw.
import type { InputObject } from './input-types.js';

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asRecord(value: unknown): Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

export function isRecord(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function nameOf(object: InputObject): string {
  return asString(object.metadata?.name) ?? '';
}

export function namespaceOf(object: InputObject): string {
  return asString(object.metadata?.namespace) ?? 'default';
}

export function generationOf(object: InputObject): number {
  return asNumber(object.metadata?.generation) ?? 1;
}

export function keyOf(object: InputObject): string {
  return `${namespaceOf(object)}/${nameOf(object)}`;
}

export function labelsOf(object: InputObject): Record<string, string> {
  return asRecord(object.metadata?.labels) as Record<string, string>;
}

/** Sorts oldest first, then by namespace/name: the Gateway API's tie-breaker everywhere. */
export function compareAge(a: InputObject, b: InputObject): number {
  const ta = asString(a.metadata?.creationTimestamp) ?? '';
  const tb = asString(b.metadata?.creationTimestamp) ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Decodes one key of a Secret's base64 `data`; undefined when absent or not base64. */
export function secretValue(secret: InputObject, key: string): string | undefined {
  const encoded = asString(asRecord(secret.data)[key]);
  if (encoded === undefined) return undefined;
  if (!/^[A-Za-z0-9+/=\s]*$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** A ConfigMap's `data` value (plain text). */
export function configMapValue(configMap: InputObject, key: string): string | undefined {
  return asString(asRecord(configMap.data)[key]);
}

/** A field's value for a message, whatever it holds (never throws, unlike String() on odd objects). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '(none)';
  try {
    return JSON.stringify(value) ?? '(none)';
  } catch {
    return '(unreadable)';
  }
}
