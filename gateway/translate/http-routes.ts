// HTTPRoutes → route entries on the listeners they attach to, plus each
// route's parent status. Rules are compiled once per (route, Gateway) because
// backends carry the Gateway's client certificate.
import type { HttpMatchIR, HttpRouteEntryIR } from '../ir/types.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition, type Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asRecord, asString, compareAge, generationOf, nameOf, namespaceOf } from './fields.js';
import { resolveBackendRef, resolveBackendRefs, type BackendContext } from './backends.js';
import { parseDuration, translateFilters, type MirrorResolver } from './route-filters.js';
import type { GatewayState, ListenerState } from './gateway-state.js';
import { attachRoute, staleParentsUpdate } from './route-attachment.js';
import { compareEntries, type OrderedEntry } from './route-order.js';
import type { RouteContext } from './route-context.js';

interface CompiledMatch {
  match: HttpMatchIR;
  ruleIndex: number;
  matchIndex: number;
  template: Omit<HttpRouteEntryIR, 'hostnames' | 'policies'>;
}

interface CompiledRoute {
  matches: CompiledMatch[];
  unresolved?: Problem;
  partiallyInvalid?: Problem;
  /** A rule uses a filter type this gateway does not implement: Accepted=False, UnsupportedValue. */
  notAccepted?: Problem;
}

function compileMatch(raw: unknown): { match: HttpMatchIR; problem?: Problem } {
  const spec = asRecord(raw);
  const path = asRecord(spec.path);
  const type = path.type === 'Exact' || path.type === 'RegularExpression' ? path.type : 'PathPrefix';
  const value = asString(path.value) ?? '/';
  const match: HttpMatchIR = { path: { type, value }, headers: [], queryParams: [] };
  let problem: Problem | undefined;
  const checkRegex = (pattern: string, what: string) => {
    try {
      new RegExp(pattern);
    } catch {
      problem ??= { reason: 'UnsupportedValue', message: `${what} regular expression ${JSON.stringify(pattern)} does not compile` };
    }
  };
  if (type === 'RegularExpression') checkRegex(value, 'path');
  if (asString(spec.method)) match.method = (spec.method as string).toUpperCase();
  for (const [field, target] of [['headers', match.headers], ['queryParams', match.queryParams]] as const) {
    for (const rawEntry of asArray(spec[field])) {
      const entry = asRecord(rawEntry);
      const name = asString(entry.name);
      if (!name) continue;
      const entryType = entry.type === 'RegularExpression' ? 'RegularExpression' : 'Exact';
      const entryValue = asString(entry.value) ?? '';
      if (entryType === 'RegularExpression') checkRegex(entryValue, `${field} ${name}`);
      target.push({ name: field === 'headers' ? name.toLowerCase() : name, type: entryType, value: entryValue });
    }
  }
  return { match, problem };
}

function compileRoute(ctx: RouteContext, backendCtx: BackendContext, route: InputObject): CompiledRoute {
  const compiled: CompiledRoute = { matches: [] };
  const routeRef = { namespace: namespaceOf(route), name: nameOf(route) };
  asArray(asRecord(route.spec).rules).forEach((rawRule, ruleIndex) => {
    const rule = asRecord(rawRule);
    const rawMatches = asArray(rule.matches).length > 0 ? asArray(rule.matches) : [{}];
    const matches = rawMatches.map(compileMatch);
    let ruleProblem = matches.find((m) => m.problem)?.problem;
    const pathTypes = matches.map((m) => m.match.path.type);
    const resolveMirror: MirrorResolver = (backendRef) => resolveBackendRef(backendCtx, 'HTTPRoute', routeRef.namespace, backendRef);
    const filters = translateFilters(rule.filters, pathTypes, resolveMirror);
    ruleProblem ??= filters.problem;
    if (filters.mirrorProblem) compiled.unresolved ??= filters.mirrorProblem;
    const backends = resolveBackendRefs(backendCtx, 'HTTPRoute', route, rule.backendRefs);
    if (backends.problem) compiled.unresolved ??= backends.problem;
    let unsupportedFilter = filters.unsupportedType === true;
    // HTTPBackendRef.filters: the same filters, applied only when that backend is chosen.
    asArray(rule.backendRefs).forEach((rawRef, index) => {
      const rawFilters = asArray(asRecord(rawRef).filters);
      const target = backends.backends[index];
      if (rawFilters.length === 0 || !target) return;
      const own = translateFilters(rawFilters, pathTypes, resolveMirror);
      if (own.mirrorProblem) compiled.unresolved ??= own.mirrorProblem;
      if (own.problem) {
        ruleProblem ??= { reason: own.problem.reason, message: `backendRef ${index}: ${own.problem.message}` };
        unsupportedFilter ||= own.unsupportedType === true;
      } else target.filters = own.filters;
    });
    if (unsupportedFilter && ruleProblem) {
      compiled.notAccepted ??= { reason: 'UnsupportedValue', message: `rule ${ruleIndex}: ${ruleProblem.message} (requests this rule matches are answered 500)` };
    }
    const timeouts: HttpRouteEntryIR['timeouts'] = {};
    const rawTimeouts = asRecord(rule.timeouts);
    for (const [field, target] of [['request', 'requestMs'], ['backendRequest', 'backendRequestMs']] as const) {
      if (rawTimeouts[field] === undefined) continue;
      const ms = parseDuration(rawTimeouts[field]);
      if (ms === undefined) ruleProblem ??= { reason: 'UnsupportedValue', message: `timeouts.${field} ${JSON.stringify(rawTimeouts[field])} is not a duration` };
      else if (ms > 0) timeouts[target] = ms; // 0 means "no timeout"
    }
    if (ruleProblem && !unsupportedFilter) {
      const message = `rule ${ruleIndex}: ${ruleProblem.message}`;
      compiled.partiallyInvalid = compiled.partiallyInvalid
        ? { reason: compiled.partiallyInvalid.reason, message: `${compiled.partiallyInvalid.message}; ${message}` }
        : { reason: ruleProblem.reason, message };
    }
    const redirects = filters.filters.some((f) => f.type === 'RequestRedirect');
    matches.forEach(({ match }, matchIndex) => {
      const template: CompiledMatch['template'] = {
        id: `${routeRef.namespace}/${routeRef.name}/${ruleIndex}/${matchIndex}`,
        route: routeRef,
        match,
        filters: ruleProblem ? [] : filters.filters,
        backends: ruleProblem ? [] : backends.backends,
        timeouts,
      };
      if (ruleProblem) template.directResponse = { status: 500, body: `route rule is invalid: ${ruleProblem.message}\n` };
      else if (backends.backends.length === 0 && !redirects) template.directResponse = { status: 500, body: 'route rule has no backendRefs\n' };
      else if (backends.backends.length > 0 && backends.backends.every((b) => b.weight <= 0)) {
        template.directResponse = { status: 500, body: 'every backendRef of this rule has weight 0\n' };
      }
      compiled.matches.push({ match, ruleIndex, matchIndex, template });
    });
  });
  return compiled;
}

