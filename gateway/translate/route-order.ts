// Gateway API match precedence across all HTTPRoutes on a listener. Entries
// are split per hostname, so the data plane can walk them in order and stop at
// the first match:
//   1. hostname: exact (longest first), then wildcard (longest first), then any
//   2. path: Exact, then PathPrefix (longest first), then RegularExpression
//   3. a method match, 4. more header matches, 5. more query param matches
//   6. the oldest route (creationTimestamp), 7. route namespace/name
//   8. rule order, then match order within the route.
import type { HttpRouteEntryIR } from '../ir/types.js';
import { compareHostnames } from './hostname-rules.js';

export interface OrderedEntry {
  entry: HttpRouteEntryIR;
  createdAt: string;
  ruleIndex: number;
  matchIndex: number;
}

const PATH_RANK = { Exact: 0, PathPrefix: 1, RegularExpression: 2 } as const;

function compare<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareEntries(a: OrderedEntry, b: OrderedEntry): number {
  const ea = a.entry;
  const eb = b.entry;
  return (
    compareHostnames(ea.hostnames[0], eb.hostnames[0]) ||
    PATH_RANK[ea.match.path.type] - PATH_RANK[eb.match.path.type] ||
    (ea.match.path.type === 'PathPrefix' ? eb.match.path.value.length - ea.match.path.value.length : 0) ||
    Number(eb.match.method !== undefined) - Number(ea.match.method !== undefined) ||
    eb.match.headers.length - ea.match.headers.length ||
    eb.match.queryParams.length - ea.match.queryParams.length ||
    compare(a.createdAt, b.createdAt) ||
    compare(`${ea.route.namespace}/${ea.route.name}`, `${eb.route.namespace}/${eb.route.name}`) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}
