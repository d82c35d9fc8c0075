// POST, PUT, PATCH (incl. server-side apply) and DELETE. Each request is
// decoded, checked and validated in full before the store is touched, so a
// rejected request changes nothing. A write is answered only once it is on
// disk (`store.committed()`), so an acknowledged write survives a kill -9.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { notFound, present, type ApiContext, type ResourceTarget } from './api-context.js';
import { checkIdentity, ensureNamespaceExists, fieldValidationOf, isDryRun, normalize, prepareCreate, admit } from './admission.js';
import { mediaType, readBody, rfc3339, sendJson } from './http-util.js';
import { checkPatchType, patchObject } from '../patch/patch-body.js';
import { decodeObject, parseJson } from './request-body.js';
import type { DeleteOptions, PropagationPolicy } from '../store/store.js';
import type { KubeObject } from '../store/store-types.js';
import { keepAllocatedValues } from '../validation/update-rules.js';

/** As on a real cluster, these namespaces cannot be deleted. */
const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** Answers a write once it is durable; a failed disk write throws a 500 (and the change was undone). */
async function respond(ctx: ApiContext, res: ServerResponse, code: number, target: ResourceTarget, object: KubeObject, warnings: string[]): Promise<void> {
  await ctx.store.committed();
  sendJson(res, code, present(target, object), 'application/json', [...target.warnings, ...warnings]);
}

/** What a dry-run create would have stored. */
function dryRunCreated(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  copy.metadata.uid = crypto.randomUUID();
  copy.metadata.creationTimestamp = rfc3339();
  copy.metadata.generation = 1;
  return copy;
}

function createObject(ctx: ApiContext, target: ResourceTarget, sent: KubeObject, query: URLSearchParams): { object: KubeObject; warnings: string[] } {
  prepareCreate(target, sent);
  ensureNamespaceExists(ctx, target, sent.metadata.namespace);
  const { object, warnings } = admit(target, sent, fieldValidationOf(query));
  if (ctx.store.get(target.key, object.metadata.namespace, object.metadata.name)) {
    throw ApiError.alreadyExists(target.type.plural, object.metadata.name, target.type.group);
  }
  if (isDryRun(query)) return { object: dryRunCreated(object), warnings };
  return { object: ctx.store.create(target.key, object), warnings };
}

export async function handleCreate(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
  if (target.name !== undefined) throw ApiError.methodNotAllowed();
  const object = await decodeObject(req.headers['content-type'], await readBody(req));
  if (target.type.namespaced && !target.namespace && !object.metadata.namespace) {
    throw ApiError.badRequest('a namespaced object must be created in a namespace (POST .../namespaces/<ns>/...)');
  }
  const created = createObject(ctx, target, object, query);
  await respond(ctx, res, 201, target, created.object, created.warnings);
}

