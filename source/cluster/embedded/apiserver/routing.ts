// Kubernetes API paths → what they address. Pure, so the odd cases
// (`/api/v1/namespaces/x` is a Namespace, `/api/v1/namespaces/x/status` its
// status, `/api/v1/namespaces/x/pods` a collection) are tested in one place.
export type Route =
  | { type: 'version' | 'health' | 'discovery-core' | 'discovery-groups' | 'openapi-root' | 'openapi-v2' }
  | { type: 'group'; group: string }
  | { type: 'group-version'; group: string; version: string }
  | { type: 'openapi-doc'; group: string; version: string }
  | { type: 'resource'; group: string; version: string; plural: string; namespace?: string; name?: string; subresource?: string }
  | { type: 'not-found' };

function decodeSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  if (rest.length === 0) return { type: 'group-version', group, version };
  // Namespaced: namespaces/<ns>/<plural>[/<name>[/<sub>]]; the Namespace itself is namespaces/<name>[/status|finalize].
  const namespaceSubresource = group === '' && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    const [, namespace, plural, name, subresource, ...extra] = rest;
    if (extra.length) return { type: 'not-found' };
    return { type: 'resource', group, version, plural: plural!, namespace, name, subresource };
  }
  const [plural, name, subresource, ...extra] = rest;
  if (extra.length) return { type: 'not-found' };
  return { type: 'resource', group, version, plural: plural!, name, subresource };
}

export function route(pathname: string): Route {
  const s = decodeSegments(pathname);
  if (s.length === 1 && s[0] === 'version') return { type: 'version' };
  if (s.length >= 1 && ['healthz', 'readyz', 'livez'].includes(s[0]!)) return { type: 'health' };
  if (s[0] === 'openapi') {
    if (s[1] === 'v2') return { type: 'openapi-v2' };
    if (s[1] !== 'v3') return { type: 'not-found' };
    if (s.length === 2) return { type: 'openapi-root' };
    if (s[2] === 'api' && s.length === 4) return { type: 'openapi-doc', group: '', version: s[3]! };
    if (s[2] === 'apis' && s.length === 5) return { type: 'openapi-doc', group: s[3]!, version: s[4]! };
    return { type: 'not-found' };
  }
  if (s[0] === 'api') {
    if (s.length === 1) return { type: 'discovery-core' };
    return resourceRoute('', s[1]!, s.slice(2));
  }
  if (s[0] === 'apis') {
    if (s.length === 1) return { type: 'discovery-groups' };
    if (s.length === 2) return { type: 'group', group: s[1]! };
    return resourceRoute(s[1]!, s[2]!, s.slice(3));
  }
  return { type: 'not-found' };
}
