// Label and field selectors as the API server parses them. A malformed
// selector is a 400 naming the selector, never a silent match-all.
import { ApiError } from './api-error.js';
import type { KubeObject } from '../store/store-types.js';

type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelSelector = LabelRequirement[];
export interface FieldRequirement {
  path: string;
  value: string;
  negate: boolean;
}
export type FieldSelector = FieldRequirement[];

/** Splits on commas that are not inside parentheses (`env in (a,b),tier=x`). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text) return [];
  return splitTopLevel(text).map((part): LabelRequirement => {
    let m = /^!\s*([\w./-]+)$/.exec(part);
    if (m) return { op: 'notexists', key: m[1]! };
    m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) return { op: m[2] as 'in' | 'notin', key: m[1]!, values: m[3]!.split(',').map((v) => v.trim()) };
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
    if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! };
    m = /^([\w./-]+)$/.exec(part);
    if (m) return { op: 'exists', key: m[1]! };
    throw ApiError.badRequest(`unable to parse requirement: invalid label selector "${text}"`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        return has && l[r.key] === r.value;
      case 'neq':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (!text) return [];
  return splitTopLevel(text).map((part) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw ApiError.badRequest(`invalid field selector "${text}": expected <field>=<value>`);
    return { path: m[1]!, value: m[3]!.trim(), negate: m[2] === '!=' };
  });
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined || current === null) return '';
  return String(current);
}

export function matchesFields(selector: FieldSelector, object: KubeObject): boolean {
  return selector.every((r) => (fieldValue(object, r.path) === r.value) !== r.negate);
}

/** One compiled filter for list and watch. */
export function objectFilter(options: { namespace?: string; labelSelector?: string; fieldSelector?: string }): (o: KubeObject) => boolean {
  const labels = parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector);
  const namespace = options.namespace;
  return (o) =>
    (namespace === undefined || o.metadata.namespace === namespace) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
}
