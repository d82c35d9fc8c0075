// Gateway API hostname matching, once for translation and the data plane:
// `*.example.com` matches one or more labels in front of `example.com` (not
// `example.com` itself); names compare case-insensitively.

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** Does `pattern` (exact or wildcard) match the concrete or wildcard name `name`? */
export function hostnameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (!isWildcard(p)) return p === n;
  const suffix = p.slice(1); // ".example.com"
  if (isWildcard(n)) return n.slice(1).endsWith(suffix);
  return n.endsWith(suffix) && n.length > suffix.length;
}
