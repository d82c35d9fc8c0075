// Which kinds the API serves: the built-in catalogue plus the kinds of stored
// CustomResourceDefinitions, looked up by URL (group, version, plural) or by
// apiVersion/kind. A stored CRD registers its kinds at once; discovery and
// OpenAPI read `revision` to know when to change their hashes.
import type { KubeObject, ResourceKey } from './store-types.js';
import type { ResourceType } from './resources/types.js';
import { minimalBuiltins } from './resources/minimal-builtins.js';

export const CRD_KEY: ResourceKey = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };

export type CrdConverter = (crd: KubeObject) => ResourceType[];

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  subresources?: { status?: unknown };
}

/** CRD → served kinds, without schema validation (the catalogue's converter adds it when present). */
export function basicResourceFromCrd(crd: KubeObject): ResourceType[] {
  const spec = (crd.spec ?? {}) as {
    group?: string;
    scope?: string;
    names?: { kind?: string; listKind?: string; plural?: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions?: CrdVersion[];
  };
  const names = spec.names ?? {};
  if (!spec.group || !names.kind || !names.plural) return [];
  const served = (spec.versions ?? []).filter((v) => v.served !== false);
  if (!served.length) return [];
  // Storage version first: the contract says versions[0] is where objects are stored.
  served.sort((a, b) => Number(Boolean(b.storage)) - Number(Boolean(a.storage)));
  return [
    {
      group: spec.group,
      versions: served.map((v) => v.name),
      deprecatedVersions: served.filter((v) => v.deprecated).map((v) => v.name),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames,
      categories: names.categories,
      hasStatus: served.some((v) => v.subresources?.status !== undefined),
      strategicMerge: false,
    },
  ];
}

/** Loads the full catalogue when it is built, else the minimal list. */
export async function loadCatalogue(log: (line: string) => void): Promise<{ builtins: ResourceType[]; fromCrd: CrdConverter }> {
  let builtins = minimalBuiltins;
  let fromCrd: CrdConverter = basicResourceFromCrd;
  // Variable specifiers: these modules are written by another part of the project and may not exist yet.
  const catalogPath = './resources/catalog.js';
  const crdPath = './resources/crd.js';
  try {
    const catalog = (await import(catalogPath)) as { builtinResources?: ResourceType[] };
    if (catalog.builtinResources?.length) builtins = catalog.builtinResources;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') log(`registry: the resource catalogue failed to load (${(error as Error).message}); serving the minimal list`);
  }
  try {
    const crd = (await import(crdPath)) as { resourceFromCrd?: CrdConverter };
    if (crd.resourceFromCrd) fromCrd = crd.resourceFromCrd;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') log(`registry: the CRD converter failed to load (${(error as Error).message})`);
  }
  return { builtins, fromCrd };
}

export class ResourceRegistry {
  private custom: ResourceType[] = [];
  /** Bumps whenever the served kinds change. */
  revision = 0;

  constructor(
    private readonly builtins: ResourceType[],
    private readonly fromCrd: CrdConverter = basicResourceFromCrd,
    private readonly log: (line: string) => void = () => {},
  ) {}

  all(): ResourceType[] {
    return [...this.builtins, ...this.custom];
  }

  private isBuiltin(group: string, plural: string): boolean {
    return this.builtins.some((r) => r.group === group && r.plural === plural);
  }

  /** By URL: /apis/<group>/<version>/<plural>. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
  }

  findByKind(group: string, kind: string): ResourceType | undefined {
    return this.all().find((r) => r.group === group && r.kind === kind);
  }

  /** Which kinds served in `group` exist at all (for "no matches for kind" versus wrong version). */
  groupVersions(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of this.all()) {
      const set = out.get(r.group) ?? new Set<string>();
      for (const v of r.versions) set.add(v);
      out.set(r.group, set);
    }
    return out;
  }

  /** Recomputes the custom kinds from the stored CRDs. */
  setCrds(crds: KubeObject[]): void {
    const next: ResourceType[] = [];
    for (const crd of crds) {
      try {
        for (const type of this.fromCrd(crd)) {
          if (this.isBuiltin(type.group, type.plural)) continue; // built-ins win over a CRD of the same name
          next.push(type);
        }
      } catch (error) {
        this.log(`registry: CRD ${crd.metadata.name} ignored: ${(error as Error).message}`);
      }
    }
    this.custom = next;
    this.revision++;
  }

  keyOf(type: ResourceType): ResourceKey {
    return { group: type.group, resource: type.plural };
  }
}
