// The Gateway API core filters: header modifiers, URL rewrite, redirect.
// Pure functions over header records and paths, applied by the HTTP handler.
import type { Header, HttpFilterIR, HttpMatchIR, PathModifierIR } from '../ir/types.js';

export type HeaderRecord = Record<string, string | string[]>;

export function applyHeaderModifier(headers: HeaderRecord, mod: { set: Header[]; add: Header[]; remove: string[] }): void {
  for (const h of mod.set) headers[h.name.toLowerCase()] = h.value;
  for (const h of mod.add) {
    const name = h.name.toLowerCase();
    const existing = headers[name];
    if (existing === undefined) headers[name] = h.value;
    else headers[name] = Array.isArray(existing) ? [...existing, h.value] : [existing, h.value];
  }
  for (const name of mod.remove) delete headers[name.toLowerCase()];
}

/**
 * ReplacePrefixMatch replaces the matched prefix, segment-wise: prefix `/foo`
 * with `/bar` turns `/foo/x` into `/bar/x`; with `/` it turns `/foo/x` into `/x`.
 */
export function replacePrefix(path: string, matchedPrefix: string, replacement: string): string {
  const prefix = matchedPrefix.length > 1 && matchedPrefix.endsWith('/') ? matchedPrefix.slice(0, -1) : matchedPrefix;
  const rest = prefix === '/' ? path : path.slice(prefix.length); // '' or '/...'
  if (replacement === '/' || replacement === '') return rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}`;
  const base = replacement.endsWith('/') ? replacement.slice(0, -1) : replacement;
  if (rest === '' || rest === '/') return rest === '/' ? `${base}/` : base;
  return base + rest;
}

export function modifyPath(path: string, modifier: PathModifierIR, match: HttpMatchIR): string {
  if (modifier.type === 'ReplaceFullPath') return modifier.value;
  if (match.path.type !== 'PathPrefix') return path; // translation rejects this combination; be safe anyway
  return replacePrefix(path, match.path.value, modifier.value);
}

export interface RedirectInput {
  scheme: 'http' | 'https';
  host: string | undefined;
  /** The listener port the request came in on. */
  listenerPort: number;
  path: string;
  query: string;
}

const WELL_KNOWN: Record<string, number> = { http: 80, https: 443 };

/** Location for a RequestRedirect, following the Gateway API port rules. */
export function redirectLocation(filter: Extract<HttpFilterIR, { type: 'RequestRedirect' }>, match: HttpMatchIR, input: RedirectInput): string {
  const scheme = filter.scheme ?? input.scheme;
  const host = filter.hostname ?? input.host ?? 'localhost';
  // Port: the filter's; else the scheme's well-known port when the scheme is set; else the listener's port.
  const port = filter.port ?? (filter.scheme ? WELL_KNOWN[filter.scheme] : input.listenerPort);
  const showPort = port !== WELL_KNOWN[scheme];
  const path = filter.path ? modifyPath(input.path, filter.path, match) : input.path;
  const query = input.query ? `?${input.query}` : '';
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${hostPart}${showPort ? `:${port}` : ''}${path}${query}`;
}
