// Gateway API hostname rules of translation: which route hostnames a listener
// serves (intersection) and the precedence of hostnames (exact, longest
// wildcard, none), which orders a port's listeners in the IR. Matching itself
// is gateway/ir/hostname-match.ts, shared with the data plane.
import { hostnameMatches, isWildcard } from '../ir/hostname-match.js';

/**
 * Route hostnames intersected with a listener hostname (Gateway API rules).
 * Returns the hostnames the route serves on that listener, `[]` for "any
 * hostname", or `undefined` when they do not intersect (NoMatchingListenerHostname).
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: string[]): string[] | undefined {
  if (routeHostnames.length === 0) return listenerHostname ? [listenerHostname] : [];
  if (!listenerHostname) return [...routeHostnames];
  const result: string[] = [];
  for (const route of routeHostnames) {
    if (hostnameMatches(listenerHostname, route)) result.push(route);
    else if (isWildcard(route) && hostnameMatches(route, listenerHostname)) result.push(listenerHostname);
  }
  const unique = [...new Set(result.map((h) => h.toLowerCase()))];
  return unique.length > 0 ? unique : undefined;
}

/**
 * Sort key for hostname precedence: exact names first (longest first), then
 * wildcards (longest first), then "any" (no hostname). Lower sorts first.
 */
export function hostnameRank(hostname: string | undefined): [number, number] {
  if (!hostname) return [2, 0];
  return [isWildcard(hostname) ? 1 : 0, -hostname.length];
}

export function compareHostnames(a: string | undefined, b: string | undefined): number {
  const [ga, la] = hostnameRank(a);
  const [gb, lb] = hostnameRank(b);
  if (ga !== gb) return ga - gb;
  if (la !== lb) return la - lb;
  const sa = a ?? '';
  const sb = b ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
