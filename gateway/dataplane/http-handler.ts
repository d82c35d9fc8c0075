// One HTTP request through the proxy, HTTP/1.1 and HTTP/2 alike: choose the
// listener (SNI on TLS ports, Host on plain ones; 421 when they disagree),
// the route, apply policy and filters, then hand over to the backend.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { HttpFilterIR } from '../ir/types.js';
import { JwtVerifier, wwwAuthenticate } from '../policy/jwt-verify.js';
import { proxyToAi } from '../upstream/ai.js';
import { proxyToForwardTarget } from '../upstream/forward-proxy.js';
import type { UpstreamRequest } from '../upstream/forward.js';
import { upstreamRequestHeaders } from '../upstream/headers.js';
import type { UpstreamPools } from '../upstream/pools.js';
import { proxyToService } from '../upstream/service.js';
import type { AccessLog, AccessLogEntry } from './access-log.js';
import { connectionOf, type ConnectionContext } from './connection.js';
import { Exchange, type DownstreamRequest, type DownstreamResponse } from './exchange.js';
import { corsDecision } from './cors.js';
import { applyHeaderModifier, modifyPath, redirectLocation, type HeaderRecord } from './request-filters.js';
import { startMirrors } from './mirror.js';
import { normalizeHost } from './listener-lookup.js';
import { chooseBackend, matchRoute, splitTarget, type CompiledRoute } from './router.js';
import type { RuntimeListener } from './compiled-config.js';

export interface HandlerDeps {
  accessLog: AccessLog;
  pools: UpstreamPools;
  jwt: JwtVerifier;
  /** Request spans (gateway/tracing), when tracing is configured. */
  tracing?: { begin(ex: Exchange): void };
}

function hasBody(req: DownstreamRequest): boolean {
  if (req.httpVersionMajor === 2) return !(req as import('node:http2').Http2ServerRequest).stream.endAfterHeaders;
  const h = req.headers;
  return h['content-length'] !== undefined ? h['content-length'] !== '0' : h['transfer-encoding'] !== undefined;
}

export function createRequestHandler(deps: HandlerDeps) {
  return function handleRequest(req: DownstreamRequest, res: DownstreamResponse): void {
    const conn = connectionOf(req.socket);
    const h2 = req.httpVersionMajor === 2;
    const authority = (h2 ? (req.headers[':authority'] as string | undefined) : undefined) ?? req.headers.host;
    const host = normalizeHost(authority);
    const target = req.url || '/';
    const entry: AccessLogEntry = {
      time: new Date().toISOString(),
      port: conn?.holder.port ?? 0,
      portMap: conn?.holder.portMapText,
      sni: conn?.tls ? (conn.sni ?? '-') : undefined,
      proto: h2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`,
      method: req.method,
      host,
      path: target,
      flags: [],
      clientCert: conn?.clientCert,
    };
    const ex = new Exchange(req, res, entry, deps.accessLog);
    deps.tracing?.begin(ex);
    if (!conn) {
      ex.sendLocal(500, 'connection without context\n');
      return;
    }
    const port = conn.holder.current;
    let listener: RuntimeListener | undefined;
    if (conn.tls) {
      listener = port.byName.get(conn.listenerName!) ?? conn.listenerAtAccept;
      if (host && listener) {
        const byHost = port.index.lookup(host);
        if (byHost && byHost.name !== listener.name) {
          entry.listener = listener.name;
          ex.sendLocal(421, `misdirected request: Host ${host} belongs to listener ${byHost.name}, but this connection's SNI ${conn.sni ?? '(none)'} chose listener ${listener.name}\n`, {}, 'MR');
          return;
        }
      }
    } else {
      listener = port.index.lookup(host);
    }
    if (!listener) {
      ex.sendLocal(404, `no listener on port ${conn.holder.port} for host ${host ?? '(none)'}\n`, {}, 'NR');
      return;
    }
    entry.listener = listener.name;
    const { path, query } = splitTarget(target);
    const route = matchRoute(listener.routes, { method: req.method ?? 'GET', host, path, query, headers: req.headers });
    if (!route) {
      ex.sendLocal(404, 'no route\n', {}, 'NR');
      return;
    }
    entry.route = route.entry.id;
    ex.route = route.entry;
    const timeoutMs = route.entry.timeouts.requestMs ?? route.entry.timeouts.backendRequestMs;
    if (timeoutMs) ex.startTimeout(timeoutMs);
    ex.responseHeaderEdits = route.responseHeaderEdits;
    // CORS before authentication: a browser's preflight carries no credentials.
    const cors = corsDecision(route.entry.filters, req.method, req.headers);
    if (cors?.kind === 'preflight') {
      ex.sendLocal(200, '', cors.headers);
      return;
    }
    if (cors) ex.responseHeaderEdits = [...ex.responseHeaderEdits, cors.edit];
    const jwt = route.entry.policies.jwt;
    if (jwt) {
      deps.jwt.verify(jwt, req.headers.authorization).then(
        (outcome) => {
          if (!outcome.ok) {
            entry.message = `jwt: ${outcome.description}`;
            ex.sendLocal(401, `unauthorized: ${outcome.description}\n`, { 'www-authenticate': wwwAuthenticate(listener!.name, outcome) }, 'JW');
            return;
          }
          if (outcome.note) entry.message = `jwt: ${outcome.note}`;
          proceed(ex, conn, listener!, route, authority, path, query, deps);
        },
        (error: Error) => ex.sendLocal(500, `jwt verification error: ${error.message}\n`),
      );
      return;
    }
    proceed(ex, conn, listener, route, authority, path, query, deps);
  };
}

