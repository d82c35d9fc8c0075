// A structural OpenAPI v3 schema (the subset CRDs use) and the checks
// apiextensions-apiserver runs with it: types, required, enum, pattern,
// bounds, unknown fields (rejected under Strict, pruned otherwise) and
// defaults. Used for stored CRDs, the vendor kinds' compact schemas and the
// shapes generated from the Gateway API and Kubernetes models.
import type { StatusCause } from '../apiserver/api-error.js';
import { FieldPath, invalid, notSupported, required, tooLong, tooMany, unknownField } from './causes.js';

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  /** Reference into the definitions passed alongside (generated shapes). */
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [extension: string]: unknown;
}

export type Definitions = Record<string, Schema>;

export interface SchemaCheckOptions {
  /** Report unknown fields (fieldValidation=Strict). */
  strict: boolean;
  /** Check types and values; false checks only unknown fields. */
  values?: boolean;
  definitions?: Definitions;
  /**
   * Report as the compiled kubernetes-models (ajv) validators do (the core
   * schemas come from them, the Gateway API ones are checked against ajv too,
   * and their wording is what learners and tests already see): fields in schema order, map keys that look like field
   * names joined with a dot (`data.key`, `data[tls.crt]`), and an enum
   * checked even when the type is wrong.
   */
  modelCompat?: boolean;
}

// Schemas nest at most as deep as the objects they describe; this bounds
// recursive definitions (JSONSchemaProps) against hostile input.
const MAX_DEPTH = 64;

// A $ref with sibling keywords (`nullable`, bounds of the field using the
// definition) is the definition with those keywords added; merged once per schema node.
const merged = new WeakMap<Schema, Schema>();

function resolve(schema: Schema, definitions: Definitions | undefined): Schema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 16; hops++) {
    const target = definitions?.[current.$ref];
    if (!target) return {};
    const known = merged.get(current);
    if (known) return known;
    const { $ref: _ref, ...siblings } = current;
    if (Object.keys(siblings).length === 0) {
      current = target;
      continue;
    }
    const resolved = { ...resolve(target, definitions), ...siblings };
    merged.set(current, resolved);
    return resolved;
  }
  return current;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A property's schema, own properties only (`constructor`, `__proto__` are field names like any other). */
function propertyOf(schema: Schema, name: string): Schema | undefined {
  return schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return actual === expected;
}

const patternCache = new Map<string, RegExp | null>();
function compile(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    try {
      patternCache.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      patternCache.set(pattern, null);
    }
  }
  return patternCache.get(pattern) ?? null;
}

// Formats of string values the model schemas use. `byte` is left to the
// kind rules (which name the offending input byte); unknown formats pass.
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;
const DATE_TIME = /^(\d\d\d\d)-(\d\d)-(\d\d)[t\s](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i;

function stringFormatValid(format: string, value: string): boolean {
  if (format === 'quantity') return QUANTITY.test(value);
  if (format === 'date-time') {
    const m = DATE_TIME.exec(value);
    if (!m) return false;
    const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
  }
  return true;
}

/** Checks `value` against `schema`; causes carry kube's field paths and wording. */
export function checkSchema(value: unknown, schema: Schema, path: FieldPath, options: SchemaCheckOptions): StatusCause[] {
  const causes: StatusCause[] = [];
  walk(value, schema, path, options, causes, 0);
  return causes;
}

function walk(value: unknown, raw: Schema, path: FieldPath, options: SchemaCheckOptions, causes: StatusCause[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const schema = resolve(raw, options.definitions);
  const values = options.values !== false;
  if (value === null) {
    if (values && !schema.nullable && schema.type && !schema['x-kubernetes-preserve-unknown-fields']) {
      causes.push(invalid(path, 'null', `${path} in body must be of type ${schema.type}: "null"`));
    }
    if (values && options.modelCompat && schema.enum && !schema.enum.includes(null)) causes.push(notSupported(path, null, schema.enum));
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (values && typeof value !== 'string' && !Number.isInteger(value)) {
      causes.push(invalid(path, value, `${path} in body must be of type integer,string: "${typeOf(value)}"`));
    }
    return;
  }
  if (schema.type && !typeMatches(schema.type, value)) {
    if (values) causes.push(invalid(path, typeOf(value), `${path} in body must be of type ${schema.type}: "${typeOf(value)}"`));
    if (values && options.modelCompat && schema.enum && !schema.enum.some((allowed) => allowed === value)) causes.push(notSupported(path, value, schema.enum));
    return;
  }
  if (values) checkValue(value, schema, path, causes, options.modelCompat === true);
  if (isPlainObject(value)) walkObject(value, schema, path, options, causes, depth);
  else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => walk(item, schema.items as Schema, path.index(i), options, causes, depth + 1));
  }
  for (const sub of schema.allOf ?? []) walk(value, sub, path, { ...options, strict: false }, causes, depth + 1);
  if (values && schema.oneOf) {
    // IntOrString, Quantity: valid when a branch accepts the value; otherwise every branch says why.
    const branches = schema.oneOf.map((sub) => {
      const found: StatusCause[] = [];
      walk(value, sub, path, { ...options, strict: false }, found, depth + 1);
      return found;
    });
    if (!branches.some((found) => found.length === 0)) causes.push(...branches.flat());
  }
}