/** Stores an updated object (main resource or status), after the same checks a PUT gets. */
function storeUpdate(ctx: ApiContext, target: ResourceTarget, sent: KubeObject, query: URLSearchParams): { object: KubeObject; warnings: string[] } {
  const current = ctx.store.get(target.key, target.namespace, target.name!);
  if (!current) throw notFound(target, target.name!);
  let next = sent;
  checkIdentity(target, next);
  if (next.metadata.name !== target.name) {
    throw ApiError.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${target.name})`);
  }
  normalize(target, next);
  const status = target.subresource === 'status';
  if (!status) keepAllocatedValues(target.type.group, next, current);
  // Validate the object as it will be stored: status writes keep the spec, spec writes keep the status.
  const candidate = structuredClone(status ? { ...current, status: next.status } : target.type.hasStatus ? { ...next, status: current.status } : next) as KubeObject;
  const admitted = admit(target, candidate, fieldValidationOf(query), current);
  const { warnings } = admitted;
  // Store what was admitted (defaults filled, unknown fields pruned), keeping the part this write may not change.
  next = status ? { ...next, status: admitted.object.status } : target.type.hasStatus ? { ...admitted.object, status: next.status } : admitted.object;
  const requested = next.metadata.resourceVersion;
  if (requested && requested !== current.metadata.resourceVersion) {
    throw ApiError.modified(target.type.plural, target.name, target.type.group);
  }
  if (isDryRun(query)) return { object: admitted.object, warnings };
  const stored = status ? ctx.store.updateStatus(target.key, next) : ctx.store.update(target.key, next);
  return { object: stored, warnings };
}

export async function handleUpdate(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
  if (target.name === undefined) throw ApiError.methodNotAllowed();
  if (target.subresource !== undefined && target.subresource !== 'status') throw ApiError.noSuchResource();
  const object = await decodeObject(req.headers['content-type'], await readBody(req));
  if (target.namespace && !object.metadata.namespace) object.metadata.namespace = target.namespace;
  const updated = storeUpdate(ctx, target, object, query);
  await respond(ctx, res, 200, target, updated.object, updated.warnings);
}

export async function handlePatch(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
  if (target.name === undefined) throw ApiError.methodNotAllowed();
  if (target.subresource !== undefined && target.subresource !== 'status') throw ApiError.noSuchResource();
  const contentType = checkPatchType(req.headers['content-type'], target.type);
  const body = await readBody(req);
  if (body.length === 0) throw ApiError.badRequest('the patch body is empty');
  const isApply = contentType.startsWith('application/apply-patch');
  if (isApply && !query.get('fieldManager')) throw ApiError.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  const current = ctx.store.get(target.key, target.namespace, target.name);
  if (!current) {
    if (!isApply || target.subresource) throw notFound(target, target.name);
    // Server-side apply of something new is a create (201).
    const object = await decodeObject(contentType, body);
    if (object.metadata.name && object.metadata.name !== target.name) throw ApiError.badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${target.name})`);
    object.metadata.name = target.name;
    const created = createObject(ctx, target, object, query);
    await respond(ctx, res, 201, target, created.object, created.warnings);
    return;
  }
  if (isApply) {
    // Validate the applied configuration's identity before merging it.
    checkIdentity(target, await decodeObject(contentType, body));
  }
  const patched = await patchObject(structuredClone(current), body, contentType, target.type);
  if (patched === null || typeof patched !== 'object' || typeof patched.metadata !== 'object' || patched.metadata === null) {
    throw ApiError.badRequest('the patch did not produce an object with metadata');
  }
  if (patched.metadata.name !== target.name || (patched.metadata.namespace ?? undefined) !== (current.metadata.namespace ?? undefined)) {
    throw ApiError.badRequest('a patch may not change metadata.name or metadata.namespace');
  }
  if (!patched.apiVersion) patched.apiVersion = current.apiVersion;
  if (!patched.kind) patched.kind = current.kind;
  const updated = storeUpdate(ctx, target, patched, query);
  await respond(ctx, res, 200, target, updated.object, updated.warnings);
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions & { dryRun: boolean }> {
  const body = await readBody(req);
  let options: { propagationPolicy?: string; preconditions?: DeleteOptions['preconditions']; dryRun?: string[]; orphanDependents?: boolean } = {};
  if (body.length) {
    const type = mediaType(req.headers['content-type']);
    if (type && type !== 'application/json') throw new ApiError(415, 'UnsupportedMediaType', `DeleteOptions must be JSON (got "${type}")`);
    options = parseJson(body) as typeof options;
    if (options === null || typeof options !== 'object') throw ApiError.badRequest('DeleteOptions must be a JSON object');
  }
  const policy = query.get('propagationPolicy') ?? options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw ApiError.badRequest(`propagationPolicy must be Background, Foreground or Orphan (got "${policy}")`);
  }
  return {
    propagationPolicy: policy as PropagationPolicy | undefined,
    preconditions: options.preconditions,
    dryRun: isDryRun(query) || Boolean(options.dryRun?.includes('All')),
  };
}

export async function handleDelete(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
  if (target.subresource !== undefined) throw ApiError.methodNotAllowed();
  const options = await deleteOptions(req, query);
  if (target.name === undefined) {
    // deletecollection
    const { items } = ctx.store.list(target.key, {
      namespace: target.namespace,
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
    });
    const deleted = options.dryRun ? items : items.flatMap((o) => ctx.store.delete(target.key, o.metadata.namespace, o.metadata.name, options) ?? []);
    await ctx.store.committed();
    sendJson(res, 200, { kind: target.type.listKind, apiVersion: target.apiVersion, metadata: { resourceVersion: ctx.store.resourceVersion }, items: deleted.map((o) => present(target, o)) });
    return;
  }
  const current = ctx.store.get(target.key, target.namespace, target.name);
  if (!current) throw notFound(target, target.name);
  if (target.type.group === '' && target.type.plural === 'namespaces' && PROTECTED_NAMESPACES.includes(target.name)) {
    throw new ApiError(403, 'Forbidden', `namespaces "${target.name}" is forbidden: this namespace may not be deleted`, { name: target.name, kind: 'namespaces' });
  }
  const deleted = options.dryRun ? current : ctx.store.delete(target.key, target.namespace, target.name, options);
  if (!deleted) throw notFound(target, target.name);
  await respond(ctx, res, 200, target, deleted, []);
}