interface AppliedFilters {
  upstreamPath: string;
  mirrors: Extract<HttpFilterIR, { type: 'RequestMirror' }>[];
}

interface FilterTarget {
  ex: Exchange;
  conn: ConnectionContext;
  listener: RuntimeListener;
  entry: CompiledRoute['entry'];
  authority: string | undefined;
  path: string;
  query: string;
  headers: HeaderRecord;
}

/** Applies request filters in order (the rule's, then the chosen backendRef's); false when one answered (a redirect). */
function applyRequestFilters(filters: readonly HttpFilterIR[], t: FilterTarget, applied: AppliedFilters): boolean {
  for (const f of filters) {
    switch (f.type) {
      case 'RequestRedirect': {
        const location = redirectLocation(f, t.entry.match, {
          scheme: t.conn.tls ? 'https' : 'http',
          host: normalizeHost(t.authority),
          listenerPort: t.listener.port,
          path: t.path,
          query: t.query,
        });
        t.ex.sendLocal(f.statusCode, '', { location });
        return false;
      }
      case 'RequestHeaderModifier':
        applyHeaderModifier(t.headers, f);
        break;
      case 'URLRewrite':
        if (f.hostname) t.headers.host = f.hostname;
        if (f.path) applied.upstreamPath = modifyPath(applied.upstreamPath, f.path, t.entry.match);
        break;
      case 'RequestMirror':
        applied.mirrors.push(f);
        break;
      default:
        break;
    }
  }
  return true;
}

function proceed(
  ex: Exchange,
  conn: ConnectionContext,
  listener: RuntimeListener,
  route: CompiledRoute,
  authority: string | undefined,
  path: string,
  query: string,
  deps: HandlerDeps,
): void {
  const entry = route.entry;
  if (entry.directResponse) {
    // No flag, as in Envoy (its response code details say direct_response); the body says why.
    ex.sendLocal(entry.directResponse.status, entry.directResponse.body ?? '');
    return;
  }
  const req = ex.req;
  const headers = upstreamRequestHeaders(req.headers as IncomingHttpHeaders, {
    clientAddress: req.socket.remoteAddress,
    proto: conn.tls ? 'https' : 'http',
    host: authority,
  });
  const applied: AppliedFilters = { upstreamPath: path, mirrors: [] };
  const target = { ex, conn, listener, entry, authority, path, query, headers };
  if (!applyRequestFilters(entry.filters, target, applied)) return;
  const choice = chooseBackend(route);
  if (!choice) {
    ex.sendLocal(500, 'no backend with a positive weight\n', {}, 'IB');
    return;
  }
  // The chosen backendRef's own filters come after the rule's (HTTPBackendRef.filters).
  if (choice.filters?.length) {
    if (!applyRequestFilters(choice.filters, target, applied)) return;
    const responseEdits = choice.filters.flatMap((f) => (f.type === 'ResponseHeaderModifier' ? [(h: HeaderRecord) => applyHeaderModifier(h, f)] : []));
    if (responseEdits.length) ex.responseHeaderEdits = [...ex.responseHeaderEdits, ...responseEdits];
  }
  const upstreamPath = applied.upstreamPath;
  const request: UpstreamRequest = {
    method: req.method ?? 'GET',
    path: query ? `${upstreamPath}?${query}` : upstreamPath,
    headers,
    body: hasBody(req) ? (req as Readable) : null,
  };
  if (applied.mirrors.length) request.body = startMirrors(applied.mirrors, deps.pools, { ...request, headers: { ...headers } }, (message) => (ex.entry.message ??= message));
  const backend = choice.backend;
  switch (backend.kind) {
    case 'service':
      proxyToService(ex, backend, deps.pools, request);
      return;
    case 'ai':
      proxyToAi(ex, backend, deps.pools, request).catch((error: Error) => ex.sendLocal(502, `${error.message}\n`));
      return;
    case 'dynamic-forward-proxy':
      proxyToForwardTarget(ex, backend, deps.pools, request);
      return;
    case 'invalid':
      ex.entry.message = backend.reason;
      ex.sendLocal(backend.status || 500, `${backend.reason}\n`, {}, 'IB');
      return;
  }
}