const FIELD_LIKE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The object's keys, those the schema declares first in the schema's order. */
function inSchemaOrder(value: Record<string, unknown>, schema: Schema): string[] {
  const declared = Object.keys(schema.properties ?? {}).filter((name) => Object.hasOwn(value, name));
  return [...declared, ...Object.keys(value).filter((name) => !propertyOf(schema, name))];
}

function walkObject(value: Record<string, unknown>, schema: Schema, path: FieldPath, options: SchemaCheckOptions, causes: StatusCause[], depth: number): void {
  const values = options.values !== false;
  if (values) {
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) causes.push(required(path.child(name)));
    }
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const name of options.modelCompat ? inSchemaOrder(value, schema) : Object.keys(value)) {
    const child = value[name];
    if (child === undefined) continue;
    const property = propertyOf(schema, name);
    if (property) {
      walk(child, property, path.child(name), options, causes, depth + 1);
    } else if (isPlainObject(schema.additionalProperties)) {
      const keyPath = options.modelCompat && FIELD_LIKE.test(name) ? path.child(name) : path.key(name);
      walk(child, schema.additionalProperties, keyPath, options, causes, depth + 1);
    } else if (embedded && (name === 'apiVersion' || name === 'kind' || name === 'metadata')) {
      continue;
    } else if (!preserve && schema.additionalProperties !== true && options.strict && (schema.properties || schema.type === 'object')) {
      causes.push(unknownField(path.child(name)));
    }
  }
}

function checkValue(value: unknown, schema: Schema, path: FieldPath, causes: StatusCause[], modelCompat: boolean): void {
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    causes.push(notSupported(path, value, schema.enum));
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) causes.push(tooLong(path, schema.maxLength));
    if (schema.minLength !== undefined && [...value].length < schema.minLength) {
      causes.push(invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    }
    if (schema.pattern) {
      const re = compile(schema.pattern);
      if (re && !re.test(value)) causes.push(invalid(path, value, `${path} in body should match '${schema.pattern}'`));
    }
    if (schema.format && !stringFormatValid(schema.format, value)) {
      causes.push(invalid(path, value, `${path} in body must be of type ${schema.format}: ${JSON.stringify(value)}`));
    }
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      causes.push(invalid(path, value, `${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`));
    }
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      causes.push(invalid(path, value, `${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`));
    }
    if (schema.format === 'int32' && (value > 2147483647 || value < -2147483648)) {
      causes.push(invalid(path, value, `${path} in body must be of type int32: ${modelCompat ? value : `"${value}"`}`));
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) causes.push(tooMany(path, value.length, schema.maxItems));
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      causes.push(invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
    }
  }
  if (isPlainObject(value)) {
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) causes.push(tooMany(path, count, schema.maxProperties));
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      causes.push(invalid(path, count, `${path} in body should have at least ${schema.minProperties} properties`));
    }
  }
}

/** A copy of `value` without the fields the schema does not know (what the server stores when not Strict). */
export function pruneUnknown(value: unknown, raw: Schema, definitions?: Definitions, depth = 0): unknown {
  if (depth > MAX_DEPTH) return value;
  const schema = resolve(raw, definitions);
  if (Array.isArray(value)) {
    return schema.items ? value.map((item) => pruneUnknown(item, schema.items as Schema, definitions, depth + 1)) : value;
  }
  if (!isPlainObject(value)) return value;
  if (schema['x-kubernetes-int-or-string']) return value;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const hasShape = schema.properties !== undefined || isPlainObject(schema.additionalProperties) || schema.type === 'object';
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const property = propertyOf(schema, name);
    if (property) setOwn(out, name, pruneUnknown(child, property, definitions, depth + 1));
    else if (isPlainObject(schema.additionalProperties)) setOwn(out, name, pruneUnknown(child, schema.additionalProperties, definitions, depth + 1));
    else if (preserve || !hasShape || (embedded && (name === 'apiVersion' || name === 'kind' || name === 'metadata'))) setOwn(out, name, child);
  }
  return out;
}

/** A copy of `value` with the schema's defaults filled in where fields are absent (as the API server does on decode). */
export function applyDefaults(value: unknown, raw: Schema, definitions?: Definitions, depth = 0): unknown {
  if (depth > MAX_DEPTH) return value;
  const schema = resolve(raw, definitions);
  if (Array.isArray(value)) {
    return schema.items ? value.map((item) => applyDefaults(item, schema.items as Schema, definitions, depth + 1)) : value;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const resolved = resolve(property, definitions);
    if (out[name] === undefined && resolved.default !== undefined) out[name] = structuredClone(resolved.default);
    if (out[name] !== undefined) out[name] = applyDefaults(out[name], property, definitions, depth + 1);
  }
  if (isPlainObject(schema.additionalProperties)) {
    for (const name of Object.keys(out)) {
      if (!propertyOf(schema, name)) out[name] = applyDefaults(out[name], schema.additionalProperties, definitions, depth + 1);
    }
  }
  return out;
}
