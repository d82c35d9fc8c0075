// The embedded Kubernetes API server: HTTPS on 127.0.0.1, bearer token,
// discovery, OpenAPI v3, and CRUD/watch for every kind in the registry.
// Stored CRDs register their kinds as they are written.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen } from '../../../common/listen.js';
import { ApiError } from './api-error.js';
import { resolveTarget, type ApiContext } from './api-context.js';
import { authenticate, isPublicPath } from './auth.js';
import { aggregatedDiscovery, aggregatedVersionAccepted, legacyApiVersions, legacyGroup, legacyGroupList, resourceList } from './discovery.js';
import { handleGet } from './handle-read.js';
import { handleCreate, handleDelete, handlePatch, handleUpdate } from './handle-write.js';
import { rfc3339, sendError, sendJson, sendText } from './http-util.js';
import { openapiDocument, openapiRoot, openapiV2Json, openapiV2Protobuf } from './openapi.js';
import { CRD_KEY } from './registry.js';
import { route } from './routing.js';
import { handleScale } from './scale.js';
import { handleUpgrade, STREAMING_SUBRESOURCES } from '../streaming/upgrade.js';

export interface ApiServerOptions extends ApiContext {
  token: string;
  certPem: string;
  keyPem: string;
  /** Port to try first (the one from last time); falls back to a free one. */
  port?: number;
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-agw-workshop',
  gitCommit: 'embedded',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'node',
  platform: `${process.platform}/${process.arch}`,
};

async function dispatch(ctx: ApiServerOptions, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (!isPublicPath(url.pathname)) authenticate(req, ctx.token);
  const r = route(url.pathname);
  const method = req.method ?? 'GET';
  const types = ctx.registry.all();
  if (r.type !== 'resource' && method !== 'GET') throw ApiError.methodNotAllowed();
  switch (r.type) {
    case 'version':
      return sendJson(res, 200, VERSION_INFO);
    case 'health':
      return sendText(res, 200, 'ok');
    case 'discovery-core':
    case 'discovery-groups': {
      const aggregated = aggregatedVersionAccepted(req.headers.accept);
      if (aggregated) {
        return sendJson(
          res,
          200,
          aggregatedDiscovery(types, r.type === 'discovery-core', `apidiscovery.k8s.io/${aggregated}`),
          `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
        );
      }
      return sendJson(res, 200, r.type === 'discovery-core' ? legacyApiVersions(`127.0.0.1:${port}`) : legacyGroupList(types));
    }
    case 'group': {
      const group = legacyGroup(types, r.group);
      if (!group) throw ApiError.noSuchResource();
      return sendJson(res, 200, group);
    }
    case 'group-version': {
      const list = resourceList(types, r.group, r.version);
      if (!list) throw ApiError.noSuchResource();
      return sendJson(res, 200, list);
    }
    case 'openapi-root':
      return sendJson(res, 200, openapiRoot(types));
    case 'openapi-doc': {
      const doc = openapiDocument(types, r.group, r.version);
      if (!doc) throw ApiError.noSuchResource();
      return sendJson(res, 200, doc);
    }
    case 'openapi-v2': {
      if (!String(req.headers.accept ?? '').includes('protobuf')) return sendJson(res, 200, openapiV2Json());
      const body = openapiV2Protobuf();
      res.writeHead(200, { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'content-length': body.length });
      res.end(body);
      return;
    }
    case 'not-found':
      throw ApiError.noSuchResource();
    case 'resource': {
      const target = resolveTarget(ctx, r);
      if (target.subresource === 'scale') return handleScale(ctx, req, res, target, url.searchParams);
      // Without an Upgrade header these reach here; a real API server answers the same.
      if ((STREAMING_SUBRESOURCES as readonly string[]).includes(target.subresource ?? '')) throw ApiError.badRequest('Upgrade request required');
      switch (method) {
        case 'GET':
          return handleGet(ctx, req, res, target, url.searchParams);
        case 'POST':
          return handleCreate(ctx, req, res, target, url.searchParams);
        case 'PUT':
          return handleUpdate(ctx, req, res, target, url.searchParams);
        case 'PATCH':
          return handlePatch(ctx, req, res, target, url.searchParams);
        case 'DELETE':
          return handleDelete(ctx, req, res, target, url.searchParams);
        default:
          throw new ApiError(405, 'MethodNotAllowed', `method ${method} is not allowed`);
      }
    }
  }
}

/** Keeps the registry in step with the stored CRDs, and marks each CRD Established as the real server does. */
function registerCrds(ctx: ApiContext): () => void {
  const sync = () => ctx.registry.setCrds(ctx.store.list(CRD_KEY).items);
  sync();
  return ctx.store.watch(CRD_KEY, (event) => {
    const before = new Set(ctx.registry.all().map((t) => `${t.group}/${t.plural}`));
    sync();
    if (event.type === 'DELETED') {
      // The kinds a deleted CRD defined are gone, and so are their objects (as on a real cluster).
      const after = new Set(ctx.registry.all().map((t) => `${t.group}/${t.plural}`));
      for (const key of ctx.store.collectionKeys()) {
        if (!before.has(`${key.group}/${key.resource}`) || after.has(`${key.group}/${key.resource}`)) continue;
        for (const o of ctx.store.list(key).items) ctx.store.delete(key, o.metadata.namespace, o.metadata.name);
      }
      return;
    }
    const conditions = ((event.object.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Established')) return;
    const now = rfc3339();
    const names = (event.object.spec as { names?: unknown } | undefined)?.names;
    const established = {
      ...event.object,
      status: {
        acceptedNames: names,
        storedVersions: ((event.object.spec as { versions?: { name: string; storage?: boolean }[] }).versions ?? []).filter((v) => v.storage).map((v) => v.name),
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
        ],
      },
    };
    delete established.metadata.resourceVersion;
    try {
      ctx.store.updateStatus(CRD_KEY, established);
    } catch (error) {
      ctx.log(`api: could not mark CRD ${event.object.metadata.name} established: ${(error as Error).message}`);
    }
  });
}

function listenOnLoopback(server: https.Server, port: number): Promise<number> {
  return listen(server, { port, host: '127.0.0.1' });
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const stopCrds = registerCrds(options);
  let port = 0;
  // AGW_API_LOG=1 logs every request with its answer (what kubectl -v=6 shows from the other side).
  const logRequests = Boolean(process.env.AGW_API_LOG);
  const server = https.createServer({ cert: options.certPem, key: options.keyPem }, (req, res) => {
    if (logRequests) {
      // A watch answers for minutes: log it when it opens as well as when it ends.
      if (/[?&]watch=(true|1)/.test(req.url ?? '')) options.log(`api: ${req.method} ${req.url} (watch opened)`);
      res.on('finish', () => options.log(`api: ${req.method} ${req.url} → ${res.statusCode}`));
    }
    dispatch(options, port, req, res).catch((error: unknown) => sendError(res, error, options.log));
  });
  // exec and port-forward arrive as HTTP upgrades (WebSocket or SPDY), not as requests.
  server.on('upgrade', (req, socket, head) => {
    if (logRequests) options.log(`api: ${req.method} ${req.url} (upgrade: ${req.headers.upgrade ?? ''})`);
    handleUpgrade(options, req, socket, head);
  });
  server.keepAliveTimeout = 30_000;
  try {
    port = await listenOnLoopback(server, options.port ?? 0);
  } catch (error) {
    if (!options.port || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    options.log(`api: port ${options.port} is taken; choosing a free one`);
    port = await listenOnLoopback(server, 0);
  }
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        stopCrds();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
