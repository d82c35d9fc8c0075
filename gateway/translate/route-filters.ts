// HTTPRoute rule filters → IR filters. Core filters, CORS and RequestMirror
// are supported; a filter type we do not implement (ExtensionRef, ExternalAuth) makes the route Accepted=False with reason
// UnsupportedValue (as the HTTPRouteFilter type's documentation requires), and
// the rule answers 500 rather than serving traffic without a filter its author
// asked for.
import type { BackendIR, CorsFilterIR, Header, HttpFilterIR, PathModifierIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import { asArray, asNumber, asRecord, asString, describe } from './fields.js';

export interface FiltersResult {
  filters: HttpFilterIR[];
  problem?: Problem;
  /** The problem is a filter type this gateway does not implement (the route is then not accepted). */
  unsupportedType?: boolean;
  /** A RequestMirror target that could not be resolved (ResolvedRefs=False; the mirror is left out). */
  mirrorProblem?: Problem;
}

function headers(raw: unknown): Header[] {
  return asArray(raw).flatMap((entry) => {
    const h = asRecord(entry);
    const name = asString(h.name);
    return name ? [{ name: name.toLowerCase(), value: asString(h.value) ?? '' }] : [];
  });
}

function headerModifier(raw: unknown): { set: Header[]; add: Header[]; remove: string[] } {
  const spec = asRecord(raw);
  return {
    set: headers(spec.set),
    add: headers(spec.add),
    remove: asArray(spec.remove).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()),
  };
}

