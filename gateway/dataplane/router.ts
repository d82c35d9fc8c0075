// HTTP route matching: the listener's route entries, already in Gateway API
// precedence order (translation sorted them), compiled once per configuration
// and walked in order for each request; the first match wins.
import type { HttpRouteEntryIR, HttpMatchIR, WeightedBackendIR } from '../ir/types.js';
import { applyHeaderModifier, type HeaderRecord } from './request-filters.js';
import { hostnameMatches } from '../ir/hostname-match.js';

export interface RequestFacts {
  method: string;
  /** Host without port, lower case; undefined when the request has none. */
  host: string | undefined;
  /** The path without the query string. */
  path: string;
  /** The query string without '?', '' when none. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
}

interface ValueMatcher {
  name: string;
  test: (value: string) => boolean;
}

/** Weighted choice, precomputed: cumulative weights and their total. */
export interface WeightedBackends {
  backends: WeightedBackendIR[];
  cumulative: number[];
  totalWeight: number;
}

export function compileWeights(backends: WeightedBackendIR[]): WeightedBackends {
  const cumulative: number[] = [];
  let total = 0;
  for (const b of backends) {
    total += Math.max(0, b.weight);
    cumulative.push(total);
  }
  return { backends, cumulative, totalWeight: total };
}

export interface CompiledRoute extends WeightedBackends {
  entry: HttpRouteEntryIR;
  hostnames: string[];
  matchPath: (path: string) => boolean;
  headers: ValueMatcher[];
  queryParams: ValueMatcher[];
  method?: string;
  /** The route's ResponseHeaderModifier filters, as edits the exchange applies to every answer. */
  responseHeaderEdits: readonly ((headers: HeaderRecord) => void)[];
}

/** Gateway API regular expressions match the whole value (Envoy's full match). */
function fullMatch(pattern: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new Error(`${where}: invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

/** PathPrefix matches whole segments: `/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`. */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  const p = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (p === '/' || p === '') return true;
  if (!path.startsWith(p)) return false;
  return path.length === p.length || path[p.length] === '/';
}

function compilePath(match: HttpMatchIR['path'], where: string): (path: string) => boolean {
  const value = match.value;
  switch (match.type) {
    case 'Exact':
      return (path) => path === value;
    case 'PathPrefix':
      if (value === '/' || value === '') return () => true;
      return (path) => pathPrefixMatches(value, path);
    case 'RegularExpression': {
      const re = fullMatch(value, where);
      return (path) => re.test(path);
    }
  }
}

function compileValue(m: { name: string; type: 'Exact' | 'RegularExpression'; value: string }, where: string, lowerName: boolean): ValueMatcher {
  const name = lowerName ? m.name.toLowerCase() : m.name;
  if (m.type === 'Exact') return { name, test: (v) => v === m.value };
  const re = fullMatch(m.value, where);
  return { name, test: (v) => re.test(v) };
}

export function compileRoute(entry: HttpRouteEntryIR): CompiledRoute {
  const where = `route ${entry.id}`;
  return {
    entry,
    hostnames: entry.hostnames.map((h) => h.toLowerCase()),
    matchPath: compilePath(entry.match.path, where),
    headers: entry.match.headers.map((h) => compileValue(h, where, true)),
    queryParams: entry.match.queryParams.map((q) => compileValue(q, where, false)),
    method: entry.match.method?.toUpperCase(),
    responseHeaderEdits: entry.filters.flatMap((f) => (f.type === 'ResponseHeaderModifier' ? [(h: HeaderRecord) => applyHeaderModifier(h, f)] : [])),
    ...compileWeights(entry.backends),
  };
}

function headerValue(headers: RequestFacts['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

function routeMatches(route: CompiledRoute, req: RequestFacts, query: () => URLSearchParams): boolean {
  if (route.hostnames.length) {
    if (!req.host) return false;
    let any = false;
    for (const h of route.hostnames) if (hostnameMatches(h, req.host)) { any = true; break; }
    if (!any) return false;
  }
  if (route.method && route.method !== req.method) return false;
  if (!route.matchPath(req.path)) return false;
  for (const h of route.headers) {
    const v = headerValue(req.headers, h.name);
    if (v === undefined || !h.test(v)) return false;
  }
  if (route.queryParams.length) {
    const params = query();
    for (const q of route.queryParams) {
      const v = params.get(q.name);
      if (v === null || !q.test(v)) return false;
    }
  }
  return true;
}

export function matchRoute(routes: CompiledRoute[], req: RequestFacts): CompiledRoute | undefined {
  let params: URLSearchParams | undefined;
  const query = () => (params ??= new URLSearchParams(req.query));
  for (const route of routes) if (routeMatches(route, req, query)) return route;
  return undefined;
}

/** Weighted random choice; undefined when every weight is zero (→ 500, as Gateway API says). */
export function chooseBackend(route: WeightedBackends, random = Math.random): WeightedBackendIR | undefined {
  if (route.totalWeight <= 0) return undefined;
  if (route.backends.length === 1) return route.backends[0];
  const x = random() * route.totalWeight;
  for (let i = 0; i < route.cumulative.length; i++) if (x < route.cumulative[i]) return route.backends[i];
  return route.backends[route.backends.length - 1];
}

/** Splits a request target into path and query. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
