// HTTPRoute rule filters → IR filters. Core filters are supported; a filter
// type we do not implement makes the route Accepted=False with reason
// UnsupportedValue (as the HTTPRouteFilter type's documentation requires), and
// the rule answers 500 rather than serving traffic without a filter its author
// asked for.
import type { Header, HttpFilterIR, PathModifierIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import { asArray, asNumber, asRecord, asString, describe } from './fields.js';

export interface FiltersResult {
  filters: HttpFilterIR[];
  problem?: Problem;
  /** The problem is a filter type this gateway does not implement (the route is then not accepted). */
  unsupportedType?: boolean;
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

/** `pathMatchType` is the rule's path match type: ReplacePrefixMatch requires PathPrefix. */
export function translateFilters(rawFilters: unknown, pathMatchTypes: string[]): FiltersResult {
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