function pathModifier(raw: unknown): PathModifierIR | undefined | Problem {
  if (raw === undefined) return undefined;
  const spec = asRecord(raw);
  if (spec.type === 'ReplaceFullPath' && asString(spec.replaceFullPath) !== undefined) return { type: 'ReplaceFullPath', value: spec.replaceFullPath };
  if (spec.type === 'ReplacePrefixMatch' && asString(spec.replacePrefixMatch) !== undefined) return { type: 'ReplacePrefixMatch', value: spec.replacePrefixMatch };
  return { reason: 'UnsupportedValue', message: `path modifier of type ${describe(spec.type)} is missing its value or unsupported` };
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'reason' in value;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

function strings(raw: unknown): string[] {
  return asArray(raw).filter((v): v is string => typeof v === 'string');
}

/** GEP-1767's CORS filter: a wildcard anywhere but the host's first label is not an origin this gateway can match. */
function corsFilter(raw: unknown): CorsFilterIR | Problem {
  const spec = asRecord(raw);
  const allowOrigins = strings(spec.allowOrigins);
  const bad = allowOrigins.find((o) => o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[^*/]+$/i.test(o));
  if (bad) return { reason: 'UnsupportedValue', message: `CORS allowOrigins entry ${JSON.stringify(bad)} is not "*", scheme://host[:port] or scheme://*.domain` };
  const maxAge = asNumber(spec.maxAge);
  return {
    type: 'CORS',
    allowOrigins,
    allowMethods: strings(spec.allowMethods),
    allowHeaders: strings(spec.allowHeaders),
    exposeHeaders: strings(spec.exposeHeaders),
    allowCredentials: spec.allowCredentials === true,
    ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
  };
}

/** RequestMirror's share: `percent`, or `fraction` numerator/denominator (default 100/100). */
function mirrorPercent(spec: Record<string, unknown>): number {
  const percent = asNumber(spec.percent);
  if (percent !== undefined) return Math.min(100, Math.max(0, percent));
  const fraction = asRecord(spec.fraction);
  const numerator = asNumber(fraction.numerator);
  if (numerator === undefined) return 100;
  const denominator = asNumber(fraction.denominator) ?? 100;
  return denominator > 0 ? Math.min(100, Math.max(0, (numerator / denominator) * 100)) : 0;
}

/** Resolves a RequestMirror's backendRef the way the rule's own backendRefs are resolved. */
export type MirrorResolver = (backendRef: unknown) => { backend: BackendIR; problem?: Problem };

/**
 * `pathMatchType` is the rule's path match type: ReplacePrefixMatch requires
 * PathPrefix. Without `resolveMirror`, RequestMirror is unsupported.
 */
export function translateFilters(rawFilters: unknown, pathMatchTypes: string[], resolveMirror?: MirrorResolver): FiltersResult {
  const result: FiltersResult = { filters: [] };
  const fail = (problem: Problem): FiltersResult => ({ filters: [], problem });
  let hasRewrite = false;
  let hasRedirect = false;
  for (const raw of asArray(rawFilters)) {
    const filter = asRecord(raw);
    switch (filter.type) {
      case 'RequestHeaderModifier':
        result.filters.push({ type: 'RequestHeaderModifier', ...headerModifier(filter.requestHeaderModifier) });
        break;
      case 'ResponseHeaderModifier':
        result.filters.push({ type: 'ResponseHeaderModifier', ...headerModifier(filter.responseHeaderModifier) });
        break;
      case 'URLRewrite':
      case 'RequestRedirect': {
        const spec = asRecord(filter.type === 'URLRewrite' ? filter.urlRewrite : filter.requestRedirect);
        const path = pathModifier(spec.path);
        if (isProblem(path)) return fail(path);
        if (path?.type === 'ReplacePrefixMatch' && pathMatchTypes.some((t) => t !== 'PathPrefix')) {
          return fail({ reason: 'UnsupportedValue', message: 'ReplacePrefixMatch needs every match of the rule to be a PathPrefix match' });
        }
        if (filter.type === 'URLRewrite') {
          hasRewrite = true;
          const rewrite: HttpFilterIR = { type: 'URLRewrite' };
          if (asString(spec.hostname)) rewrite.hostname = spec.hostname;
          if (path) rewrite.path = path;
          result.filters.push(rewrite);
        } else {
          hasRedirect = true;
          const statusCode = asNumber(spec.statusCode) ?? 302;
          if (!REDIRECT_CODES.has(statusCode)) return fail({ reason: 'UnsupportedValue', message: `redirect statusCode ${statusCode} is not 301, 302, 303, 307 or 308` });
          const redirect: HttpFilterIR = { type: 'RequestRedirect', statusCode: statusCode as 301 | 302 | 303 | 307 | 308 };
          if (spec.scheme === 'http' || spec.scheme === 'https') redirect.scheme = spec.scheme;
          if (asString(spec.hostname)) redirect.hostname = spec.hostname;
          if (asNumber(spec.port) !== undefined) redirect.port = spec.port;
          if (path) redirect.path = path;
          result.filters.push(redirect);
        }
        break;
      }
      case 'CORS': {
        const cors = corsFilter(filter.cors);
        if (isProblem(cors)) return fail(cors);
        result.filters.push(cors);
        break;
      }
      case 'RequestMirror': {
        if (!resolveMirror) return { ...fail({ reason: 'UnsupportedValue', message: 'RequestMirror is not supported here' }), unsupportedType: true };
        const spec = asRecord(filter.requestMirror);
        const resolved = resolveMirror(spec.backendRef);
        // An unresolvable mirror target is reported (ResolvedRefs) and skipped: mirroring never affects the answer.
        if (resolved.problem) result.mirrorProblem ??= resolved.problem;
        else result.filters.push({ type: 'RequestMirror', backend: resolved.backend, percent: mirrorPercent(spec) });
        break;
      }
      default:
        return { ...fail({ reason: 'UnsupportedValue', message: `filter type ${describe(filter.type)} is not supported by this gateway` }), unsupportedType: true };
    }
  }
  if (hasRewrite && hasRedirect) return fail({ reason: 'UnsupportedValue', message: 'a rule cannot have both URLRewrite and RequestRedirect filters' });
  return result;
}

/** Gateway API Duration (`1h`, `30s`, `500ms`, `1m30s`) → milliseconds; undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(value)) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(amount) * units[unit!]!;
  return total;
}
