// TLSRoutes (v1 since Gateway API v1.5, v1alpha2 before) on TLS listeners:
// Passthrough forwards the raw TLS bytes chosen by SNI; Terminate forwards
// plaintext. Entries are ordered exact hostname, longest wildcard, any.
import type { TlsRouteEntryIR } from '../ir/types.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition, type Problem } from './conditions.js';
import { asArray, asRecord, asString, compareAge, generationOf, nameOf, namespaceOf } from './fields.js';
import { resolveBackendRefs } from './backends.js';
import { compareHostnames } from './hostname-rules.js';
import { attachRoute, staleParentsUpdate } from './route-attachment.js';
import type { RouteContext } from './route-context.js';

export function translateTlsRoutes(ctx: RouteContext): ObjectStatusUpdate[] {
  const statuses: ObjectStatusUpdate[] = [];
  const { now, controllerName } = ctx.options;
  for (const route of [...ctx.index.input.tlsRoutes].sort(compareAge)) {
    const attachments = attachRoute(ctx.index, ctx.gateways, route, 'TLSRoute');
    if (attachments.length === 0) {
      const stale = staleParentsUpdate(route, 'TLSRoute', controllerName);
      if (stale) statuses.push(stale);
      continue;
    }
    const generation = generationOf(route);
    const routeRef = { namespace: namespaceOf(route), name: nameOf(route) };
    const parents = attachments.map((attachment) => {
      const backendCtx = ctx.backendContext(attachment.gateway);
      for (const { listener } of attachment.attached) listener.attachedRoutes += 1;
      const rules = asArray(asRecord(route.spec).rules);
      let unresolved: Problem | undefined;
      rules.forEach((rawRule, ruleIndex) => {
        const result = resolveBackendRefs(backendCtx, 'TLSRoute', route, asRecord(rawRule).backendRefs);
        unresolved ??= result.problem;
        for (const { listener, hostnames } of attachment.attached) {
          for (const hostname of hostnames.length > 0 ? hostnames : [undefined]) {
            const entry: TlsRouteEntryIR = { id: `${routeRef.namespace}/${routeRef.name}/${ruleIndex}`, route: routeRef, hostnames: hostname ? [hostname] : [], backends: result.backends };
            listener.tlsRoutes.push(entry);
          }
        }
      });
      const problem = attachment.problem;
      return {
        parentRef: attachment.parentRef,
        controllerName,
        conditions: [
          problem ? condition('Accepted', false, problem.reason, problem.message, generation, now) : condition('Accepted', true, 'Accepted', 'route is accepted', generation, now),
          unresolved
            ? condition('ResolvedRefs', false, unresolved.reason, unresolved.message, generation, now)
            : condition('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', generation, now),
        ],
      };
    });
    const apiVersion = asString(route.apiVersion) ?? 'gateway.networking.k8s.io/v1';
    statuses.push({ target: { group: apiVersion.split('/')[0]!, kind: 'TLSRoute', namespace: routeRef.namespace, name: routeRef.name }, status: { parents } });
  }
  for (const gateway of ctx.gateways.values()) {
    for (const listener of gateway.listeners) {
      listener.tlsRoutes = listener.tlsRoutes
        .map((entry, position) => ({ entry, position }))
        .sort((a, b) => compareHostnames(a.entry.hostnames[0], b.entry.hostnames[0]) || a.position - b.position)
        .map((e) => e.entry);
    }
  }
  return statuses;
}
