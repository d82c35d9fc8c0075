// What the API server does to an object between decoding and storing: check
// it addresses the right kind and namespace, fill generateName, turn Secret
// stringData into data, apply the few defaults kubectl relies on, and validate
// under the requested fieldValidation (Strict → reject, Warn → warn, Ignore).
import crypto from 'node:crypto';
import { ApiError, type StatusCause } from './api-error.js';
import { NAMESPACE_KEY, type ApiContext, type ResourceTarget } from './api-context.js';
import type { KubeObject } from '../store/store-types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw ApiError.badRequest(`fieldValidation must be one of Strict, Warn or Ignore (got "${value}")`);
}

export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

/** The body must be the kind (and group) the URL addresses; namespace in body and URL must agree. */
export function checkIdentity(target: ResourceTarget, object: KubeObject): void {
  const { type } = target;
  // As kube-apiserver does, a body without apiVersion/kind takes the ones of the URL it was sent to.
  if (!object.kind) object.kind = type.kind;
  if (!object.apiVersion) object.apiVersion = target.apiVersion;
  const slash = object.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : object.apiVersion.slice(0, slash);
  if (object.kind !== type.kind || group !== type.group) {
    throw ApiError.badRequest(`the object provided is a ${object.kind} (${object.apiVersion}) but this URL addresses ${type.kind} (${target.apiVersion})`);
  }
  // A version the group does not serve cannot be decoded, as kube-apiserver's scheme says (400), never stored as another.
  const version = slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1);
  if (!type.versions.includes(version)) {
    throw ApiError.badRequest(`no kind "${object.kind}" is registered for version "${object.apiVersion}" in scheme "k8s.io/apimachinery/pkg/runtime/scheme.go:100"`);
  }
  if (type.namespaced) {
    const bodyNamespace = object.metadata.namespace;
    if (bodyNamespace && target.namespace && bodyNamespace !== target.namespace) {
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = target.namespace ?? bodyNamespace;
  } else {
    delete object.metadata.namespace;
  }
  object.apiVersion = type.group ? `${type.group}/${type.versions[0]}` : type.versions[0]!;
}

export function ensureNamespaceExists(ctx: ApiContext, target: ResourceTarget, namespace: string | undefined): void {
  if (!target.type.namespaced || !namespace) return;
  if (!ctx.store.get(NAMESPACE_KEY, undefined, namespace)) throw ApiError.notFound('namespaces', namespace);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(crypto.randomBytes(5), (b) => alphabet[b % alphabet.length]).join('');
}

/** Server-side shaping every write gets (create and update alike). */
export function normalize(target: ResourceTarget, object: KubeObject): void {
  const { type } = target;
  if (type.group === '' && type.kind === 'Secret' && object.stringData && typeof object.stringData === 'object') {
    const data = { ...((object.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(object.stringData as Record<string, unknown>)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    object.data = data;
    delete object.stringData;
  }
  if (type.group === '' && type.kind === 'Secret' && !object.type) object.type = 'Opaque';
  if (type.group === '' && type.kind === 'Namespace') {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), 'kubernetes.io/metadata.name': object.metadata.name };
    object.spec = { finalizers: ['kubernetes'], ...((object.spec as object) ?? {}) };
  }
  if (type.group === 'apps' && type.kind === 'Deployment' && object.spec && typeof object.spec === 'object') {
    const spec = object.spec as Record<string, unknown>;
    if (spec.replicas === undefined) spec.replicas = 1;
  }
  if (type.group === '' && type.kind === 'Service' && object.spec && typeof object.spec === 'object') {
    const spec = object.spec as Record<string, unknown>;
    if (spec.type === undefined) spec.type = 'ClusterIP';
  }
}

export function prepareCreate(target: ResourceTarget, object: KubeObject): void {
  checkIdentity(target, object);
  const meta = object.metadata;
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
  if (!meta.name) {
    throw ApiError.invalid(target.type.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }], target.type.group);
  }
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'deletionTimestamp', 'managedFields', 'selfLink']) delete meta[field];
  if (target.type.hasStatus) {
    delete object.status;
    if (target.type.group === '' && target.type.kind === 'Namespace') object.status = { phase: 'Active' };
  }
  normalize(target, object);
}

function isUnknownField(cause: StatusCause): boolean {
  return cause.reason === 'FieldValueUnknown' || cause.reason === 'UnknownField' || /^unknown field/i.test(cause.message);
}

/** Validates; returns the warnings to send (Warn), throws 400 (unknown fields under Strict) or 422 (bad values). */
export function validate(target: ResourceTarget, object: KubeObject, mode: FieldValidation): string[] {
  const { type } = target;
  const causes = type.validate ? type.validate(object, { strict: mode !== 'Ignore' }) : [];
  const unknown = causes.filter(isUnknownField);
  const invalid = causes.filter((c) => !isUnknownField(c));
  if (invalid.length) throw ApiError.invalid(type.kind, object.metadata.name, invalid, type.group);
  if (!unknown.length || mode === 'Ignore') return [];
  const fields = unknown.map((c) => `unknown field "${c.field ?? c.message}"`);
  if (mode === 'Strict') {
    throw new ApiError(400, 'BadRequest', `${type.kind} in version "${target.version}" cannot be handled as a ${type.kind}: strict decoding error: ${fields.join(', ')}`, {
      name: object.metadata.name,
      group: type.group,
      kind: type.kind,
      causes: unknown,
    });
  }
  return fields;
}

/**
 * The write path around `validate`, as kube-apiserver orders it: schema
 * defaults first, then validation, then (on updates) the fields that may not
 * change, then — under Warn/Ignore — the unknown fields dropped so they are
 * not stored. Returns the object to store and the warnings to send.
 */
export function admit(target: ResourceTarget, object: KubeObject, mode: FieldValidation, previous?: KubeObject): { object: KubeObject; warnings: string[] } {
  const { type } = target;
  const defaulted = type.applyDefaults ? type.applyDefaults(object) : object;
  const warnings = validate(target, defaulted, mode);
  const immutable = previous && type.validateUpdate ? type.validateUpdate(defaulted, previous) : [];
  if (immutable.length) throw ApiError.invalid(type.kind, defaulted.metadata.name, immutable, type.group);
  return { object: mode !== 'Strict' && type.prune ? type.prune(defaulted) : defaulted, warnings };
}
