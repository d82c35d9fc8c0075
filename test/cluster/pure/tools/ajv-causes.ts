// The causes the @kubernetes-models ajv validators give for an object,
// worded as the server words them — what validation/models.ts returned when
// it called those validators at run time. The schemas test compares the
// generated schemas against this on many objects.
import type { StatusCause } from '../../../../source/cluster/embedded/apiserver/api-error.js';
import { dedupe, invalid, notSupported, required, tooLong, tooMany } from '../../../../source/cluster/embedded/validation/causes.js';
import { pointerToPath } from '../../../../source/cluster/embedded/validation/models.js';
import type { AjvError, AjvValidate } from './generate-schemas.js';

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function toCause(object: unknown, error: AjvError): StatusCause | undefined {
  const path = pointerToPath(error.instancePath);
  const value = valueAt(object, error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'required': return required(path.child(String(p.missingProperty)));
    case 'type': return invalid(path, jsonType(value), `${path} in body must be of type ${String(p.type)}: "${jsonType(value)}"`);
    case 'enum': return notSupported(path, value, (p.allowedValues as unknown[]) ?? []);
    case 'pattern': return invalid(path, value, `${path} in body should match '${String(p.pattern)}'`);
    case 'maxLength': return tooLong(path, Number(p.limit));
    case 'minLength': return invalid(path, value, `${path} in body should be at least ${String(p.limit)} chars long`);
    case 'maxItems': return tooMany(path, Array.isArray(value) ? value.length : 0, Number(p.limit));
    case 'minItems': return invalid(path, Array.isArray(value) ? value.length : 0, `${path} in body should have at least ${String(p.limit)} items`);
    case 'maximum': return invalid(path, value, `${path} in body should be less than or equal to ${String(p.limit)}`);
    case 'minimum': return invalid(path, value, `${path} in body should be greater than or equal to ${String(p.limit)}`);
    case 'maxProperties': return tooMany(path, value && typeof value === 'object' ? Object.keys(value).length : 0, Number(p.limit));
    case 'format':
      if (p.format === 'byte') return undefined;
      return invalid(path, value, `${path} in body must be of type ${String(p.format)}: ${JSON.stringify(value)}`);
    default: return undefined;
  }
}

export function ajvCauses(validate: AjvValidate, object: unknown): StatusCause[] {
  if (validate(object)) return [];
  const causes = (validate.errors ?? []).map((e) => toCause(object, e)).filter((c): c is StatusCause => c !== undefined);
  const byField = new Map<string, StatusCause>();
  for (const cause of dedupe(causes)) if (!byField.has(`${cause.field}\u0000${cause.reason}`)) byField.set(`${cause.field}\u0000${cause.reason}`, cause);
  return [...byField.values()];
}