function parentStatus(
  ctx: RouteContext,
  route: InputObject,
  parentRef: Record<string, unknown>,
  notAccepted: Problem | undefined,
  compiled: CompiledRoute | undefined,
): Record<string, unknown> {
  const generation = generationOf(route);
  const { now } = ctx.options;
  const conditions = [
    notAccepted
      ? condition('Accepted', false, notAccepted.reason, notAccepted.message, generation, now)
      : condition('Accepted', true, 'Accepted', 'route is accepted', generation, now),
    compiled?.unresolved
      ? condition('ResolvedRefs', false, compiled.unresolved.reason, compiled.unresolved.message, generation, now)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', generation, now),
  ];
  if (compiled?.partiallyInvalid) {
    conditions.push(condition('PartiallyInvalid', true, compiled.partiallyInvalid.reason, `${compiled.partiallyInvalid.message} (invalid rules answer 500)`, generation, now));
  }
  return { parentRef, controllerName: ctx.options.controllerName, conditions };
}

/** Attaches every HTTPRoute, fills listener route tables in precedence order, and returns route statuses. */
export function translateHttpRoutes(ctx: RouteContext): ObjectStatusUpdate[] {
  const statuses: ObjectStatusUpdate[] = [];
  const ordered = new Map<ListenerState, OrderedEntry[]>();
  for (const route of [...ctx.index.input.httpRoutes].sort(compareAge)) {
    const attachments = attachRoute(ctx.index, ctx.gateways, route, 'HTTPRoute');
    if (attachments.length === 0) {
      const stale = staleParentsUpdate(route, 'HTTPRoute', ctx.options.controllerName);
      if (stale) statuses.push(stale);
      continue;
    }
    const compiledByGateway = new Map<GatewayState, CompiledRoute>();
    const parents = attachments.map((attachment) => {
      const gateway = attachment.gateway;
      let compiled = compiledByGateway.get(gateway);
      if (!compiled) {
        compiled = compileRoute(ctx, ctx.backendContext(gateway), route);
        compiledByGateway.set(gateway, compiled);
      }
      for (const { listener, hostnames } of attachment.attached) {
        listener.attachedRoutes += 1;
        const list = ordered.get(listener) ?? [];
        const policy = ctx.jwt.forRoute(gateway, listener.name, { namespace: namespaceOf(route), name: nameOf(route) });
        for (const hostname of hostnames.length > 0 ? hostnames : [undefined]) {
          for (const m of compiled.matches) {
            const { id, route: entryRoute, ...rest } = m.template;
            const entry: HttpRouteEntryIR = { id, route: entryRoute, hostnames: hostname ? [hostname] : [], ...rest, policies: policy ? { jwt: policy } : {} };
            list.push({ entry, createdAt: asString(route.metadata?.creationTimestamp) ?? '', ruleIndex: m.ruleIndex, matchIndex: m.matchIndex });
          }
        }
        ordered.set(listener, list);
      }
      return parentStatus(ctx, route, attachment.parentRef, attachment.problem ?? compiled.notAccepted, compiled);
    });
    statuses.push({
      target: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: namespaceOf(route), name: nameOf(route) },
      status: { parents },
    });
  }
  for (const [listener, entries] of ordered) listener.routes = entries.sort(compareEntries).map((e) => e.entry);
  return statuses;
}

/** GRPCRoutes are not served yet: their parents say so instead of silently dropping traffic. */
export function grpcRouteStatuses(ctx: RouteContext): ObjectStatusUpdate[] {
  const statuses: ObjectStatusUpdate[] = [];
  for (const route of [...ctx.index.input.grpcRoutes].sort(compareAge)) {
    const attachments = attachRoute(ctx.index, ctx.gateways, route, 'GRPCRoute');
    if (attachments.length === 0) {
      const stale = staleParentsUpdate(route, 'GRPCRoute', ctx.options.controllerName);
      if (stale) statuses.push(stale);
      continue;
    }
    const parents = attachments.map((a) =>
      parentStatus(ctx, route, a.parentRef, a.problem ?? { reason: 'NotAllowedByListeners', message: 'GRPCRoute is not supported by this gateway' }, undefined),
    );
    statuses.push({ target: { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: namespaceOf(route), name: nameOf(route) }, status: { parents } });
  }
  return statuses;
}
