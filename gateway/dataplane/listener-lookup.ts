// The data plane's side of hostnames: a request's name normalized, and the
// listener it reaches. Matching is gateway/ir/hostname-match.ts, the same
// function translation uses, so SNI → listener, Host → listener and route
// hostnames agree.
import { hostnameMatches, isWildcard } from '../ir/hostname-match.js';

/** Lower-cases, drops a trailing dot and any `:port` (IPv6 literals in brackets keep their colons). */
export function normalizeHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  let h = host.toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    h = close > 0 ? h.slice(0, close + 1) : h;
  } else {
    const colon = h.indexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Listener choice by name (SNI on TLS ports, Host on plain ones). The IR lists
 * a port's listeners in precedence order, decided in translation
 * (translate/listeners.ts sortBySniPrecedence: exact hostname, longest
 * wildcard, none); the first that matches wins. Exact names are precomputed
 * into a map, which gives the same answer since they come first.
 */
export class ListenerLookup<T extends { hostname?: string }> {
  private readonly exact = new Map<string, T>();
  /** Wildcard and hostname-less listeners, in the IR's order. */
  private readonly others: T[] = [];

  constructor(listenersInIrOrder: T[]) {
    for (const item of listenersInIrOrder) {
      const hostname = item.hostname?.toLowerCase();
      if (hostname && !isWildcard(hostname)) {
        if (!this.exact.has(hostname)) this.exact.set(hostname, item);
      } else {
        this.others.push(item);
      }
    }
  }

  /** `name` must already be normalized (lower case, no port); absent → only a listener without hostname. */
  lookup(name: string | undefined): T | undefined {
    if (name) {
      const exact = this.exact.get(name);
      if (exact) return exact;
    }
    for (const item of this.others) {
      if (!item.hostname) return item;
      if (name && hostnameMatches(item.hostname, name)) return item;
    }
    return undefined;
  }
}
