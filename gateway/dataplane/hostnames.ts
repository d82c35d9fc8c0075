// Hostname matching as Gateway API defines it: exact names, and wildcards
// `*.example.com` that match one or more labels in front of `example.com`
// (never `example.com` itself). Used for SNI → listener, Host → listener and
// route hostnames, so all three agree.

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

export function hostnameMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".example.com"
    return host.length > suffix.length && host.endsWith(suffix);
  }
  return pattern === host;
}

/**
 * Listener choice by name, precomputed once per configuration: exact hostname,
 * then the longest matching wildcard, then a listener without hostname.
 */
export class HostnameIndex<T extends { hostname?: string }> {
  private readonly exact = new Map<string, T>();
  /** Longest suffix first, so the first hit is the most specific wildcard. */
  private readonly wildcards: { suffix: string; item: T }[] = [];
  private readonly catchAll: T | undefined;

  constructor(items: T[]) {
    let catchAll: T | undefined;
    for (const item of items) {
      const hostname = item.hostname?.toLowerCase();
      if (!hostname) {
        catchAll ??= item;
      } else if (hostname.startsWith('*.')) {
        this.wildcards.push({ suffix: hostname.slice(1), item });
      } else if (!this.exact.has(hostname)) {
        this.exact.set(hostname, item);
      }
    }
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
    this.catchAll = catchAll;
  }

  /** `name` must already be normalized (lower case, no port); absent → only a listener without hostname. */
  lookup(name: string | undefined): T | undefined {
    if (name) {
      const exact = this.exact.get(name);
      if (exact) return exact;
      for (const w of this.wildcards) if (name.length > w.suffix.length && name.endsWith(w.suffix)) return w.item;
    }
    return this.catchAll;
  }
}
