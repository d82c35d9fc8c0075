// Discovery, both flavours: aggregated (one answer per /api and /apis, what
// kubectl 1.32 prefers; its Content-Type parameters are required) and legacy
// (APIVersions, APIGroupList, APIGroup, APIResourceList).
import type { ResourceType } from '../resources/types.js';
import { isScalable } from './scale.js';

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Kubernetes version priority: v1 > v1beta2 > v1beta1 > v1alpha1 (GA, then beta, then alpha; higher first). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = rank(a);
  const [sb, mb, nb] = rank(b);
  return sb - sa || mb - ma || nb - na;
}

interface GroupInfo {
  name: string;
  versions: string[]; // preferred first
}

export function groups(types: ResourceType[]): GroupInfo[] {
  const map = new Map<string, Set<string>>();
  for (const t of types) {
    const set = map.get(t.group) ?? new Set<string>();
    for (const v of t.versions) set.add(v);
    map.set(t.group, set);
  }
  return [...map.entries()].map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
}

function subresources(t: ResourceType): string[] {
  const subs: string[] = [];
  if (t.hasStatus) subs.push('status');
  if (t.group === '' && t.plural === 'pods') subs.push('log');
  if (isScalable(t)) subs.push('scale');
  return subs;
}

const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

function aggregatedResource(t: ResourceType, version: string) {
  const responseKind = { group: t.group, version, kind: t.kind };
  return {
    resource: t.plural,
    responseKind,
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: VERBS,
    ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories?.length ? { categories: t.categories } : {}),
    subresources: subresources(t).map((sub) =>
      sub === 'log'
        ? { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] }
        : { subresource: sub, responseKind: sub === 'scale' ? scaleKind : responseKind, verbs: ['get', 'patch', 'update'] },
    ),
  };
}

/** `/api` (core only) or `/apis` (every other group) as APIGroupDiscoveryList. */
export function aggregatedDiscovery(types: ResourceType[], core: boolean, apiVersion: string) {
  const selected = types.filter((t) => (t.group === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups(selected).map((g) => ({
      metadata: { name: g.name },
      versions: g.versions.map((version) => ({
        version,
        resources: selected.filter((t) => t.group === g.name && t.versions.includes(version)).map((t) => aggregatedResource(t, version)),
        freshness: 'Current',
      })),
    })),
  };
}

/** Which aggregated-discovery version the client accepts (kubectl 1.32 asks v2 first, older ones v2beta1); undefined → legacy. */
export function aggregatedVersionAccepted(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList')) continue;
    if (/;\s*v=v2(\s*;|\s*$)/.test(part)) return 'v2';
    if (part.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: GroupInfo) {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions, preferredVersion: versions[0] };
}

export function legacyGroupList(types: ResourceType[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups(types.filter((t) => t.group !== '')).map(apiGroup) };
}

export function legacyGroup(types: ResourceType[], group: string) {
  const found = groups(types.filter((t) => t.group === group))[0];
  return found ? apiGroup(found) : undefined;
}

export function resourceList(types: ResourceType[], group: string, version: string) {
  const selected = types.filter((t) => t.group === group && t.versions.includes(version));
  if (!selected.length) return undefined;
  const resources = selected.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories?.length ? { categories: t.categories } : {}),
    },
    ...subresources(t).map((sub) => ({
      name: `${t.plural}/${sub}`,
      singularName: '',
      namespaced: t.namespaced,
      kind: sub === 'log' ? 'Pod' : sub === 'scale' ? 'Scale' : t.kind,
      ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
      verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
    })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
