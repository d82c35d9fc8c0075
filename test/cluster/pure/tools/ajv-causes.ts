// The causes ajv validators give for an object, worded as the server words
// them — what validation/models.ts returned when it called the
// @kubernetes-models validators at run time. The schemas test compares the
// generated schemas against this on many objects: for the core kinds with
// kubernetes-models' compiled validators, for the Gateway API kinds with ajv
// compiling the generated schema itself (compileGenerated).
import { Ajv } from 'ajv';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
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

type Json = Record<string, unknown>;

/** `schema` with every $ref replaced by its definition (sibling keywords kept); for schemas without cycles. */
function inlined(schema: Json, definitions: Record<string, Json>, depth = 0): Json {
  if (depth > 64) throw new Error('a $ref cycle: not for ajv inlining');
  const { $ref: ref, ...rest } = schema;
  const base = typeof ref === 'string' ? inlined(definitions[ref]!, definitions, depth + 1) : {};
  const out: Json = { ...base, ...rest };
  if (out.items) out.items = inlined(out.items as Json, definitions, depth + 1);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = inlined(out.additionalProperties as Json, definitions, depth + 1);
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, Json>).map(([name, child]) => [name, inlined(child, definitions, depth + 1)]));
  }
  for (const key of ['allOf', 'oneOf'] as const) if (Array.isArray(out[key])) out[key] = (out[key] as Json[]).map((sub) => inlined(sub, definitions, depth + 1));
  return out;
}

/**
 * An ajv validator of a generated root (the Gateway API kinds, which no
 * package compiles for us any more), configured as the kubernetes-models
 * validators are: every error, OpenAPI's `nullable`, the x-kubernetes
 * keywords ignored, the formats the schemas name.
 */
export function compileGenerated(root: string, definitions: Record<string, Json>): AjvValidate {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its plugin is the default export's default.
  const addFormats = (formatsModule as unknown as { default: FormatsPlugin }).default;
  addFormats(ajv, ['int32', 'date-time']);
  return ajv.compile(inlined({ $ref: root }, definitions)) as unknown as AjvValidate;
}
