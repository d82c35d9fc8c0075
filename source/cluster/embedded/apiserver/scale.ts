// The `scale` subresource of Deployments and ReplicaSets (`kubectl scale`):
// an autoscaling/v1 Scale view of spec.replicas, readable and writable with
// GET, PUT and PATCH.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { notFound, type ApiContext, type ResourceTarget } from './api-context.js';
import { isDryRun } from './admission.js';
import { readBody, sendJson } from './http-util.js';
import { checkPatchType, patchObject } from '../patch/patch-body.js';
import { decodeObject } from './request-body.js';
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';

export function isScalable(type: ResourceType): boolean {
  return type.group === 'apps' && (type.plural === 'deployments' || type.plural === 'replicasets' || type.plural === 'statefulsets');
}

const scaleType: ResourceType = {
  group: 'autoscaling',
  versions: ['v1'],
  kind: 'Scale',
  listKind: 'ScaleList',
  plural: 'scale',
  singular: 'scale',
  namespaced: true,
  hasStatus: false,
  strategicMerge: true,
};

function selectorText(object: KubeObject): string {
  const labels = ((object.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels) ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function toScale(object: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: (object.spec as { replicas?: number } | undefined)?.replicas ?? 1 },
    status: { replicas: (object.status as { replicas?: number } | undefined)?.replicas ?? 0, selector: selectorText(object) },
  };
}

export async function handleScale(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
  if (!isScalable(target.type) || target.name === undefined) throw ApiError.noSuchResource();
  const current = ctx.store.get(target.key, target.namespace, target.name);
  if (!current) throw notFound(target, target.name);
  const method = req.method ?? 'GET';
  if (method === 'GET') return sendJson(res, 200, toScale(current));
  let wanted: KubeObject;
  if (method === 'PUT') wanted = await decodeObject(req.headers['content-type'], await readBody(req));
  else if (method === 'PATCH') {
    const contentType = checkPatchType(req.headers['content-type'], scaleType);
    wanted = await patchObject(toScale(current), await readBody(req), contentType, scaleType);
  } else throw new ApiError(405, 'MethodNotAllowed', `method ${method} is not allowed on the scale subresource`);
  const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw ApiError.invalid('Scale', target.name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, reason: 'FieldValueInvalid' }], 'autoscaling');
  }
  const requested = wanted.metadata?.resourceVersion;
  if (requested && requested !== current.metadata.resourceVersion) {
    throw ApiError.conflict(`Operation cannot be fulfilled on ${target.type.plural}.${target.type.group} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
  const next = { ...current, spec: { ...(current.spec as object), replicas } };
  const stored = isDryRun(query) ? next : ctx.store.update(target.key, next);
  await ctx.store.committed();
  sendJson(res, 200, toScale(stored));
}
